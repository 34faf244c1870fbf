"""What a CLI hit shows, by document number, written by the build: ``.site-builder/index/cli-docs/``.

Opening Whoosh costs a query process ~100 ms (imports, the table of contents, the stored
fields column), and copying its stored fields out for every document over a second; the
browser reads ``doc/<n>.json`` instead, which exist only in the output. So the build writes
the fields of every document here, from the ``doc_view`` it makes for ``doc/<n>.json``
anyway (export.py), and a query reads just its hits: no query opens Whoosh, the first after
a build included.

Layout (integers u64 LE; marshal format MARSHAL_VERSION)::

    meta.bin:            b"site-builder docs 5\\n" | tag length | tag | meta length | meta
    <chunk>-<digest>.bin: count | count + 1 offsets | records

``tag`` is the export's ``manifest.json``: its ``export`` digest covers every
``doc/<n>.json``, so a store whose tag is the current manifest holds the current documents
(a stale store, from before the last build, is never read). ``meta`` is marshal
``{"manifest": the manifest parsed, "fold": {page: pairs} (the export's fold tables),
"count": documents, "bits": CHUNK_BITS, "chunks": [file name per chunk]}``: a query then
needs neither json nor re, whose imports cost it more than reading its hits.

Chunk ``c`` holds documents ``c << bits`` to ``(c + 1 << bits) - 1``, each record marshal
``[url, title, region, year, date, kind, body, folds]``; ``body`` has its white space runs
collapsed to one space (what a snippet shows), ``folds`` pairs each non-ASCII character of
the title and body with its folded form (analysis.fold_char) so highlighting needs no OpenCC.
A chunk's file is named by its number and a digest of its bytes: a file never changes once
written (a build that edits one article writes that one chunk and the meta, ~1 MB, not the
whole store: 33 MB at 10,000 articles), a meta names exactly the files it was written with,
and the store's bytes are a function of the articles, whatever the build history.

A store that is missing, cut or damaged (a file short, an offset out of place, a chunk gone)
is written again from Whoosh's stored fields, as the first query after each build did
before the build wrote it; the query that finds the damage pays for it (~1.5 s at 10k).
Marshal, not json: the files are private to this version of the CLI, and marshal loads
several times faster. Paths are plain strings (no pathlib for a query process).
"""

from __future__ import annotations

import marshal
import os

MAGIC = b"site-builder docs 5\n"
MARSHAL_VERSION = 2  # fixed, so the bytes written do not depend on the running Python;
# 2: no back-references (3+ marks objects by their reference count: bytes would depend on
# which process made a record, and how), so equal records are equal bytes
STORE_DIR = "cli-docs"  # in INDEX_DIR
META_FILE = "meta.bin"  # in STORE_DIR
LEGACY_FILE = "cli-docs.bin"  # in INDEX_DIR: the store of format 4, written by queries
CHUNK_BITS = 8  # documents per chunk 1 << CHUNK_BITS; at most grams.BLOCK (export.py)
INDEX_DIR = (".site-builder", "index")  # under the project's root (indexer.index_dir_of)
BROWSER_DIR = "browser"  # in INDEX_DIR: the export the browser's files are copied from
FIELDS = ("url", "title", "region", "year", "date", "kind")
VIEW_KEYS = ("u", "t", "r", "y", "d", "k", "x", "f")  # export.doc_view's keys, in that order
EMPTY = ["", "", "", 0, "", "", "", ""]  # a document Whoosh had none for: an empty hit


class Damaged(Exception):
    """A chunk that cannot be read as its meta describes it."""


def _u64(data: bytes, at: int = 0) -> int:
    return int.from_bytes(data[at:at + 8], "little")


