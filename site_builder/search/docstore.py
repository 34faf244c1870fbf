"""What a CLI hit shows (the Whoosh stored fields), kept in one file by document number.

Opening Whoosh costs a query process ~100 ms (imports, the table of contents, the stored
fields column); the browser reads ``doc/<n>.json`` instead, which exist only in the output.
So the first ``site-builder search`` after a build copies the stored fields out of Whoosh
into ``.site-builder/index/cli-docs.bin`` and later queries read just their hits from it.

The file is a function of the index: it is tagged with the export's manifest and the Whoosh
files' names, sizes and times, and rewritten when either differs. Format::

    b"site-builder docs 3\\n" | tag length (u64 LE) | tag | count (u64 LE)
    | count + 1 offsets (u64 LE) | records: marshal [url, title, region, year, date, kind,
    body, folds] (None: no document)

``body`` has its white space runs collapsed to one space (what a snippet shows); ``folds``
pairs each non-ASCII character of the title and body with its folded form (analysis.fold_char,
as the export's fold tables give it) so highlighting needs no OpenCC. Records are marshalled
(the file is private to this version of the CLI, and marshal loads a record several times
faster than json); paths are plain strings (no pathlib for a query process).
"""

from __future__ import annotations

import marshal
import os
import struct

MAGIC = b"site-builder docs 3\n"
MARSHAL_VERSION = 4  # fixed, so the bytes written do not depend on the running Python
STORE_FILE = "cli-docs.bin"
FIELDS = ("url", "title", "region", "year", "date", "kind")


def index_tag(manifest: bytes, whoosh: str) -> bytes:
    """Changes whenever the export or the Whoosh index does (a commit writes a new table of
    contents, a rebuild new segment names). Compared whole: no hashing to import."""
    try:
        entries = sorted(os.scandir(whoosh), key=lambda e: e.name)
    except OSError:
        entries = []
    listing = [f"{e.name} {e.stat().st_size} {e.stat().st_mtime_ns}" for e in entries
               if not e.name.endswith("LOCK")]
    return manifest + "\n".join(["", *listing]).encode()


class DocStore:
    """Read hits from the store file; ``None`` from :meth:`open` when it is missing or stale."""

    def __init__(self, path: str, count: int, handle, header: int) -> None:
        self.path = path
        self.count = count
        self.handle = handle
        self.header = header  # where the offsets start

    @classmethod
    def open(cls, path: str, tag: bytes) -> DocStore | None:
        try:
            handle = open(path, "rb")  # noqa: SIM115 (kept open for the hits; closed by close)
        except OSError:
            return None
        head = handle.read(len(MAGIC) + 8 + len(tag) + 8)
        want = MAGIC + struct.pack("<Q", len(tag)) + tag
        if len(head) != len(want) + 8 or head[:len(want)] != want:
            handle.close()
            return None
        (count,) = struct.unpack("<Q", head[-8:])
        return cls(path, count, handle, len(head))

    def record(self, d: int) -> list | None:
        if not 0 <= d < self.count:
            return None
        self.handle.seek(self.header + 8 * d)
        start, end = struct.unpack("<QQ", self.handle.read(16))
        self.handle.seek(start)
        return marshal.loads(self.handle.read(end - start))

    def close(self) -> None:
        self.handle.close()


def fold_table(browser: str, manifest: bytes) -> dict[str, str]:
    """Every non-ASCII character whose folded form differs, and that form: the export's
    ``fold/<page>.json`` pairs (analysis.fold_char, computed once by the build), so copying
    the store neither loads OpenCC nor folds each document's characters one call at a time."""
    import json

    table: dict[str, str] = {}
    for page in json.loads(manifest)["fold_pages"]:
        with open(os.path.join(browser, "fold", f"{page}.json"), "rb") as handle:
            pairs = json.loads(handle.read())
        table.update(zip(pairs[0::2], pairs[1::2], strict=True))
    return table


def record_of(fields: dict | None, folds: dict[str, str]) -> list | None:
    """The stored fields of one Whoosh document as a store record (``folds``: fold_table)."""
    if fields is None:
        return None
    body = " ".join((fields.get("body") or "").split())
    title = fields.get("title", "")
    chars = sorted(folds.keys() & set(title + body))
    return [*(fields.get(name, "") for name in FIELDS), body,
            "".join(c + folds[c] for c in chars)]


def write_store(path: str, tag: bytes, records: list[list | None]) -> None:
    """Write the store (to a new file renamed over the old: readers never see half)."""
    blobs = [marshal.dumps(r, MARSHAL_VERSION) for r in records]
    head = MAGIC + struct.pack("<Q", len(tag)) + tag + struct.pack("<Q", len(blobs))
    start = len(head) + 8 * (len(blobs) + 1)
    offsets = [start]
    for blob in blobs:
        offsets.append(offsets[-1] + len(blob))
    folder, name = os.path.split(path)
    temp = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
    try:
        with open(temp, "wb") as out:
            out.write(head)
            out.write(struct.pack(f"<{len(offsets)}Q", *offsets))
            out.writelines(blobs)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def stored_records(whoosh: str, ids: list[str], folds: dict[str, str]) -> list[list | None]:
    """Every document's record, in document order, read from Whoosh."""
    from .indexer import open_whoosh

    ix = open_whoosh(whoosh)
    try:
        with ix.searcher() as searcher:
            by_id = {f.get("id"): f for f in searcher.all_stored_fields()}
    finally:
        ix.close()
    return [record_of(by_id.get(doc_id), folds) for doc_id in ids]


def open_store(root: str, browser: str, manifest: bytes) -> DocStore | None:
    """The store for this index (``root``: the index folder), written first if missing or
    stale; None if there is no Whoosh index to fill it from."""
    whoosh = os.path.join(root, "whoosh")
    path = os.path.join(root, STORE_FILE)
    tag = index_tag(manifest, whoosh)
    store = DocStore.open(path, tag)
    if store is not None:
        return store
    from .indexer import IDS_FILE, usable

    if not usable(whoosh):
        return None
    with open(os.path.join(browser, IDS_FILE), encoding="utf-8") as handle:
        ids = handle.read().split("\n")
    records = stored_records(whoosh, ids, fold_table(browser, manifest))
    if index_tag(manifest, whoosh) == tag:  # no build committed meanwhile: keep it
        write_store(path, tag, records)
        return DocStore.open(path, tag)
    return _Memory(records)


class _Memory(DocStore):
    """Records read this time but not kept (the index changed while they were read)."""

    def __init__(self, records: list[list | None]) -> None:
        self.records = records
        self.count = len(records)

    def record(self, d: int) -> list | None:
        return self.records[d] if 0 <= d < self.count else None

    def close(self) -> None:
        pass
