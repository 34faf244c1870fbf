"""Publish stage: a build writes into a staged copy of the output and swaps it in whole.

The staged copy is the *spare*: the output of the build before last, kept beside the output
as ``.<output>.spare``. A build brings it up to date (rendering only the pages whose
fingerprint differs from its own) and exchanges it with the output in one rename, so a
failed, interrupted or concurrent build never leaves a broken site, and neither a copy nor a
deletion of a whole tree is ever needed. Builds take turns under a lock in the state folder.

A build deletes only what a build wrote: the output folder must be empty, new, or a previous
output whose every file a build wrote (publish.guard).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout

from ..fs import inventory, mirror, remove_file
from .guard import SEARCH_DIR, STAMP_FILE, OutputRefused, check_output
from .manifest import EXTRA, SlotManifest, written_file
from .swap import old_path, remove_stale, spare_path, swap_in

__all__ = ["EXTRA", "STAMP_FILE", "BuildLocked", "OutputRefused", "Stage", "build_lock",
           "spare_path", "staged_output"]

LOCK_WAIT_SECONDS = 120


class BuildLocked(Exception):
    """Another build of this project held the lock for longer than a build waits."""


@contextlib.contextmanager
def build_lock(state: Path, waiting: Callable[[str], None]) -> Iterator[None]:
    """Hold the project's build lock; ``waiting(message)`` is called when another build has
    it. A lock whose holder was killed is free (the OS releases it)."""
    state.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(state / "build.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        waiting(f"another build is running (lock {lock.lock_file}); waiting up to "
                f"{LOCK_WAIT_SECONDS} s")
        try:
            lock.acquire(timeout=LOCK_WAIT_SECONDS)
        except Timeout:
            raise BuildLocked("another build is still running; giving up") from None
    try:
        yield
    finally:
        lock.release()


@dataclass
class Stage:
    """Where a build writes, and what that folder and the live output already hold."""

    path: Path  # the spare: this build's output until it is swapped in
    output: Path  # the output in use
    previous: dict[str, str] | None  # fingerprints of what ``path`` holds (None: unknown)
    live_pages: Callable[[], dict[str, str] | None] | None  # the output's, when it is ahead
    timings: dict[str, float] = field(default_factory=dict)
    published: bool = False
    _known: bool = True  # False: ``path`` may hold files this build did not write
    _manifests: tuple[SlotManifest, SlotManifest] | None = None

    @property
    def live(self) -> Path | None:
        """The output in use, when there is one to bring things over from."""
        return self.output if self.output.is_dir() else None

    def publish(self, fingerprints: dict[str, str]) -> None:
        """Swap the staged folder in as the output: it holds ``fingerprints``' files."""
        assert self._manifests is not None
        live_manifest, spare_manifest = self._manifests
        if not self._known:
            _prune(self.path, fingerprints)
        stamp = spare_manifest.stamp(fingerprints)
        swap_in(self.path, self.output)
        live_manifest.move_to(spare_manifest)  # the old output is the spare now
        live_manifest.save(fingerprints, stamp)
        self.published = True

    def update_spare(self, change: Callable[[Path, dict[str, str]], dict[str, str] | None]) -> None:
        """After publishing: ``change(spare, its fingerprints)`` brings files into the spare
        and returns its fingerprints now (None: it changed nothing). The spare's stamp is
        taken away meanwhile: stopped halfway, its state is unknown to the next build."""
        assert self.published and self._manifests is not None
        manifest = self._manifests[1]
        old = manifest.previous() if self.path.exists() else None
        if old is None:
            return
        manifest.invalidate()
        now = change(self.path, old)
        if now is None:
            manifest.stamp(old)
        else:
            manifest.save(now, manifest.stamp(now))


@contextlib.contextmanager
def staged_output(out_dir: Path, state: Path, site_key: str, *, project: list[Path],
                  sources: list[Path], root: Path | None = None) -> Iterator[Stage]:
    """Check that ``out_dir`` is a build's to replace, and stage the build beside it.

    The caller writes into ``stage.path`` and calls ``stage.publish(fingerprints)`` when
    every stage succeeded; otherwise the output is left as it was. Raises OutputRefused.
    """
    spare = spare_path(out_dir)
    live_manifest = SlotManifest(state, out_dir, site_key)
    spare_manifest = SlotManifest(state, spare, site_key)
    check_output(out_dir, [spare, old_path(out_dir)], project, sources,
                 live_manifest.written() if out_dir.is_dir() else set(), root)
    started = time.perf_counter()
    remove_stale(out_dir)
    previous = spare_manifest.previous() if spare.exists() else None
    # The spare is behind the output by the last build's pages: those still due are
    # linked from the output instead of rendered again (render.link_pages).
    live_pages = live_manifest.previous if previous is not None else None
    if previous is None and out_dir.exists():
        previous = live_manifest.previous()
        if previous is not None:  # start from the output, shared as hard links
            mirror(out_dir, spare)
    # Else the spare's files are unknown: pruned before the swap. A spare made just now is
    # empty (a first build): nothing to prune, and no walk of a large tree.
    known = previous is not None or not spare.exists()
    spare.mkdir(parents=True, exist_ok=True)
    spare_manifest.invalidate()
    stage = Stage(spare, out_dir, previous, live_pages, _known=known,
                  _manifests=(live_manifest, spare_manifest))
    stage.timings["prepare"] = time.perf_counter() - started
    yield stage


def _prune(folder: Path, fingerprints: dict[str, str]) -> None:
    """Delete what this build did not write in its own staged folder (outside search/,
    which the search stage keeps)."""
    wanted = {STAMP_FILE, *(written_file(key) for key in fingerprints)}
    for rel in inventory(folder):
        if rel.split(os.sep)[0] != SEARCH_DIR and rel not in wanted:
            remove_file(folder, rel)


def catch_up_search(stage: Stage) -> None:
    """Link the output's search export into the spare, which the next build starts from:
    after an export written anew (or a patch that renumbered thousands of documents), the
    next edit would otherwise link them first, before its own work."""
    if not stage.path.exists():  # a first build: there is no spare yet
        return
    with contextlib.suppress(OSError):  # (else the next build does it)
        mirror(stage.output / SEARCH_DIR, stage.path / SEARCH_DIR)
