"""File-system steps every stage that writes uses: files are replaced, never written into.

An output folder shares most of its files with the build before it (hard links), and a reader
(the dev server, a browser) may hold one open, so a file is always written under a temporary
name beside its target and renamed over it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path


def replace_file(target: Path, data: bytes) -> None:
    """Write ``data`` to a new file and rename it over ``target`` (a no-op when equal)."""
    try:
        if target.stat().st_size == len(data) and target.read_bytes() == data:
            return
    except OSError:
        pass
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)


def link_over(source: str, dest: str, suffix: str) -> None:
    """Make ``dest`` a hard link to ``source``: linked under a temporary name beside it
    (``.<name><suffix>``; one left by a process that died is replaced), then renamed over
    it. OSError: ``source`` is gone, or links are refused (another file system)."""
    folder, name = os.path.split(dest)
    tmp = f"{folder}/.{name}{suffix}"
    try:
        os.link(source, tmp)
    except FileExistsError:
        os.unlink(tmp)
        os.link(source, tmp)
    os.replace(tmp, dest)


def link_or_copy(source: str, dest: str) -> None:
    """A hard link to ``source`` at ``dest``, else (another file system) a copy; a ``dest``
    left behind by a build that died is replaced."""
    for _ in range(2):
        try:
            os.link(source, dest)
            return
        except FileExistsError:
            os.unlink(dest)
        except OSError:
            break
    shutil.copy2(source, dest)


def inventory(root: Path, leave_out: frozenset[str] = frozenset()) -> dict[str, int]:
    """Relative path → inode of every file under ``root`` (empty when it does not exist),
    but in its folders named in ``leave_out``. Links are listed as files, never followed."""
    found: dict[str, int] = {}
    top = str(root)
    skip = len(top) + 1  # entries' paths all start with "<root>/"
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if not (folder == top and entry.name in leave_out):
                    stack.append(entry.path)
            else:
                found[entry.path[skip:]] = entry.inode()
    return found


def remove_file(root: Path, rel: str) -> None:
    """Delete ``root/rel`` and the folders it leaves empty, up to ``root``."""
    target = root / rel
    with contextlib.suppress(FileNotFoundError):
        target.unlink()
    folder = target.parent
    with contextlib.suppress(OSError):  # not empty: stop there
        while folder != root and folder.is_relative_to(root):
            folder.rmdir()
            folder = folder.parent


# Files that differ past which a mirror empties its target and links into empty folders:
# on ext4 that costs about half as much a file as a link renamed over an existing name.
MIRROR_ANEW_MIN = 2000


def mirror(source: Path, target: Path, keep: frozenset[str] = frozenset()) -> None:
    """Make ``target`` hold exactly the files of ``source``, as hard links, but for the
    relative paths in ``keep``, left to the caller, who is about to replace them.

    Only what differs is touched (same inode = same file), so mirroring a tree that changed
    a little costs a directory walk, not a copy.
    """
    want = inventory(source)
    have = inventory(target)
    for rel in keep:
        want.pop(rel, None)
        have.pop(rel, None)
    differ = [rel for rel, inode in want.items() if have.get(rel) != inode]
    if len(differ) >= max(MIRROR_ANEW_MIN, len(want) // 2):
        _mirror_anew(source, target, want)
        return
    made: set[str] = set()  # folders known to exist: one mkdir each, not one per file
    suffix = f".{os.getpid()}.link"
    for rel in differ:
        dest = os.path.join(target, rel)
        folder = os.path.dirname(dest)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        try:
            link_over(os.path.join(source, rel), dest, suffix)
        except OSError:  # links refused (another file system): a copy, renamed over
            tmp = os.path.join(folder, f".{os.path.basename(dest)}{suffix}")
            shutil.copy2(os.path.join(source, rel), tmp)
            os.replace(tmp, dest)
    for rel in sorted(have.keys() - want.keys()):
        remove_file(target, rel)


def _mirror_anew(source: Path, target: Path, want: dict[str, int]) -> None:
    """``mirror`` by removing ``target`` and linking every file of ``source`` into empty
    folders. Stopped halfway, it leaves a target the next mirror completes."""
    shutil.rmtree(target, ignore_errors=True)
    made: set[str] = set()
    for rel in want:
        dest = os.path.join(target, rel)
        folder = os.path.dirname(dest)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        link_or_copy(os.path.join(source, rel), dest)
    os.makedirs(target, exist_ok=True)  # (an empty source)
