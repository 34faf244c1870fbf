"""Run a query on the exported index: ranked hits, facet counts and highlighted snippets.

Used by the CLI and the dev server; search.js computes the same answer from the same files
(matching, scores, order and facets, query folding), so the two agree by construction. The
dev server shows hits from Whoosh's stored fields; the CLI from the docstore (the same fields,
written by the build beside the export, see docstore.py).
"""

from __future__ import annotations

import math
import os
from collections import Counter

from .query import ParsedQuery, parse_query
from .reader import (
    FAMILY_OF,
    FORMAT_VERSION,
    LENGTHS,
    LENGTHS_FILE,
    Folding,
    decode,
    find_record,
    match_docs,
    shard_of,
)

TYPE_CHECKING = False  # typing itself is not imported: a query process does not need it
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from .docstore import DocStore

SNIPPET_CHARS = 110
SNIPPET_LEAD = 24


class _Record:
    """A plain record class (equality, repr): dataclasses would import inspect, which costs a
    query process more than the query."""

    __slots__ = ()

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._values() == other._values()

    def __repr__(self) -> str:
        inside = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({inside})"


class Hit(_Record):
    __slots__ = (
        "date",
        "highlights",
        "kind",
        "region",
        "score",
        "snippet",
        "title",
        "title_highlights",
        "url",
        "year",
    )

    def __init__(self, url: str, title: str, region: str, year: int, date: str, kind: str,
                 score: float, snippet: str = "",
                 highlights: list[tuple[int, int]] | None = None,
                 title_highlights: list[tuple[int, int]] | None = None) -> None:
        self.url, self.title, self.region, self.year = url, title, region, year
        self.date, self.kind, self.score, self.snippet = date, kind, score, snippet
        self.highlights = [] if highlights is None else highlights
        self.title_highlights = [] if title_highlights is None else title_highlights

    @property
    def snippet_html(self) -> str:
        return mark_html(self.snippet, self.highlights)

    def as_json(self) -> dict[str, object]:
        return {"url": self.url, "title": self.title, "region": self.region,
                "year": self.year, "date": self.date, "kind": self.kind,
                "score": round(self.score, 6), "snippet": self.snippet,
                "highlights": [list(h) for h in self.highlights],
                "snippet_html": self.snippet_html}


class Results(_Record):
    __slots__ = ("facets", "hits", "query", "total")

    def __init__(self, query: ParsedQuery, total: int, hits: list[Hit],
                 facets: dict[str, dict[str, int]]) -> None:
        self.query, self.total, self.hits, self.facets = query, total, hits, facets


def resolve_region(value: str, aliases: dict[str, str]) -> str:
    """'江苏省/无锡市' or '无锡' → '江苏/无锡': the archive's own places first (as search.js
    does), then the gazetteer; unknown names are kept as written."""
    value = value.strip().strip("/")
    if value in aliases:
        return aliases[value]
    from ..gazetteer import default_gazetteer

    region = default_gazetteer().resolve(value)
    return region.path if region is not None else value


