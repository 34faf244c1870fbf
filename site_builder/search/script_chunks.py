"""Script copies of the search export, for the archive read from a folder (file://).

Opened from disk, a page may not fetch() the files beside it, but it may run the scripts
beside it. So every file of ``output/search/`` also exists as ``search/js/<path>.js``: one
line that hands the file's contents to the page's search script,
``searchChunk("g/52.bin","<base64>");`` (a JSON file as its object, not as text). search.js
loads these only when the page's address is a file:// one; over http it fetches the files.

They are brought up to date after each export. An export that patched an output holding the
last export names the files it wrote or removed: only those are copied again (the rest, and
their copies, were linked from the last output). Otherwise (a full export, a first build,
or copies a stopped build left half made: no COMPLETE mark), every file is compared with
its copy: a copy is current when it is not older than its file, as the export writes every
file it changes anew and the build links unchanged ones, which keeps their times. Stating
every file (five times as many as there are articles) would be a large part of an edit
build; the named files are a handful.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
from pathlib import Path

from ..fs import replace_file

CHUNK_DIR = "js"
NOT_EXPORT = frozenset({"index.html"})  # the search page, which sits beside the export
CALLBACK = "searchChunk"  # the global function search.js defines for the copies
COMPLETE = ".complete"  # in js/, empty: every copy was current when the last run ended


def write_script_chunks(folder: Path, changed: set[str] | None = None) -> int:
    """Make ``folder/js/`` hold a current script copy of each export file in ``folder``
    and nothing else; ``changed``: the only export files that may differ from their copies
    (None: any may). Returns how many copies were written."""
    mark = folder / CHUNK_DIR / COMPLETE
    if changed is not None and mark.exists():
        sources = {rel: 0 for rel in changed if (folder / rel).is_file()}
        chunks = {f"{rel}.js": -1 for rel in changed}
    else:
        sources = _times(folder, skip=CHUNK_DIR)
        chunks = _times(folder / CHUNK_DIR)
    with contextlib.suppress(FileNotFoundError):
        mark.unlink()  # (until this run ends, the copies are of unknown state)
    written = 0
    made: set[Path] = set()
    for rel, mtime in sorted(sources.items()):
        if chunks.get(f"{rel}.js", -1) >= mtime:
            continue
        target = folder / CHUNK_DIR / f"{rel}.js"
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        with contextlib.suppress(FileNotFoundError):  # (gone meanwhile: not ours to copy)
            replace_file(target, script_chunk(rel, (folder / rel).read_bytes()))
            os.utime(target)  # (left as it was when equal: now current all the same)
            written += 1
    for rel in sorted(chunks):
        if rel.removesuffix(".js") not in sources:
            with contextlib.suppress(FileNotFoundError):
                (folder / CHUNK_DIR / rel).unlink()
    mark.parent.mkdir(parents=True, exist_ok=True)
    mark.touch()
    return written


def script_chunk(rel: str, data: bytes) -> bytes:
    """The script that hands ``data`` (the export file ``rel``) to search.js."""
    if rel.endswith(".json"):
        try:
            value = json.dumps(json.loads(data), ensure_ascii=False, separators=(",", ":"))
        except ValueError:
            value = "null"  # (what a fetch of a broken file gives the page too)
        # A JSON text is a script expression, but for these two line terminators in older
        # engines' string literals.
        value = value.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    else:
        value = f'"{base64.b64encode(data).decode("ascii")}"'
    return f"{CALLBACK}({json.dumps(rel)},{value});\n".encode()


def _times(root: Path, skip: str | None = None) -> dict[str, int]:
    """Relative path → modification time (ns) of every file under ``root``, but for the
    folder ``skip`` and the files NOT_EXPORT at its top (empty when it does not exist)."""
    found: dict[str, int] = {}
    stack = [(str(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            rel = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                if not (prefix == "" and entry.name == skip):
                    stack.append((entry.path, rel + "/"))
            elif not entry.name.startswith(".") and not (prefix == "" and rel in NOT_EXPORT):
                with contextlib.suppress(FileNotFoundError):
                    found[rel] = entry.stat(follow_symlinks=False).st_mtime_ns
    return found