class DocStore:
    """Read hits from the store; ``None`` from :meth:`open` when it is missing or stale.

    A chunk found damaged while reading hits is written again from Whoosh (``repair``) and
    this query's hits come from what that read."""

    def __init__(self, folder: str, meta: dict, repair=None) -> None:
        self.folder = folder
        self.count: int = meta["count"]
        self.bits: int = meta["bits"]
        self.chunks: list[str] = meta["chunks"]
        self.manifest: dict = meta["manifest"]  # the export's manifest.json, parsed
        self.fold_tables: dict[int, str] = meta["fold"]  # its fold/<page>.json
        self.repair = repair
        self.records: list | None = None  # every record, once repaired

    @classmethod
    def open(cls, folder: str, tag: bytes, repair=None) -> DocStore | None:
        want = MAGIC + len(tag).to_bytes(8, "little") + tag
        try:
            with open(os.path.join(folder, META_FILE), "rb") as handle:
                head = handle.read(len(want) + 8)
                if len(head) != len(want) + 8 or head[:len(want)] != want:
                    return None
                size = _u64(head, len(want))
                packed = handle.read(size + 1)
            if len(packed) != size:
                raise ValueError("a cut or overlong meta")
            meta = marshal.loads(packed)
            if len(meta["chunks"]) != -(-meta["count"] >> meta["bits"]):
                raise ValueError("chunks and documents disagree")
        except (OSError, EOFError, ValueError, TypeError, KeyError):  # damaged: written again
            return None
        return cls(folder, meta, repair)

    def record(self, d: int) -> list | None:
        if not 0 <= d < self.count:
            return None
        if self.records is None:
            try:
                return self._read(self.chunks[d >> self.bits], d & ((1 << self.bits) - 1))
            except (OSError, EOFError, ValueError, TypeError, Damaged) as error:
                self.records = self.repair() if self.repair is not None else None
                if self.records is None:
                    raise Damaged("the search index is damaged: run site-builder build "
                                  "again") from error
        return self.records[d] if d < len(self.records) else None

    def _read(self, name: str, local: int) -> list:
        """Record ``local`` of chunk ``name``: a descriptor and positioned reads, no file
        object (its buffer and wrapper cost a query more than the system calls)."""
        fd = os.open(os.path.join(self.folder, name), os.O_RDONLY)
        try:
            head = os.pread(fd, 8 * ((1 << self.bits) + 2), 0)  # count and offsets at once
            count = _u64(head)
            if local >= count or len(head) < 8 * (count + 2):
                raise Damaged(name)
            start, end = _u64(head, 8 + 8 * local), _u64(head, 16 + 8 * local)
            if os.fstat(fd).st_size != _u64(head, 8 + 8 * count) or not start < end:
                raise Damaged(name)  # cut, or longer than written
            record = marshal.loads(os.pread(fd, end - start, start))
        finally:
            os.close(fd)
        if type(record) is not list or len(record) != 8:
            raise Damaged(name)
        return record

    def close(self) -> None:
        pass


# --- writing (the build; a query only when it repairs the store) --------------------------

def record_of_view(view: dict) -> bytes:
    """A store record, marshalled, from export.doc_view (the fields of ``doc/<n>.json``)."""
    return marshal.dumps([view[k] for k in VIEW_KEYS], MARSHAL_VERSION)


def record_of(fields: dict | None, folds: dict[str, str]) -> list | None:
    """The stored fields of one Whoosh document as a store record (``folds``: fold_table):
    the record the build writes from the document's doc_view."""
    if fields is None:
        return None
    body = " ".join((fields.get("body") or "").split())
    title = fields.get("title", "")
    chars = sorted(folds.keys() & set(title + body))
    values = [fields.get(name, "") for name in FIELDS]
    values[3] = int(values[3] or 0)  # Whoosh stores the year as text
    return [*values, body, "".join(c + folds[c] for c in chars)]


def pack_chunk(blobs: list[bytes]) -> bytes:
    offsets = [8 * (len(blobs) + 2)]
    for blob in blobs:
        offsets.append(offsets[-1] + len(blob))
    return b"".join([len(blobs).to_bytes(8, "little"),
                     *(o.to_bytes(8, "little") for o in offsets), *blobs])


def chunk_name(number: int, data: bytes) -> str:
    import hashlib

    return f"{number}-{hashlib.blake2b(data, digest_size=10).hexdigest()}.bin"


def write_chunk(folder: str, number: int, blobs: list[bytes]) -> str:
    """Write chunk ``number`` (its records marshalled); its file name."""
    data = pack_chunk(blobs)
    name = chunk_name(number, data)
    _replace(os.path.join(folder, name), data)
    return name


def read_chunk(folder: str, name: str) -> list[bytes] | None:
    """A chunk's marshalled records, None unless its bytes are the ones it was named for."""
    try:
        with open(os.path.join(folder, name), "rb") as handle:
            data = handle.read()
        number = int(name.split("-", 1)[0])
    except (OSError, ValueError):
        return None
    if chunk_name(number, data) != name:
        return None
    from itertools import pairwise

    offsets = [_u64(data, 8 + 8 * i) for i in range(_u64(data) + 1)]
    return [data[a:b] for a, b in pairwise(offsets)]