class SearchIndex:
    """The exported index, open for queries, with Whoosh (``ix``) or a docstore (``store``)
    for the fields of the hits shown; keep one per process (the dev server does).

    ``folder`` (the export) may be a str: its files are found with os.path, so a CLI query
    does not import pathlib. With a store and no ``manifest`` (bytes), the manifest and the
    fold tables come parsed from the store: a CLI query does not import json either."""

    def __init__(self, ix, folder: str | Path, store: DocStore | None = None,
                 manifest: bytes | None = None) -> None:
        self.ix = ix
        self.folder = folder
        self.store = store
        self.searcher = ix.searcher() if ix is not None else None
        self._load(manifest, store if manifest is None else None)

    def _load(self, manifest: bytes | None = None, store: DocStore | None = None) -> None:
        tables = None
        if store is not None:
            self.manifest, tables = store.manifest, store.fold_tables
        else:
            import json

            self.manifest = json.loads(manifest or self._read("manifest.json"))
        if self.manifest.get("version") != FORMAT_VERSION:
            from .docstore import Damaged

            raise Damaged("the search index was made by another version of site-builder: "
                          "run site-builder build")
        self._ids: list[str] | None = None
        self.vocabulary = set(self.manifest["vocabulary"])
        self.shards: dict[tuple[str, int], bytes] = {}
        self.files: dict[str, bytes] = {}
        pages = self.manifest.get("fold_pages")
        self.folding = Folding(self.folder, pages, tables=tables) if pages is not None else None

    @property
    def ids(self) -> list[str]:
        """The article id of each document number (Whoosh's key)."""
        if self._ids is None:
            from .indexer import IDS_FILE

            self._ids = self._read(IDS_FILE).decode("utf-8").split("\n")
        return self._ids

    def close(self) -> None:
        if self.searcher is not None:
            self.searcher.close()
        if self.ix is not None:
            self.ix.close()
        if self.store is not None:
            self.store.close()

    def refresh(self) -> None:
        """Pick up a newer build (the dev server calls this after rebuilding)."""
        if self.searcher is not None:
            self.searcher = self.searcher.refresh()
        self._load()

    def _read(self, rel: str) -> bytes:
        with open(os.path.join(self.folder, rel), "rb") as handle:
            return handle.read()

    def _file(self, rel: str) -> bytes:
        if rel not in self.files:
            self.files[rel] = self._read(rel)
        return self.files[rel]

    def record(self, kind: str, term: str) -> bytes | None:
        family = FAMILY_OF[kind]
        number = shard_of(term, self.manifest["shards"][family])
        if (family, number) not in self.shards:
            try:
                data = self._read(f"{family}/{number}.bin")
            except FileNotFoundError:
                data = b""
            self.shards[(family, number)] = data
        return find_record(self.shards[(family, number)], kind, term)

    def search(self, text: str, *, limit: int | None = 10,
               filters: dict[str, str] | None = None) -> Results:
        parsed = parse_query(text, self.folding.normalize if self.folding else None)
        parsed.filters.update({k: str(v) for k, v in (filters or {}).items() if v})
        return self.run(parsed, limit=limit)

    def run(self, parsed: ParsedQuery, *, limit: int | None = 10) -> Results:
        """Match, score, order, count facets: the steps of search.js runQuery."""
        if parsed.is_empty:
            return Results(parsed, 0, [], {})
        allowed = self._allowed(parsed.filters)
        matched: dict[str, set[int]] = {}

        def docs(term: str) -> set[int]:
            if term not in matched:
                matched[term] = match_docs(self.record, term, self.vocabulary)
            return matched[term]

        match = self.manifest["scoring"]["match"]
        scores: dict[int, float] = {}
        if not parsed.groups:
            scores = dict.fromkeys(allowed or (), 0.0)
        term_scores: dict[str, dict[int, float]] = {}
        for group in parsed.groups:
            positive = [t.text for t in group if not t.negated]
            found = set.intersection(*(docs(t) for t in positive))
            for term in (t.text for t in group if t.negated):
                found -= docs(term)
            if allowed is not None:
                found &= allowed
            for term in positive:
                if term not in term_scores:
                    term_scores[term] = self._term_scores(term)
            gets = [term_scores[term].get for term in positive]
            if len(gets) == 1:  # 0.0 + x is x: the same floats as the loop below
                get = gets[0]
                group_scores = {d: get(d, match) for d in found}
            else:
                group_scores = {}
                for d in found:
                    group_score = 0.0
                    for get in gets:
                        group_score += get(d, match)
                    group_scores[d] = group_score
            if not scores:
                scores = group_scores
            else:
                for d, group_score in group_scores.items():
                    scores[d] = scores.get(d, 0.0) + group_score
        # Order: score rounded to 1e-6 (query.rounded, inlined), then the higher number (the
        # newer article) first, as one integer per document: rounded * span + number.
        floor = math.floor
        span = max(self.manifest["documents"], 1 + max(scores, default=0))
        keys = [floor(s * 1e6 + 0.5) * span + d for d, s in scores.items()]
        keys.sort(reverse=True)
        shown = [key % span for key in (keys if limit is None else keys[:limit])]
        facets = self._facets(list(scores))  # counts: the order does not matter
        terms = parsed.positive_terms
        hits = [self._hit(d, scores[d], terms) for d in shown]
        return Results(parsed, len(keys), hits, facets)

    def _term_scores(self, term: str) -> dict[int, float]:
        """Per document: MATCH + TITLE_HIT (title contains it) + BM25 of the term as a word
        (title ×TITLE_BOOST, body), with the statistics of the current articles.

        Only documents with a title hit or a word hit are listed; others score MATCH."""
        s = self.manifest["scoring"]
        out: dict[int, float] = {}
        for d in match_docs(self.record, term, self.vocabulary, title=True):
            out[d] = s["match"] + s["title_hit"]
        words: dict[int, float] = {}
        k1, b, n = s["k1"], s["b"], s["documents"]
        lengths = self._file(LENGTHS_FILE)  # every title's length byte, then every body's
        for kind, field_name, boost, at in (("h", "title", s["title_boost"], 0),
                                            ("w", "body", 1, n)):
            postings = decode(kind, self.record(kind, term))
            idf = math.log(n / (len(postings) + 1)) + 1
            avg = s["avg_length"][field_name]
            # k1 * (...) per length byte: the same operations in the same order as per entry
            norms = [k1 * ((1 - b) + b * length / avg) for length in LENGTHS]
            for d, tf in postings:
                score = idf * ((tf * (k1 + 1)) / (tf + norms[lengths[at + d]]))
                if boost != 1:
                    score *= boost
                words[d] = words[d] + score if d in words else score
        for d, score in words.items():
            out[d] = out.get(d, s["match"]) + score
        return out

    def _allowed(self, filters: dict[str, str]) -> set[int] | None:
        if not filters:
            return None
        allowed: set[int] | None = None
        n = self.manifest["documents"]

        def keep(found: set[int]) -> None:
            nonlocal allowed
            allowed = found if allowed is None else allowed & found

        if "year" in filters:
            want = filters["year"].strip()
            runs = self.manifest["year_runs"]
            found: set[int] = set()
            for i, (year, start) in enumerate(runs):
                if str(year) == want:
                    found.update(range(start, runs[i + 1][1] if i + 1 < len(runs) else n))
            keep(found)
        if "kind" in filters:
            kinds = self._file("kinds.bin")
            want_kind = filters["kind"].strip().lower()
            names = self.manifest["kinds"]
            index = names.index(want_kind) if want_kind in names else -1
            keep({d for d, k in enumerate(kinds) if k == index})
        if "region" in filters:
            import json

            aliases = json.loads(self._file("aliases.json"))
            value = resolve_region(filters["region"], aliases)
            names = json.loads(self._file("districts.json"))
            table = self._file("districts.bin")
            wanted = {i for i, p in enumerate(names) if p == value or p.startswith(value + "/")}
            keep({d for d in range(n) if table[2 * d] | table[2 * d + 1] << 8 in wanted})
        return allowed

    def _facets(self, ranked: list[int]) -> dict[str, dict[str, int]]:
        """Counted by table index per document (in C), then named."""
        places = self._file("places.bin")
        width = self.manifest["place_bytes"]
        names = self.manifest["places"]
        runs = self.manifest["year_runs"]
        n = self.manifest["documents"]
        if width == 1:
            place_of: bytes | list[int] = places
        else:
            place_of = [int.from_bytes(places[d * width:(d + 1) * width], "little")
                        for d in range(n)]
        year_of: list[int] = []
        for i, (_, start) in enumerate(runs):
            year_of.extend([i] * ((runs[i + 1][1] if i + 1 < len(runs) else n) - start))
        province: Counter = Counter()
        city: Counter = Counter()
        for index, count in Counter(map(place_of.__getitem__, ranked)).items():
            p, _, c = names[index].partition("/")
            province[p] += count
            if c:
                city[f"{p}/{c}"] += count
        year: Counter = Counter()
        for index, count in Counter(map(year_of.__getitem__, ranked)).items():
            year[str(runs[index][0])] += count
        kind: Counter = Counter()
        for index, count in Counter(map(self._file("kinds.bin").__getitem__, ranked)).items():
            kind[self.manifest["kinds"][index]] += count
        return {name: dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
                for name, counts in (("province", province), ("city", city), ("year", year),
                                     ("kind", kind))}

    def _hit(self, d: int, score: float, terms: list[str]) -> Hit:
        if self.store is not None:
            return self._stored_hit(d, score, terms)
        doc = self.searcher.document(id=self.ids[d]) if self.searcher is not None else None
        doc = doc or {}
        body = " ".join((doc.get("body") or "").split())
        snippet, marks = make_snippet(body, terms)
        title = doc.get("title", "")
        return Hit(url=doc.get("url", ""), title=title, region=doc.get("region", ""),
                   year=int(doc.get("year", 0)), date=doc.get("date", ""),
                   kind=doc.get("kind", ""), score=score, snippet=snippet, highlights=marks,
                   title_highlights=find_marks(title, terms))

    def _stored_hit(self, d: int, score: float, terms: list[str]) -> Hit:
        record = self.store.record(d) if self.store is not None else None
        if record is None:
            return self._hit_without_store(d, score, terms)
        url, title, region, year, date, kind, body, folds = record
        normalize = Folding(None, None, folds)
        snippet, marks = make_snippet(body, terms, normalize.normalize_with_offsets)
        return Hit(url=url, title=title, region=region, year=int(year or 0), date=date,
                   kind=kind, score=score, snippet=snippet, highlights=marks,
                   title_highlights=find_marks(title, terms, normalize.normalize_with_offsets))

    def _hit_without_store(self, d: int, score: float, terms: list[str]) -> Hit:
        """A document number Whoosh had no document for: an empty hit, as from Whoosh."""
        snippet, marks = make_snippet("", terms)
        return Hit(url="", title="", region="", year=0, date="", kind="", score=score,
                   snippet=snippet, highlights=marks, title_highlights=[])


