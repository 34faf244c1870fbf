"""Write the search index: the exported postings and tables (``output/search/``, also kept in
``.site-builder/index/browser/`` for the CLI) and the Whoosh index beside them.

Files (all deterministic: a function of the articles, never of the build history):

* ``manifest.json`` — counts, shard counts, facet values, vocabulary, BM25 statistics
  computed from the current articles, and ``export``: a digest of every other file.
* ``g/``, ``p/``, ``w/`` ``<n>.bin`` — hashed shards of postings in blocks (grams.py).
* ``places.bin`` — per document its place (u8 or u16 into manifest places: city, else
  province); years need no table (documents are in date order: manifest year_runs).
* ``kinds.bin``, ``dates.bin``, ``aliases.json`` — fetched only for kind:, date: and
  region: filters (the documents of a region, tag or author are ``k`` records).
* ``doc/<n>.json`` — what a result shows (title, url, region, date, text).
* ``fold/<page>.json`` — the character folding table, by 256-code-point page, for queries.

Next to them, outside the output, ``.site-builder/index/whoosh/``: the Whoosh index the CLI
and the dev server query (schema.py), which holds the same ``doc_view`` as stored fields and
each article's document number; a full export writes it anew, a patch updates the articles
at the numbers it changed.

How a build updates them (``Exporter.run``):

* nothing changed → nothing is read beyond the state and nothing is written;
* articles edited in place (same documents, same order) → each is analyzed again, and so is
  its previous text (kept compressed in ``texts.sqlite``), and only the blocks of the records
  whose entries differ are re-encoded: one block per record, a few shards rewritten;
* articles added, removed or moved in the order → the same, at every document number whose
  article changed, when those are few (documents are numbered oldest first: an article of
  the day takes the next number, so adding it patches the last block); past
  ``max(PATCH_SLOTS, documents / 8)`` of them, every article is analyzed and encoded again
  (forked workers, runs of blocks per task; merge.py).

Files are written new and renamed over the old ones (never written in place: the output may
share files with the previous build), and files no longer part of the export are deleted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import shutil
import sqlite3
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from operator import attrgetter
from pathlib import Path

from filelock import FileLock

from ..config import Config
from ..content import Article
from ..fs import replace_file
from ..procs import run_apart, worker_pool
from .analysis import _ZERO_WIDTH as ZERO_WIDTH
from .analysis import CAMPAIGN_WORDS, fold_char, is_ignored, normalize, segmenter
from .grams import (
    BLOCK,
    BLOCK_BITS,
    FAMILIES,
    FAMILY_OF,
    build_shard,
    encode_raw_record,
    frame,
    locate,
    locate_blocks,
    parse_shard,
    record_size,
    shard_count,
    shard_of,
    splice,
)
from .indexer import (
    browser_dir,
    create_whoosh,
    extra_words,
    index_dir,
    update_whoosh,
    usable,
)
from .merge import PARTITIONS, cut_shards, merge_partition, split_records
from .postings import DocText, analyze, encode_block_fast, encode_entries
from .reader import BLOCK_DECODERS, DATES_FILE, FORMAT_VERSION, LENGTHS_FILE
from .schema import SCHEMA_VERSION, date_number, region_levels, region_paths, searchable_parts
from .script_chunks import write_script_chunks

# Scoring (reader.Postings.scores; written into the manifest, which both sides read): a
# matching term scores MATCH, + TITLE_HIT when the title contains it, + BM25F (Whoosh's
# formula, B and K1) of it as a word or by its occurrences, the title's ×TITLE_BOOST.
MATCH, TITLE_HIT, TITLE_BOOST = 1.0, 8.0, 2.0
K1, B = 1.2, 0.75
TASK_BLOCKS = 4  # blocks of articles per worker task
TASKS_PER_WORKER = 8  # encode tasks (~8,000 articles) before a worker is replaced
PATCH_SLOTS = 256  # document numbers a build patches at least before encoding everything
STATE_FILE = "state.marshal"  # internal; marshal reads and writes ~10x faster than JSON
TABLES = ("places.bin", "kinds.bin", "aliases.json", DATES_FILE, LENGTHS_FILE)


def write_search_index(articles: list[Article], config: Config, output_dir: Path,
                       note: Callable[[str], object] | None = None,
                       replacing: Callable[[frozenset[str]], object] | None = None,
                       ready: Callable[[], object] | None = None) -> dict:
    """Update the Whoosh index and the export, and make ``output_dir/search/`` match it.

    ``note`` hears the mode as soon as it is known: "unchanged", "patched" (a few blocks),
    or "full" (every article encoded again: forked workers, most of a cold build's memory).
    Unless the export is written anew, ``replacing(files)`` names the files of the output
    a patch writes or removes, as soon as they are known, and ``ready()`` is called before
    the output is first read or written: the caller fills it with the last export
    meanwhile, all but those files."""
    root = index_dir(config)
    root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(root.parent / "index.lock")):
        exporter = Exporter(config, root)
        report = exporter.run(articles, output_dir / "search", note or _quiet,
                              replacing or _quiet, ready or _quiet)
    report["script_chunks"] = write_script_chunks(output_dir / "search",  # for file:// pages
                                                  exporter.changed_output)
    return report


def _quiet(*_args: object) -> None:
    pass


def ordered(articles: Sequence[Article]) -> list[Article]:
    """Articles newest first, then by URL: the order ties are ranked in."""
    # (order_key's order, a dated article's year being its date's, from the key the article
    # keeps instead of computing order_key again for every article)
    return sorted(articles, key=attrgetter("sort_key"))


def numbered(articles: Sequence[Article]) -> list[Article]:
    """Document numbers: the reverse of ``ordered`` (oldest first), so that the article of
    the day takes the next number and a build that adds it re-encodes the last block only.
    Ties rank the higher number first."""
    return ordered(articles)[::-1]


def vocabulary(config: Config) -> tuple[str, ...]:
    """Words of 3+ characters with their own document list (no positions needed): the
    campaign vocabulary, the configured tags and dictionary."""
    words = {normalize(w) for w in (*CAMPAIGN_WORDS, *extra_words(config))}
    return tuple(sorted(w for w in words if len(w) >= 3))


def doc_text(article: Article) -> DocText:
    text = article.uncached_text()
    keywords = [f"region:{path}" for path in region_paths(article)]
    for field, values in (("tag", article.tags), ("author", article.authors)):
        # (as schema.document gives them to Whoosh's comma-separated keyword fields)
        keywords += [f"{field}:{v}" for v in (normalize(v).replace(",", "") for v in values) if v]
    return (tuple(searchable_parts(article, text)), article.title, text,
            tuple(dict.fromkeys(keywords)))


class Exporter:
    def __init__(self, config: Config, root: Path) -> None:
        self.config = config
        self.root = root
        self.master = browser_dir(config)
        self.whoosh = root / "whoosh"
        self.words = extra_words(config)
        self.vocabulary = vocabulary(config)
        self.signature = {"version": [SCHEMA_VERSION, FORMAT_VERSION], "words": list(self.words),
                          "vocabulary": list(self.vocabulary)}
        self.state = _read_marshal(root / STATE_FILE) or {}
        self.files: dict[str, str] = dict(self.state.get("files", {}))
        self.written: dict[str, bytes] = {}  # this build's new master files
        self.removed: set[str] = set()
        self.direct: set[str] = set()  # new master files the workers wrote themselves
        self.cache: TextCache | None = None  # this build's texts cache, once open
        self.rewritten = 0  # files written to the output
        # The output files this run wrote or removed, when the output held the last export
        # before it (None: any may have changed); script_chunks copies these again.
        self.changed_output: set[str] | None = None
        self.timings: dict[str, float] = {}
        self._clock = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round(self.timings.get(name, 0.0) + now - self._clock, 3)
        self._clock = now

    # --- the plan ----------------------------------------------------------------------

    def run(self, articles: Sequence[Article], out: Path,
            note: Callable[[str], object] = _quiet,
            replacing: Callable[[frozenset[str]], object] = _quiet,
            ready: Callable[[], object] = _quiet,
            ) -> dict:
        docs = numbered(articles)
        order = [[a.id, a.digest] for a in docs]
        old_manifest = _read_bytes(self.master / "manifest.json")
        trusted = (self.state.get("signature") == self.signature and old_manifest is not None
                   and usable(self.whoosh) and "shards" in self.state)
        if not trusted:  # start over: another version, other words, or no usable index
            shutil.rmtree(self.master, ignore_errors=True)
            self.state, self.files = {}, {}

        def in_sync() -> bool:
            """Does the output hold the last export (asked once it holds what it will)?"""
            return trusted and _read_bytes(out / "manifest.json") == old_manifest

        old_order = self.state.get("order", [])
        old_digests = dict(map(tuple, old_order))
        changed = [i for i, (doc_id, digest) in enumerate(order)
                   if old_digests.get(doc_id) != digest]
        removed = sorted(set(old_digests) - {doc_id for doc_id, _ in order})
        stats = {"documents": len(docs), "updated_documents": len(changed),
                 "removed_documents": len(removed), "mode": "unchanged"}
        if trusted and old_order == order:
            note("unchanged")
            replacing(frozenset())
            ready()
            if not in_sync():
                self._sync_output(docs, out, docs_done=False)
            else:
                self.changed_output = set()
            return self._report(stats)
        cache = self.cache = TextCache(self.root / "texts.sqlite")
        try:
            slots = [i for i in range(max(len(order), len(old_order)))
                     if (order[i] if i < len(order) else None)
                     != (old_order[i] if i < len(old_order) else None)]
            few = trusted and len(slots) <= max(PATCH_SLOTS, len(docs) // 8)
            note("patched" if few else "full")  # (a patch falls back to full when an old
            # The state goes before anything it describes changes, and comes back last: a
            # stage stopped in between (a killed build) leaves none, and the next encodes
            # everything. Besides shards already new, an old state made the next patch count
            # each changed record's bytes against itself, and drift from a clean build.
            _unlink(self.root / STATE_FILE)
            patched = few and self._patch(docs, slots, old_order, cache)  # text is missing)
            self.lap("patch")
            synced = in_sync
            if patched:
                stats["mode"] = "patched"
                replacing(self._replaced(slots, len(docs)))
                update_whoosh(self.whoosh, [(i, docs[i]) for i in slots if i < len(docs)],
                              removed)
                cache.delete(removed)
                self.lap("whoosh")

                def synced() -> bool:  # (the output is touched from here on)
                    ready()
                    self.lap("wait for the output")
                    return in_sync()
            else:
                stats["mode"] = "full"
                self._full(docs, out, cache)
            self._finish(docs, order, out, in_sync=synced, patched=patched, changed=slots)
        finally:
            cache.close()
        return self._report(stats)

    def _replaced(self, slots: list[int], count: int) -> frozenset[str]:
        """The output files a patch of ``slots`` writes or removes: what the last export
        need not provide. Never its manifest, which tells that the output holds it. (The
        tables it writes later are not known yet: linked, then replaced.)"""
        documents = (f"doc/{n}.json" for n in slots if n < count)
        return frozenset({*self.written, *self.removed, *documents}) - {"manifest.json"}

    def _report(self, stats: dict) -> dict:
        manifest = _read_json(self.master / "manifest.json") or {}
        return {**stats, "bytes": self.state.get("bytes", 0),
                "chunks": sum(manifest.get("shards", {}).values()),
                "files": len(self.files) + 1, "rewritten_files": self.rewritten,
                "timings": self.timings}

    # --- every article -----------------------------------------------------------------

    def _full(self, docs: list[Article], out: Path, cache: TextCache) -> None:
        """Analyze and encode every article (forked workers), merge and cut the records,
        then write Whoosh in its own process (its memory is never ours). One after the
        other: at 100k the encoders and the Whoosh writer each take a large share of the
        build's memory, and together they pass its budget (docs/performance.md)."""
        global _JOB
        doc_dir = out / "doc"
        doc_dir.mkdir(parents=True, exist_ok=True)
        spill = self.root / "spill"  # the tasks' records, on disk until merged
        shutil.rmtree(spill, ignore_errors=True)
        spill.mkdir()
        _JOB = (docs, self.vocabulary, self.words, doc_dir, spill)
        segmenter(self.words)  # loaded once here, shared by the forked workers
        from . import vector  # noqa: F401  (and numpy: imported once, before the fork)
        tasks = [(b, min(b + TASK_BLOCKS, _blocks(len(docs))))
                 for b in range(0, _blocks(len(docs)), TASK_BLOCKS)]
        pieces: defaultdict[tuple[str, int], list[Slice]] = defaultdict(list)
        lengths = [0, 0]
        length_bytes = [bytearray(), bytearray()]
        doc_files: dict[str, str] = {}
        cache.clear()
        try:
            for parts, part_lengths, part_bytes, part_files, part_rows in _pool_map(
                    _encode_task, tasks, per_worker=TASKS_PER_WORKER):
                for key, data in parts.items():  # in task order: blocks stay ascending
                    pieces[key].extend(data)
                lengths[0] += part_lengths[0]
                lengths[1] += part_lengths[1]
                length_bytes[0] += part_bytes[0]  # (tasks come in order, as documents do)
                length_bytes[1] += part_bytes[1]
                doc_files.update(part_files)
                cache.insert(part_rows)  # as they come: at 100k all texts together are too many to hold
        finally:
            _JOB = None
        self.lap("encode")
        self.state["lengths"] = lengths
        self.state["length_bytes"] = [bytes(length_bytes[0]), bytes(length_bytes[1])]
        for rel in [r for r in self.files if r.startswith("doc/") and r not in doc_files]:
            self._write_master(rel, None)
        self.files.update(doc_files)
        try:
            self._write_merged(pieces, spill)
        finally:
            shutil.rmtree(spill, ignore_errors=True)
        self.lap("shards")
        run_apart(create_whoosh, self.whoosh, docs)  # (numbers moved: every article anew)
        self.lap("whoosh")

    def _write_merged(self, pieces: dict[tuple[str, int], list[Slice]], spill: Path) -> None:
        """Every shard, from the tasks' partitioned records (merge.py): partitions merged in
        parallel into files; then each family cut into as many shards as its exact size
        asks for, by workers that write the shards themselves. Nothing large stays in this
        process (at 100k articles the records are over a gigabyte)."""
        global _MERGE
        keys = [(family, p) for family in FAMILIES for p in range(PARTITIONS)]
        _MERGE = (pieces, spill, self.master, self.files)
        try:
            try:
                sizes = dict(zip(keys, _pool_map(_merge_task, keys), strict=True))
            finally:  # when merged in this process
                for fd in _OPEN.values():
                    os.close(fd)
                _OPEN.clear()
            pieces.clear()
            totals = {f: sum(sizes[(f, p)] for p in range(PARTITIONS)) for f in FAMILIES}
            self.state["family_bytes"] = totals
            counts = {f: shard_count(totals[f], f) for f in FAMILIES}
            self.state["shards"] = counts
            wide = [(f, p, counts[f]) for f in FAMILIES if counts[f] >= PARTITIONS
                    for p in range(PARTITIONS)]
            produced: set[str] = set()
            for written in _pool_map(_cut_task, wide):
                for rel, digest, new in written:
                    produced.add(rel)
                    self.files[rel] = digest
                    self.removed.discard(rel)
                    if new:
                        self.direct.add(rel)
            for family in FAMILIES:
                count = counts[family]
                if count < PARTITIONS:  # a small family: shards gather several partitions
                    cut = cut_shards([_load_merged(spill, family, p) for p in range(PARTITIONS)],
                                     count)
                    for number in range(count):
                        self._write_master(f"{family}/{number}.bin", cut.pop(number, None))
                for rel in [r for r in self.files if r.startswith(f"{family}/")]:
                    number = int(rel.split("/")[1].split(".")[0])
                    if number >= count or (count >= PARTITIONS and rel not in produced):
                        self._write_master(rel, None)
        finally:
            _MERGE = None

    def _write_families(self, by_family: dict[str, dict[tuple[str, str], bytes]]) -> None:
        """Cut each given family (all its records) into shards again, as many as its size
        asks for now, and write them."""
        for family, records in by_family.items():
            count = shard_count(self.state["family_bytes"][family], family)
            buckets: dict[int, dict[tuple[str, str], bytes]] = defaultdict(dict)
            for key, payload in records.items():
                buckets[shard_of(key[0], count)][key] = payload
            for number in range(count):
                self._write_master(f"{family}/{number}.bin",
                                   build_shard(buckets[number]) if buckets.get(number) else None)
            for rel in [r for r in self.files if r.startswith(f"{family}/")]:
                if int(rel.split("/")[1].split(".")[0]) >= count:
                    self._write_master(rel, None)
            self.state["shards"][family] = count

    # --- articles edited in place ------------------------------------------------------

    def _patch(self, docs: list[Article], slots: list[int], old_order: list,
               cache: TextCache) -> bool:
        """Re-encode the blocks the documents at ``slots`` sit in: edited, added or removed
        (a number past the new count), or another article now. False: cannot (the previous
        text of an article is not in the cache)."""
        patches: dict[tuple[str, str], dict[int, object]] = defaultdict(dict)
        lengths = list(self.state.get("lengths", [0, 0]))
        length_bytes = [bytearray(b) for b in self.state["length_bytes"]]
        for field in length_bytes:  # as many as there are documents now (zeros: set below)
            del field[len(docs):]
            field.extend(bytes(len(docs) - len(field)))
        new_texts = []
        for number in slots:
            old_terms = new_terms = None
            if number < len(old_order):
                old_text = cache.get(*old_order[number])
                if old_text is None:
                    return False
                old_terms = analyze(old_text, self.vocabulary, self.words)
                lengths[0] -= old_terms.title_length
                lengths[1] -= old_terms.body_length
            if number < len(docs):
                article = docs[number]
                text = doc_text(article)
                new_texts.append((article.id, article.digest, text))
                new_terms = analyze(text, self.vocabulary, self.words)
                lengths[0] += new_terms.title_length
                lengths[1] += new_terms.body_length
                length_bytes[0][number], length_bytes[1][number] = new_terms.length_bytes()
            else:
                self._write_master(f"doc/{number}.json", None)
            old_entries = old_terms.entries() if old_terms else {}
            new_entries = new_terms.entries() if new_terms else {}
            for key in old_entries.keys() | new_entries.keys():
                entry = new_entries.get(key)
                if old_entries.get(key) != entry:
                    patches[key][number] = entry
        self.lap("analyze")
        counts = dict(self.state["shards"])
        totals = dict(self.state["family_bytes"])
        new_shards = self._patched_shards(patches, counts, totals)
        self.state["family_bytes"] = totals
        resharded = {family: self._family_records(family, counts[family], new_shards)
                     for family in FAMILIES
                     if shard_count(totals[family], family) != counts[family]}
        for (family, number), data in new_shards.items():
            if family not in resharded:
                self._write_master(f"{family}/{number}.bin", data or None)
        self._write_families(resharded)
        self.state["lengths"] = lengths
        self.state["length_bytes"] = [bytes(length_bytes[0]), bytes(length_bytes[1])]
        for doc_id, digest, text in new_texts:
            cache.put(doc_id, digest, text)
        return True

    def _patched_shards(self, patches: dict[tuple[str, str], dict[int, object]],
                        counts: dict[str, int], totals: dict[str, int],
                        ) -> dict[tuple[str, int], bytes]:
        """Each shard the patches touch, with its changed records spliced in (the others
        copied as they are); ``totals``, the bytes of each family, follow."""
        by_shard: dict[tuple[str, int], dict[tuple[str, str], dict[int, object]]] = \
            defaultdict(dict)
        for key, entries in patches.items():
            family = FAMILY_OF[key[1]]
            by_shard[(family, shard_of(key[0], counts[family]))][key] = entries
        out = {}
        for (family, number), changes in sorted(by_shard.items()):
            data = _read_bytes(self.master / f"{family}/{number}.bin") or b""
            keys = sorted(changes, key=lambda k: (k[0].encode(), k[1]))  # the shard's order
            spans = locate(data, [(term.encode(), kind) for term, kind in keys])
            records = []
            for (term, kind), (_, at, stop) in zip(keys, spans, strict=True):
                old = data[at:stop] if at >= 0 else b""
                new = patch_payload(kind, old, changes[(term, kind)])
                totals[family] += _record_bytes(term, new) - _record_bytes(term, old)
                records.append(encode_raw_record(kind, term.encode(), new) if new else b"")
            out[(family, number)] = splice(data, spans, records)
        return out

    def _family_records(self, family: str, count: int,
                        patched: dict[tuple[str, int], bytes]) -> dict[tuple[str, str], bytes]:
        """Every record of a family of ``count`` shards, the ``patched`` ones as patched."""
        records = {}
        for number in range(count):
            data = patched.get((family, number))
            if data is None:
                data = _read_bytes(self.master / f"{family}/{number}.bin") or b""
            records.update(parse_shard(data))
        return records

    # --- files -------------------------------------------------------------------------

    def _write_master(self, rel: str, data: bytes | None) -> None:
        """Record a new master file (None: delete it); written to disk in _finish."""
        if data is None:
            if rel in self.files:
                self.removed.add(rel)
                self.files.pop(rel)
            self.written.pop(rel, None)
            return
        digest = _digest(data)
        if self.files.get(rel) == digest and (self.master / rel).exists():
            return
        self.files[rel] = digest
        self.written[rel] = data
        self.removed.discard(rel)

    def _finish(self, docs: list[Article], order: list, out: Path, *,
                in_sync: Callable[[], bool], patched: bool, changed: list[int]) -> None:
        """Tables, documents, manifest: written to the master copy, then to the output
        (``in_sync``, asked first: does it hold the previous export?)."""
        if not any(r.startswith("fold/") for r in self.files):
            for page, pairs in fold_pages().items():
                self._write_master(f"fold/{page}.json", _json(pairs))
        self.tables = table_files(docs, self.state.get("tables"))
        self.state["tables"] = self.tables
        for rel, data in self.tables.items():
            if not rel.startswith("_"):
                self._write_master(rel, data)
        self._write_master(LENGTHS_FILE, b"".join(self.state["length_bytes"]))
        doc_written: dict[str, bytes] = {}
        if patched:
            for number in (n for n in changed if n < len(docs)):
                data = _json(doc_view(docs[number]))
                self.files[f"doc/{number}.json"] = _digest(data)
                doc_written[f"doc/{number}.json"] = data
        manifest = self._manifest(docs)
        self.lap("tables")
        # master: every file but the documents (the CLI shows hits from Whoosh)
        _write_files(self.master, self.written, known_new=True)
        for rel in sorted(self.removed):
            _unlink(self.master / rel)
        self.lap("write index")
        synced = in_sync()
        for rel in sorted(self.removed):
            _unlink(out / rel)
        if synced:  # the output held the previous export: these are exactly the changes
            _write_files(out, doc_written, known_new=True)  # (documents are not in the master)
            _link_files(self.master, out, sorted({*self.written, *self.direct}))
            replace_file(out / "manifest.json", manifest)
            self.rewritten = len(self.written) + len(self.direct) + len(doc_written) + 1
            if not patched:
                self.rewritten += sum(r.startswith("doc/") for r in self.files)
            else:
                self.changed_output = {*self.removed, *doc_written, *self.written,
                                       *self.direct, "manifest.json"}
        else:
            self._sync_output(docs, out, manifest, docs_done=not patched)
        self.lap("write output")
        self._commit(manifest, order)

    def _commit(self, manifest: bytes, order: list) -> None:
        """The master's manifest, then the state: what says the export is whole, last."""
        replace_file(self.master / "manifest.json", manifest)
        self.state.update(signature=self.signature, order=order, files=self.files,
                          bytes=sum(self.state["family_bytes"].values()))
        replace_file(self.root / STATE_FILE, marshal.dumps(self.state))

    def _manifest(self, docs: list[Article]) -> bytes:
        n = len(docs)
        title, body = self.state["lengths"]
        tables = json.loads(self.tables["_meta"])
        fold = sorted(int(r[5:-5]) for r in self.files if r.startswith("fold/"))
        listing = "\n".join(f"{rel} {h}" for rel, h in sorted(self.files.items()))
        manifest = {
            "version": FORMAT_VERSION,
            "documents": n,
            "block_bits": BLOCK_BITS,
            "shards": self.state["shards"],
            **tables,
            "fold_pages": fold,
            "ignored": "".join(ignored_chars()),
            "vocabulary": list(self.vocabulary),
            "scoring": {"match": MATCH, "title_hit": TITLE_HIT, "title_boost": TITLE_BOOST,
                        "k1": K1, "b": B, "documents": n,
                        "avg_length": {"title": title / n if n and title else 1,
                                       "body": body / n if n and body else 1}},
            "export": hashlib.blake2b(listing.encode(), digest_size=12).hexdigest(),
        }
        return _json(manifest)

    def _sync_output(self, docs: list[Article], out: Path, manifest: bytes | None = None, *,
                     docs_done: bool) -> None:
        """Make ``out`` hold exactly the export (the output was not the previous export)."""
        out.mkdir(parents=True, exist_ok=True)
        if not docs_done:
            _write_files(out, {f"doc/{n}.json": _json(doc_view(a)) for n, a in enumerate(docs)},
                         known_new=False)
        _link_files(self.master, out, [rel for rel in self.files if not rel.startswith("doc/")])
        self.rewritten = len(self.files) + 1
        keep = {*self.files, "manifest.json"}
        for folder in (*FAMILIES, "doc", "fold"):  # ours; the search page sits beside them
            for path in sorted((out / folder).rglob("*")) if (out / folder).is_dir() else []:
                if path.is_file() and path.relative_to(out).as_posix() not in keep:
                    path.unlink()
        for name in TABLES:
            if name not in keep:
                _unlink(out / name)
        replace_file(out / "manifest.json", manifest or (self.master / "manifest.json")
                     .read_bytes())


# --- worker side -------------------------------------------------------------------------

_JOB: tuple | None = None  # what forked workers inherit: (docs, vocabulary, words, doc_dir,
#                           spill)


def _blocks(n: int) -> int:
    return -(-n // BLOCK)


Slice = tuple[str, int, int]  # (spill file name, offset, length)


def _encode_task(task: tuple[int, int]):
    """Blocks ``task`` of the articles: records (partitioned, merge.py; written to a spill
    file, their slices returned), field lengths, document files and cache rows."""
    docs, vocab, words, doc_dir, spill = _JOB  # type: ignore[misc]
    first, last = task
    parts: dict[tuple[str, int], list[Slice]] = {}
    name = f"task-{first}.bin"
    spilled = (spill / name).open("wb")
    offset = 0
    lengths = [0, 0]
    length_bytes = [bytearray(), bytearray()]
    doc_files: dict[str, str] = {}
    rows = []
    for block in range(first, last):
        texts = []
        for number in range(block * BLOCK, min((block + 1) * BLOCK, len(docs))):
            article = docs[number]
            text = doc_text(article)
            texts.append(text)
            rows.append((article.id, article.digest, _pack(text)))
            data = _json(doc_view(article, text[2]))
            doc_files[f"doc/{number}.json"] = _digest(data)
            if doc_dir is not None:
                replace_file(doc_dir / f"{number}.json", data)
        encoded, block_lengths, block_bytes = encode_block_fast(block, texts, vocab, words)
        lengths[0] += block_lengths[0]
        lengths[1] += block_lengths[1]
        length_bytes[0] += block_bytes[0]
        length_bytes[1] += block_bytes[1]
        for key, data in split_records(encoded).items():
            spilled.write(data)
            parts.setdefault(key, []).append((name, offset, len(data)))
            offset += len(data)
    spilled.close()
    return parts, lengths, length_bytes, doc_files, rows


_MERGE: tuple | None = None  # what merge and cut workers inherit: (slices, spill, master, files)
_OPEN: dict[str, int] = {}  # spill files a worker has open


def _merge_task(key: tuple[str, int]) -> int:
    """Merge one partition's slices into ``merged-<family>-<p>``; its size in bytes."""
    pieces, spill, _, _ = _MERGE  # type: ignore[misc]
    data: list[bytes] = []
    for name, offset, length in pieces.get(key, []):
        if name not in _OPEN:
            _OPEN[name] = os.open(spill / name, os.O_RDONLY)
        data.append(os.pread(_OPEN[name], length, offset))
    merged, crcs, starts = merge_partition(data)
    base = spill / f"merged-{key[0]}-{key[1]}"
    base.with_suffix(".bin").write_bytes(merged)
    base.with_suffix(".idx").write_bytes(crcs.tobytes() + starts.tobytes())
    return len(merged)


def _load_merged(spill: Path, family: str, p: int):
    base = spill / f"merged-{family}-{p}"
    data, index = base.with_suffix(".bin").read_bytes(), base.with_suffix(".idx").read_bytes()
    count = len(index) // 12
    import numpy as np

    return (data, np.frombuffer(index[:4 * count], dtype=np.uint32),
            np.frombuffer(index[4 * count:], dtype=np.int64))


def _cut_task(task: tuple[str, int, int]) -> list[tuple[str, str, bool]]:
    """Cut one merged partition into its shards (``count`` >= PARTITIONS: each shard lies in
    one partition) and write them into the master copy: (path, digest, written) each."""
    family, p, count = task
    _, spill, master, files = _MERGE  # type: ignore[misc]
    out = []
    for number, data in sorted(cut_shards([_load_merged(spill, family, p)], count).items()):
        rel = f"{family}/{number}.bin"
        digest = _digest(data)
        new = files.get(rel) != digest or not (master / rel).exists()
        if new:
            (master / family).mkdir(parents=True, exist_ok=True)
            _put(master / rel, data, compare=False)
        out.append((rel, digest, new))
    return out


def _pool_map(function, items: list, *, per_worker: int | None = None) -> Iterator:
    """``function`` over ``items`` in forked workers (inheriting the module's job globals),
    results in order; in this process when one worker is all there is.

    ``per_worker``: items a worker takes before it is replaced by a fresh one (the items go
    in rounds). An encode worker's memory grows with every task — the articles it read are
    copied into it, and its allocator keeps what the tasks left behind, which adds up over a
    100,000-article run (docs/performance.md)."""
    workers = min(os.cpu_count() or 1, len(items))
    if workers <= 1:
        yield from map(function, items)
        return
    size = per_worker * workers if per_worker else len(items)
    for start in range(0, len(items), size):
        round_ = items[start:start + size]
        with worker_pool(workers) as pool:
            yield from pool.map(function, round_,
                                chunksize=max(1, len(round_) // (workers * 8)))


def patch_payload(kind: str, payload: bytes, entries: dict[int, object]) -> bytes:
    """A record with the given documents' entries replaced (None: removed): the blocks
    they sit in are spliced in, the others kept as they are."""
    changes: dict[int, dict[int, object]] = defaultdict(dict)
    for number, entry in entries.items():
        changes[number >> BLOCK_BITS][number & (BLOCK - 1)] = entry
    wanted = sorted(changes)
    spans = locate_blocks(payload, wanted)
    framed = []
    for block, (_, at, stop) in zip(wanted, spans, strict=True):
        current = dict(_entries(kind, payload[at:stop])) if at >= 0 else {}
        for local, entry in changes[block].items():
            if entry is None:
                current.pop(local, None)
            else:
                current[local] = entry
        framed.append(frame(block, encode_entries(kind, sorted(current.items())))
                      if current else b"")
    return splice(payload, spans, framed)


def _entries(kind: str, data: bytes) -> list[tuple[int, object]]:
    decoded = BLOCK_DECODERS[kind](data)
    if kind in ("d", "k", "t"):
        return [(d, True) for d in decoded]
    return decoded  # (document, positions) or (document, term frequency)


# --- the texts cache ---------------------------------------------------------------------

def _pack(text: DocText) -> bytes:
    return zlib.compress(marshal.dumps(text), 1)


class TextCache:
    """The searchable texts of the last build's articles, by id and digest: what an edited
    article said before, so its old entries can be taken out of the postings."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(str(path))
        self.db.execute("CREATE TABLE IF NOT EXISTS texts "
                        "(id TEXT PRIMARY KEY, digest TEXT, data BLOB)")

    def get(self, doc_id: str, digest: str) -> DocText | None:
        row = self.db.execute("SELECT digest, data FROM texts WHERE id = ?",
                              (doc_id,)).fetchone()
        if row is None or row[0] != digest:
            return None
        return marshal.loads(zlib.decompress(row[1]))

    def put(self, doc_id: str, digest: str, text: DocText) -> None:
        self.db.execute("INSERT OR REPLACE INTO texts VALUES (?, ?, ?)",
                        (doc_id, digest, _pack(text)))

    def delete(self, doc_ids: list[str]) -> None:
        self.db.executemany("DELETE FROM texts WHERE id = ?", [(i,) for i in doc_ids])

    def clear(self) -> None:
        self.db.execute("DELETE FROM texts")

    def insert(self, rows: list[tuple[str, str, bytes]]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO texts VALUES (?, ?, ?)", rows)

    def close(self) -> None:
        self.db.commit()
        self.db.close()


# --- tables and documents ----------------------------------------------------------------

def table_files(docs: list[Article], saved: dict[str, bytes] | None = None) -> dict[str, bytes]:
    """Per-document facet tables and filter aids; ``_meta`` holds the manifest's part.

    ``saved``: the last build's (kept in the state), reused when the only facts they are
    made of — each document's places, kind, year and date — are the same."""
    facts = [(a.region.path, [r.path for r in a.regions], a.kind, a.year, date_number(a))
             for a in docs]
    key = hashlib.blake2b(repr(facts).encode(), digest_size=16).hexdigest()
    if saved is not None and saved.get("_key") == key.encode():
        return saved
    return {**_table_files(docs), "_key": key.encode()}


def _table_files(docs: list[Article]) -> dict[str, bytes]:
    places: list[str] = sorted({_place(a) for a in docs})
    place_index = {p: i for i, p in enumerate(places)}
    kinds = sorted({a.kind for a in docs})
    kind_index = {k: i for i, k in enumerate(kinds)}
    width = 1 if len(places) <= 256 else 2
    facets = bytearray()
    for article in docs:
        facets += place_index[_place(article)].to_bytes(width, "little")
    meta = {"places": places, "place_bytes": width, "kinds": kinds,
            "years": sorted({a.year for a in docs}), "year_runs": _year_runs(docs)}
    return {"places.bin": bytes(facets),
            "kinds.bin": bytes(kind_index[a.kind] for a in docs),
            DATES_FILE: b"".join(date_number(a).to_bytes(4, "little") for a in docs),
            "aliases.json": _json(region_aliases(docs)), "_meta": _json(meta)}


def _year_runs(docs: list[Article]) -> list[list[int]]:
    """[year, first document number] for each year: documents are newest first, so years
    come in runs and need no per-document table."""
    runs: list[list[int]] = []
    for number, article in enumerate(docs):
        if not runs or runs[-1][0] != article.year:
            runs.append([article.year, number])
    return runs


def _place(article: Article) -> str:
    """The facet place of an article: its city, or its province, or 全国."""
    levels = region_levels(article)
    return "/".join(levels[:2]) if levels else article.region.path


def region_aliases(docs: list[Article]) -> dict[str, str]:
    """Every name of each place the archive's articles are about (their region, its other
    places and the levels above them) → its path, for region:. A level may be written
    short or official, alone (the place's own level) or as the whole path: 无锡, 无锡市,
    江苏/无锡, 江苏省/无锡市, 四川省/凉山彝族自治州/西昌市.

    A name two places share goes to the one with the shorter, then smaller path: the same
    answer whatever order the places are met in."""
    out: dict[str, str] = {}
    regions = {r.path: r for a in docs for place in (a.region, *a.regions)
               for r in (place, *place.ancestors())}
    for path in sorted(regions, key=lambda p: (p.count("/"), p)):
        region = regions[path]
        if region.level == 0 or not region.names:
            out.setdefault(region.path, region.path)
            continue
        levels = [dict.fromkeys(names) for names in zip(region.names, region.full_names,
                                                         strict=True)]
        for name in levels[-1]:
            out.setdefault(name, region.path)
        spelled = [""]
        for names in levels:
            spelled = [f"{before}/{name}" if before else name
                       for before in spelled for name in names]
        for name in [region.path, *spelled]:
            out.setdefault(name, region.path)
    return dict(sorted(out.items()))


def doc_view(article: Article, plain: str | None = None) -> dict[str, object]:
    """What a result shows; ``plain``: the article's plain text, when the caller has it."""
    text = " ".join((article.uncached_text() if plain is None else plain).split())
    folds = sorted(c for c in set(article.title + text) if ord(c) > 0x7F and fold_char(c) != c)
    return {"u": article.url, "t": article.title, "r": article.region.path,
            "d": article.date.isoformat() if article.date else "", "y": article.year,
            "k": article.kind, "x": text, "f": "".join(c + fold_char(c) for c in folds)}


@lru_cache(maxsize=1)
def _fold_map() -> dict[str, str]:
    """Every non-ASCII character whose folded form differs, computed with one OpenCC call."""
    from ..segment import simplifier

    chars = [chr(i) for i in range(0x80, 0x30000) if not 0xD800 <= i < 0xE000]
    converted = simplifier().convert("\n".join(chars)).split("\n")
    out = {}
    for char, simple in zip(chars, converted, strict=True):
        out_char = simple if len(simple) == 1 else char
        if "\uff01" <= out_char <= "\uff5e" and out_char.isalnum():
            out_char = chr(ord(out_char) - 0xFEE0)
        lower = out_char.lower()
        if len(lower) == 1:
            out_char = lower
        if out_char != char:
            out[char] = out_char
    return out


def fold_pages() -> dict[int, str]:
    """Folding pairs by code-point page (cp >> 8): "溫温暖暖…" strings, read two at a time."""
    pages: defaultdict[int, list[str]] = defaultdict(list)
    for char, folded in sorted(_fold_map().items()):
        pages[ord(char) >> 8].append(char + folded)
    return {page: "".join(pairs) for page, pairs in pages.items()}


@lru_cache(maxsize=1)
def ignored_chars() -> list[str]:
    """White space (none past U+3000, the ideographic space) and the zero-width characters."""
    return sorted({chr(i) for i in range(0x3001) if is_ignored(chr(i))} | set(ZERO_WIDTH))


# --- small helpers -----------------------------------------------------------------------

def _json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _record_bytes(term: str, payload: bytes) -> int:
    return record_size(term, len(payload)) if payload else 0


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=10).hexdigest()


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _read_marshal(path: Path):
    data = _read_bytes(path)
    try:
        state = marshal.loads(data) if data is not None else None
    except (ValueError, EOFError, TypeError):
        return None
    return state if isinstance(state, dict) else None


def _read_json(path: Path):
    data = _read_bytes(path)
    try:
        return json.loads(data) if data is not None else None
    except ValueError:
        return None


def _write_files(folder: Path, files: dict[str, bytes], *, known_new: bool) -> None:
    """Write files under ``folder`` as new files renamed over the old paths, a few threads at
    once (the time goes to system calls). ``known_new``: their bytes are known to differ from
    what is there, so skip comparing."""
    for parent in sorted({(folder / rel).parent for rel in files}):
        parent.mkdir(parents=True, exist_ok=True)

    def write(item: tuple[str, bytes]) -> None:
        _put(folder / item[0], item[1], compare=not known_new)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(write, sorted(files.items())))


def _put(target: Path, data: bytes, *, compare: bool) -> None:
    """Write a file as a new file: in place under a new name (nothing can be reading it: no
    manifest names it yet), else renamed over the old one (which the output may share)."""
    try:
        with open(target, "xb") as new_file:
            new_file.write(data)
        return
    except FileExistsError:
        pass
    if compare:
        replace_file(target, data)
        return
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)


def _link_files(source: Path, folder: Path, rels: list[str]) -> None:
    """Make ``folder/rel`` the file ``source/rel`` for each rel: a hard link (no bytes
    copied; both trees only ever replace files, never write into them), else a copy."""
    for parent in sorted({(folder / rel).parent for rel in rels}):
        parent.mkdir(parents=True, exist_ok=True)

    def link(rel: str) -> None:
        original, target = source / rel, folder / rel
        try:
            if os.path.samefile(original, target):
                return
        except OSError:
            pass
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            os.link(original, tmp)
        except OSError:  # another file system, or links refused: copy
            replace_file(target, original.read_bytes())
            return
        os.replace(tmp, target)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(link, sorted(rels)))


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


__all__ = ["write_search_index"]