def patch_chunks(folder: str, old: list[str], count: int, touched: set[int],
                 new: dict[int, bytes], make) -> list[str]:
    """The chunk files for ``count`` documents after a patched build: chunks ``touched``
    (those of the document numbers it changed, added or removed) are written with the
    records ``new`` (number: record) and, for the other documents, their records from the
    old chunk; a chunk whose file is missing or damaged is written whole, ``make(number)``
    giving a record. Untouched chunks keep their files: no other bytes are written."""
    size = 1 << CHUNK_BITS
    found = present(folder)
    chunks: list[str] = []
    for c in range(-(-count // size)):
        name = old[c] if c < len(old) else ""
        if c not in touched and name in found:
            chunks.append(name)
            continue
        kept = (read_chunk(folder, name) if name in found else None) or []
        first = c * size
        chunks.append(write_chunk(folder, c, [
            new[n] if n in new else kept[n - first] if n - first < len(kept) else make(n)
            for n in range(first, min(first + size, count))]))
    return chunks


def write_meta(folder: str, tag: bytes, meta: dict) -> None:
    packed = marshal.dumps(meta, MARSHAL_VERSION)
    _replace(os.path.join(folder, META_FILE), b"".join([
        MAGIC, len(tag).to_bytes(8, "little"), tag, len(packed).to_bytes(8, "little"), packed]))


def present(folder: str) -> set[str]:
    """The chunk files in the store."""
    try:
        return {e.name for e in os.scandir(folder)
                if e.name.endswith(".bin") and e.name != META_FILE and e.name[0] != "."}
    except OSError:
        return set()


def remove_unlisted(folder: str, names: set[str]) -> None:
    """Delete the chunk files but ``names`` (the build, under its lock, after its meta)."""
    from contextlib import suppress

    for name in present(folder) - names:
        with suppress(FileNotFoundError):
            os.unlink(os.path.join(folder, name))


def _replace(path: str, data: bytes) -> None:
    """A new file renamed over ``path``: readers never see half of one."""
    folder, name = os.path.split(path)
    temp = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
    try:
        with open(temp, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def read_fold(browser: str, pages: list[int]) -> dict[int, str]:
    """The export's ``fold/<page>.json`` pairs by page."""
    import json

    fold: dict[int, str] = {}
    for page in pages:
        with open(os.path.join(browser, "fold", f"{page}.json"), "rb") as handle:
            fold[page] = json.loads(handle.read())
    return fold


def fold_table(fold: dict[int, str]) -> dict[str, str]:
    """Every non-ASCII character whose folded form differs, and that form, from the fold
    pages (analysis.fold_char, computed once by the build): the repair neither loads OpenCC
    nor folds each document's characters one call at a time."""
    table: dict[str, str] = {}
    for pairs in fold.values():
        table.update(zip(pairs[0::2], pairs[1::2], strict=True))
    return table


# --- the query side ---------------------------------------------------------------------

def open_store(root: str, browser: str, manifest: bytes) -> DocStore | None:
    """The store for this index (``root``: the index folder); written again from Whoosh
    first if missing, cut or damaged; None if there is no Whoosh index to fill it from."""
    folder = os.path.join(root, STORE_DIR)

    def repair() -> list | None:
        return _from_whoosh(root, browser, manifest)

    store = DocStore.open(folder, manifest, repair)
    if store is not None:
        return store
    records = repair()
    if records is None:
        return None
    return DocStore.open(folder, manifest) or _Memory(records, browser, manifest)


def _from_whoosh(root: str, browser: str, manifest: bytes) -> list | None:
    """Every document's record from Whoosh, the store written from them unless a build
    committed meanwhile (then they serve this query only); None: no usable Whoosh index."""
    from .indexer import IDS_FILE, open_whoosh, usable

    whoosh = os.path.join(root, "whoosh")
    if not usable(whoosh):
        return None
    listing = _listing(whoosh)
    with open(os.path.join(browser, IDS_FILE), encoding="utf-8") as handle:
        ids = handle.read().split("\n")
    parsed = _parse(manifest)
    fold = read_fold(browser, parsed["fold_pages"])
    folds = fold_table(fold)
    ix = open_whoosh(whoosh)
    try:
        with ix.searcher() as searcher:
            by_id = {f.get("id"): f for f in searcher.all_stored_fields()}
    finally:
        ix.close()
    records = [record_of(by_id.get(doc_id), folds) for doc_id in ids]
    if _read(os.path.join(browser, "manifest.json")) == manifest and _listing(whoosh) == listing:
        write_store(os.path.join(root, STORE_DIR), manifest, parsed, fold, records)
    return records


def write_store(folder: str, tag: bytes, manifest: dict, fold: dict[int, str],
                records: list[list | None]) -> None:
    """The whole store from every document's record (None: an empty hit)."""
    os.makedirs(folder, exist_ok=True)
    size = 1 << CHUNK_BITS
    chunks = [write_chunk(folder, c, [marshal.dumps(r if r is not None else EMPTY,
                                                    MARSHAL_VERSION)
                                      for r in records[c * size:(c + 1) * size]])
              for c in range(-(-len(records) // size))]
    write_meta(folder, tag, {"manifest": manifest, "fold": fold, "count": len(records),
                             "bits": CHUNK_BITS, "chunks": chunks})


def _listing(whoosh: str) -> list[str]:
    try:
        entries = sorted(os.scandir(whoosh), key=lambda e: e.name)
    except OSError:
        return []
    return [f"{e.name} {e.stat().st_size} {e.stat().st_mtime_ns}" for e in entries
            if not e.name.endswith("LOCK")]


def _parse(manifest: bytes) -> dict:
    import json

    return json.loads(manifest)


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


class _Memory(DocStore):
    """Records read this time but not kept (the index changed while they were read)."""

    def __init__(self, records: list, browser: str, manifest: bytes) -> None:
        parsed = _parse(manifest)
        super().__init__(browser, {"count": len(records), "bits": CHUNK_BITS, "chunks": [],
                                   "manifest": parsed,
                                   "fold": read_fold(browser, parsed["fold_pages"])})
        self.records = records