def find_marks(text: str, terms: list[str],
               with_offsets: Callable[[str], tuple[str, list[int]]] | None = None,
               ) -> list[tuple[int, int]]:
    """Spans of ``text`` (original characters) where the terms occur, merged and sorted."""
    if with_offsets is None:
        from .analysis import normalize_with_offsets as with_offsets
    norm, offsets = with_offsets(text)
    spans: list[tuple[int, int]] = []
    for term in terms:
        start = norm.find(term)
        while start != -1:
            spans.append((offsets[start], offsets[start + len(term) - 1] + 1))
            start = norm.find(term, start + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def make_snippet(text: str, terms: list[str],
                 with_offsets: Callable[[str], tuple[str, list[int]]] | None = None,
                 ) -> tuple[str, list[tuple[int, int]]]:
    """About SNIPPET_CHARS characters around the first hit, with the hit spans inside it."""
    marks = find_marks(text, terms, with_offsets)
    start = max(0, marks[0][0] - SNIPPET_LEAD) if marks else 0
    end = min(len(text), start + SNIPPET_CHARS)
    if end - start < SNIPPET_CHARS:
        start = max(0, end - SNIPPET_CHARS)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - start
    inside = [(max(a, start) + shift, min(b, end) + shift) for a, b in marks
              if a < end and b > start]
    return prefix + text[start:end] + suffix, inside


def mark_html(text: str, marks: list[tuple[int, int]]) -> str:
    """Escaped text with <mark> around the spans."""
    out, last = [], 0
    for a, b in marks:
        out.append(escape(text[last:a]))
        out.append(f"<mark>{escape(text[a:b])}</mark>")
        last = b
    out.append(escape(text[last:]))
    return "".join(out)


def escape(text: str) -> str:
    """html.escape(text) (quote=True), without importing html and html.entities."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#x27;"))
