"""Write the search index: Whoosh (ranking, facets, results) and the gram shards, and export
both for the browser as static files under ``output/search/``.

Files (all deterministic; names never depend on time or on hash seeds):

* ``manifest.json`` — counts, shard counts, facet values, Whoosh's BM25F statistics.
* ``g/``, ``p/``, ``w/`` ``<n>.bin`` — hashed shards (grams.py); a query fetches one per term
  and family it needs.
* ``places.bin`` — per document its place (u16 into manifest places: city, else province);
  years need no table (documents are newest first: manifest year_runs).
* ``kinds.bin``, ``districts.bin`` + ``districts.json``, ``aliases.json`` — fetched only for
  kind: and region: filters.
* ``doc/<n>.json`` — what a result shows (title, url, region, date, text), fetched for the
  hits on screen only.
* ``fold/<page>.json`` — the character folding table, by 256-code-point page, for queries.

A build keeps the previous export beside the Whoosh index and rewrites only the files whose
bytes changed; the Whoosh index itself is updated with ``update_document``.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from ..config import Config
from ..content import Article
from .analysis import CAMPAIGN_WORDS, is_ignored, normalize, segmenter
from .grams import (
    FAMILIES,
    FREQUENT_SIZES,
    GramCollector,
    build_shards,
    encode_words,
    shard_count,
)
from .indexer import browser_dir, extra_words, open_index, update_index, whoosh_docnums
from .query import MATCH, TITLE_BOOST, TITLE_HIT
from .schema import order_key, region_levels, searchable_parts

FORMAT_VERSION = 1
K1, B = 1.2, 0.75
FREQUENT_SHARE = 200


def write_search_index(articles: list[Article], config: Config, output_dir: Path) -> dict:
    """Update the Whoosh index and write the browser index to ``output_dir/search/``."""
    update = update_index(articles, config)
    files = export_files(articles, config)
    cache = browser_dir(config)
    rewritten = _sync(files, cache)
    target = output_dir / "search"
    target.mkdir(parents=True, exist_ok=True)
    for rel in sorted(files):
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cache / rel, dest)
    manifest = json.loads(files["manifest.json"])
    return {
        "documents": len(articles),
        "updated_documents": len(update.changed),
        "removed_documents": len(update.removed),
        "bytes": sum(len(b) for b in files.values()),
        "chunks": sum(manifest["shards"].values()),
        "files": len(files),
        "rewritten_files": rewritten,
    }


def _sync(files: dict[str, bytes], folder: Path) -> int:
    """Make ``folder`` hold exactly ``files``, writing only what changed; count the writes."""
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for rel, data in files.items():
        path = folder / rel
        try:
            if path.read_bytes() == data:
                continue
        except OSError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written += 1
    for path in sorted(folder.rglob("*"), reverse=True):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and rel not in files:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return written


def ordered(articles: Sequence[Article]) -> list[Article]:
    """Document numbers: articles newest first, then by URL (the tie-break order)."""
    return sorted(articles, key=order_key)


def export_files(articles: Sequence[Article], config: Config) -> dict[str, bytes]:
    """Every file of the browser index, by path relative to ``search/``."""
    docs = ordered(articles)
    previous = _previous_manifest(config)
    files: dict[str, bytes] = {}
    records: dict[str, dict[tuple[str, str], bytes]] = {f: {} for f in FAMILIES}
    _gram_records(docs, config, records)
    stats = _word_records(docs, config, records)
    shards = {}
    for family in FAMILIES:
        total = sum(len(v) + len(k[0]) * 3 + 4 for k, v in records[family].items())
        old = (previous or {}).get("shards", {}).get(family)
        shards[family] = shard_count(total, old)
        for number, data in enumerate(build_shards(records[family], shards[family])):
            if data:
                files[f"{family}/{number}.bin"] = data
    places, facets, districts, district_bytes, kinds, kind_bytes = _facet_tables(docs)
    files["places.bin"] = facets
    files["aliases.json"] = _json(_aliases(docs))
    files["districts.bin"] = district_bytes
    files["districts.json"] = _json(districts)
    files["kinds.bin"] = kind_bytes
    for number, article in enumerate(docs):
        files[f"doc/{number}.json"] = _json(_doc_view(article))
    pages = fold_pages()
    for page, pairs in pages.items():
        files[f"fold/{page}.json"] = _json(pairs)
    years = sorted({a.year for a in docs})
    manifest = {
        "version": FORMAT_VERSION,
        "documents": len(docs),
        "shards": shards,
        "places": places,
        "years": years,
        "kinds": kinds,
        "fold_pages": sorted(pages),
        "ignored": "".join(ignored_chars()),
        "year_runs": _year_runs(docs),
        "scoring": {"match": MATCH, "title_hit": TITLE_HIT, "title_boost": TITLE_BOOST,
                    "k1": K1, "b": B, **stats},
    }
    files["manifest.json"] = _json(manifest)
    return files


def _json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _previous_manifest(config: Config) -> dict | None:
    try:
        return json.loads((browser_dir(config) / "manifest.json").read_bytes())
    except (OSError, ValueError):
        return None


def _gram_records(docs: list[Article], config: Config, records: dict[str, dict]) -> None:
    collector = GramCollector(frequent_grams(config, len(docs)))
    for number, article in enumerate(docs):
        collector.add(number, [normalize(p) for p in searchable_parts(article)])
    records["g"], records["p"] = collector.records(len(docs))


def frequent_grams(config: Config, documents: int) -> set[str]:
    """3- and 4-character strings that get their own doc list: the campaign vocabulary and
    the words in more than 1 of FREQUENT_SHARE documents (read from Whoosh's lexicon)."""
    out = {normalize(w) for w in (*CAMPAIGN_WORDS, *extra_words(config))}
    threshold = max(2, documents // FREQUENT_SHARE)
    ix = open_index(config)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for field in ("title", "body"):
            for term, info in reader.iter_field(field):
                if len(term) in FREQUENT_SIZES and info.doc_frequency() >= threshold:
                    out.add(term)
    ix.close()
    return {w for w in out if len(w) in FREQUENT_SIZES}


def _word_records(docs: list[Article], config: Config, records: dict[str, dict]) -> dict:
    """Word postings from the analyzer, with Whoosh's own statistics (so scores agree)."""
    from whoosh.util.numeric import length_to_byte

    seg = segmenter(extra_words(config))
    ix = open_index(config)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        whoosh_doc = whoosh_docnums(reader)
        stats = {"doc_count_all": reader.doc_count_all(),
                 "avg_length": {f: searcher.avg_field_length(f) or 1 for f in ("title", "body")},
                 "length_table": [reader_length(b) for b in range(256)]}
        for field, kind in (("title", "h"), ("body", "w")):
            postings: defaultdict[str, list[tuple[int, int, int]]] = defaultdict(list)
            for number, article in enumerate(docs):
                text = article.title if field == "title" else article.text
                counts = Counter(seg.words_of(text))
                if not counts:
                    continue
                length = length_to_byte(
                    reader.doc_field_length(whoosh_doc[order_key(article)], field, 0))
                for word, tf in counts.items():
                    postings[word].append((number, tf, length))
            for word, plist in postings.items():
                df = reader.doc_frequency(field, word)
                records["w"][(word, kind)] = encode_words(df, plist)
    ix.close()
    return stats


def reader_length(byte: int) -> int:
    from whoosh.util.numeric import byte_to_length

    return byte_to_length(byte)


def _facet_tables(docs: list[Article]):
    places: list[str] = sorted({_place(a) for a in docs})
    place_index = {p: i for i, p in enumerate(places)}
    districts = sorted({a.region.path for a in docs})
    district_index = {p: i for i, p in enumerate(districts)}
    kinds = sorted({a.kind for a in docs})
    kind_index = {k: i for i, k in enumerate(kinds)}
    facets, district_bytes, kind_bytes = bytearray(), bytearray(), bytearray()
    for article in docs:
        facets += place_index[_place(article)].to_bytes(2, "little")
        district_bytes += district_index[article.region.path].to_bytes(2, "little")
        kind_bytes.append(kind_index[article.kind])
    return places, bytes(facets), districts, bytes(district_bytes), kinds, bytes(kind_bytes)


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


def _aliases(docs: list[Article]) -> dict[str, str]:
    """Full and short names of the places in the archive → their paths (for region:)."""
    out: dict[str, str] = {}
    for region in {r for a in docs for r in (a.region, *a.region.ancestors())}:
        for name in (*region.full_names, *region.names):
            out.setdefault(name, region.path)
        full = "/".join(r.full_names[0] for r in (*reversed(region.ancestors()), region)
                        if r.level > 0 and r.full_names)
        if full:
            out.setdefault(full, region.path)
    return dict(sorted(out.items()))


def _doc_view(article: Article) -> dict[str, object]:
    text = " ".join(article.text.split())
    folds = sorted({c for c in article.title + text if ord(c) > 0x7F and _fold_map().get(c)})
    return {"u": article.url, "t": article.title, "r": article.region.path,
            "d": article.date.isoformat() if article.date else "", "y": article.year,
            "k": article.kind, "x": text, "f": "".join(c + _fold_map()[c] for c in folds)}


@lru_cache(maxsize=1)
def _fold_map() -> dict[str, str]:
    """Every non-ASCII character whose folded form differs, computed with one OpenCC call."""
    from .analysis import _t2s

    chars = [chr(i) for i in range(0x80, 0x30000) if not 0xD800 <= i < 0xE000]
    converted = _t2s().convert("\n".join(chars)).split("\n")
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
    return [chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000 and is_ignored(chr(i))]


__all__ = ["export_files", "write_search_index"]
