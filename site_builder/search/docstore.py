"""What a CLI hit shows (the Whoosh stored fields), kept in one file by document number.

Opening Whoosh costs a query process ~100 ms (imports, the table of contents, the stored
fields column); the browser reads ``doc/<n>.json`` instead, which exist only in the output.
So the first ``site-builder search`` after a build copies the stored fields out of Whoosh
into ``.site-builder/index/cli-docs.bin`` and later queries read just their hits from it.

The file is a function of the index: it is tagged with the export's manifest and the Whoosh
files' names, sizes and times, and rewritten when either differs. Format (integers u64 LE)::

    b"site-builder docs 4\\n" | tag length | tag | meta length | meta | count
    | count + 1 offsets | records: marshal [url, title, region, year, date, kind, body,
    folds] (None: no document)

``meta`` is the export's manifest, parsed, and its fold tables ({page: pairs}), marshalled:
a query then needs neither json nor re (whose imports cost it more than reading its hits).
``body`` has its white space runs collapsed to one space (what a snippet shows); ``folds``
pairs each non-ASCII character of the title and body with its folded form (analysis.fold_char,
as the export's fold tables give it) so highlighting needs no OpenCC. Marshal, not json: the
file is private to this version of the CLI, and marshal loads several times faster. Paths
are plain strings (no pathlib for a query process).
"""

from __future__ import annotations

import marshal
import os

MAGIC = b"site-builder docs 4\n"
MARSHAL_VERSION = 4  # fixed, so the bytes written do not depend on the running Python
STORE_FILE = "cli-docs.bin"  # in INDEX_DIR
INDEX_DIR = (".site-builder", "index")  # under the project's root (indexer.index_dir_of)
BROWSER_DIR = "browser"  # in INDEX_DIR: the export the browser's files are copied from
FIELDS = ("url", "title", "region", "year", "date", "kind")


def _u64(data: bytes, at: int = 0) -> int:
    return int.from_bytes(data[at:at + 8], "little")


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

    def __init__(self, path: str, count: int, handle, header: int, meta: dict) -> None:
        self.path = path
        self.count = count
        self.handle = handle
        self.header = header  # where the offsets start
        self.manifest: dict = meta["manifest"]  # the export's manifest.json, parsed
        self.fold_tables: dict[int, str] = meta["fold"]  # its fold/<page>.json

    @classmethod
    def open(cls, path: str, tag: bytes) -> DocStore | None:
        try:
            handle = open(path, "rb")  # noqa: SIM115 (kept open for the hits; closed by close)
        except OSError:
            return None
        want = MAGIC + len(tag).to_bytes(8, "little") + tag
        head = handle.read(len(want) + 8)
        if len(head) != len(want) + 8 or head[:len(want)] != want:
            handle.close()
            return None
        try:
            meta = marshal.loads(handle.read(_u64(head, len(want))))
            count = _u64(handle.read(8))
            header = handle.tell()
            size = handle.seek(0, os.SEEK_END)
            handle.seek(header + 8 * count)
            if size < header + 8 * (count + 1) or _u64(handle.read(8)) != size:
                raise ValueError("a cut or overlong store")
        except (EOFError, ValueError, TypeError):  # damaged: written again, like a stale one
            handle.close()
            return None
        return cls(path, count, handle, header, meta)

    def record(self, d: int) -> list | None:
        if not 0 <= d < self.count:
            return None
        self.handle.seek(self.header + 8 * d)
        offsets = self.handle.read(16)
        start = _u64(offsets)
        self.handle.seek(start)
        return marshal.loads(self.handle.read(_u64(offsets, 8) - start))

    def close(self) -> None:
        self.handle.close()


def read_meta(browser: str, manifest: bytes) -> dict:
    """The parsed manifest and the export's ``fold/<page>.json`` pairs by page."""
    import json

    parsed = json.loads(manifest)
    fold: dict[int, str] = {}
    for page in parsed["fold_pages"]:
        with open(os.path.join(browser, "fold", f"{page}.json"), "rb") as handle:
            fold[page] = json.loads(handle.read())
    return {"manifest": parsed, "fold": fold}


def fold_table(fold: dict[int, str]) -> dict[str, str]:
    """Every non-ASCII character whose folded form differs, and that form, from the fold
    pages (analysis.fold_char, computed once by the build): copying the store neither loads
    OpenCC nor folds each document's characters one call at a time."""
    table: dict[str, str] = {}
    for pairs in fold.values():
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


def write_store(path: str, tag: bytes, meta: dict, records: list[list | None]) -> None:
    """Write the store (to a new file renamed over the old: readers never see half)."""
    blobs = [marshal.dumps(r, MARSHAL_VERSION) for r in records]
    packed = marshal.dumps(meta, MARSHAL_VERSION)
    head = b"".join([MAGIC, len(tag).to_bytes(8, "little"), tag,
                     len(packed).to_bytes(8, "little"), packed, len(blobs).to_bytes(8, "little")])
    start = len(head) + 8 * (len(blobs) + 1)
    offsets = [start]
    for blob in blobs:
        offsets.append(offsets[-1] + len(blob))
    folder, name = os.path.split(path)
    temp = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
    try:
        with open(temp, "wb") as out:
            out.write(head)
            out.write(b"".join(o.to_bytes(8, "little") for o in offsets))
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
    meta = read_meta(browser, manifest)
    records = stored_records(whoosh, ids, fold_table(meta["fold"]))
    if index_tag(manifest, whoosh) == tag:  # no build committed meanwhile: keep it
        write_store(path, tag, meta, records)
        return DocStore.open(path, tag)
    return _Memory(records, meta)


class _Memory(DocStore):
    """Records read this time but not kept (the index changed while they were read)."""

    def __init__(self, records: list[list | None], meta: dict) -> None:
        self.records = records
        self.count = len(records)
        self.manifest = meta["manifest"]
        self.fold_tables = meta["fold"]

    def record(self, d: int) -> list | None:
        return self.records[d] if 0 <= d < self.count else None

    def close(self) -> None:
        pass
