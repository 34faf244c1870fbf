"""Run a query on the Whoosh index: ranked hits, facet counts and highlighted snippets.

Used by the CLI and the dev server; search.js computes the same answer from the exported
browser index.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..gazetteer import default_gazetteer
from .analysis import normalize_with_offsets
from .grams import ShardSource, match_docs
from .indexer import whoosh_docnums
from .query import MATCH, TITLE_HIT, ParsedQuery, filter_query, parse_query, rounded, word_query

SNIPPET_CHARS = 110
SNIPPET_LEAD = 24


@dataclass
class Hit:
    url: str
    title: str
    region: str
    year: int
    date: str
    kind: str
    score: float
    snippet: str = ""
    highlights: list[tuple[int, int]] = field(default_factory=list)
    title_highlights: list[tuple[int, int]] = field(default_factory=list)

    @property
    def snippet_html(self) -> str:
        return mark_html(self.snippet, self.highlights)

    def as_json(self) -> dict[str, object]:
        return {"url": self.url, "title": self.title, "region": self.region,
                "year": self.year, "date": self.date, "kind": self.kind,
                "score": round(self.score, 6), "snippet": self.snippet,
                "highlights": [list(h) for h in self.highlights],
                "snippet_html": self.snippet_html}


@dataclass
class Results:
    query: ParsedQuery
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]


def resolve_region(value: str) -> str:
    """'江苏省/无锡市' or '无锡' → '江苏/无锡'; unknown names are kept as written."""
    region = default_gazetteer().resolve(value)
    return region.path if region is not None else value


class SearchIndex:
    """An open Whoosh index answering queries; keep one per process (the dev server does)."""

    def __init__(self, ix, folder: Path) -> None:
        self.ix = ix
        self.folder = folder
        self.searcher = ix.searcher()
        self._load()

    def _load(self) -> None:
        """Document numbers (the export's: newest first) ↔ Whoosh document numbers."""
        manifest = json.loads((self.folder / "manifest.json").read_bytes())
        self.source = ShardSource(self.folder, manifest["shards"])
        by_key = whoosh_docnums(self.searcher.reader())
        self.docnum = [by_key[k] for k in sorted(by_key)]
        self.number = {w: n for n, w in enumerate(self.docnum)}

    def close(self) -> None:
        self.searcher.close()
        self.ix.close()

    def refresh(self) -> None:
        """Pick up a newer build (the dev server calls this after rebuilding)."""
        self.searcher = self.searcher.refresh()
        self._load()

    def search(self, text: str, *, limit: int | None = 10,
               filters: dict[str, str] | None = None) -> Results:
        parsed = parse_query(text)
        parsed.filters.update({k: str(v) for k, v in (filters or {}).items() if v})
        return self.run(parsed, limit=limit)

    def run(self, parsed: ParsedQuery, *, limit: int | None = 10) -> Results:
        """Match with the gram index, score with Whoosh, order, count facets."""
        if parsed.is_empty:
            return Results(parsed, 0, [], {})
        searcher = self.searcher
        allowed: set[int] | None = None
        fq = filter_query(parsed.filters, resolve_region)
        if fq is not None:
            allowed = {self.number[d] for d in searcher.docs_for_query(fq)}
        matched: dict[str, set[int]] = {}

        def docs(term: str) -> set[int]:
            if term not in matched:
                matched[term] = match_docs(self.source, term)
            return matched[term]

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
            for d in found:
                group_score = 0.0
                for term in positive:
                    group_score += term_scores[term].get(d, MATCH)
                scores[d] = scores.get(d, 0.0) + group_score
        ranked = sorted(scores, key=lambda d: (-rounded(scores[d]), d))
        facets = self._facets(ranked)
        shown = ranked if limit is None else ranked[:limit]
        terms = parsed.positive_terms
        hits = [self._hit(self.docnum[d], scores[d], terms) for d in shown]
        return Results(parsed, len(ranked), hits, facets)

    def _term_scores(self, term: str) -> dict[int, float]:
        """Per document number: MATCH + TITLE_HIT (title contains it) + Whoosh BM25F (words).

        Only documents with a title hit or a word hit are listed; others score MATCH.
        """
        out: dict[int, float] = {}
        for d in match_docs(self.source, term, title=True):
            out[d] = MATCH + TITLE_HIT
        found = self.searcher.search(word_query(term), limit=None, optimize=False)
        for docnum, score in found.items():
            d = self.number[docnum]
            out[d] = out.get(d, MATCH) + score
        return out

    def _facets(self, docnums: list[int]) -> dict[str, dict[str, int]]:
        reader = self.searcher.reader()
        docnums = [self.docnum[n] for n in docnums]
        out: dict[str, dict[str, int]] = {}
        for name in ("province", "city", "year", "kind"):
            column = reader.column_reader(name)
            counts = Counter(column[d] for d in docnums)
            counts.pop("", None)
            if name == "city":
                province = reader.column_reader("province")
                counts = Counter(f"{province[d]}/{column[d]}" for d in docnums if column[d])
            out[name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        return out

    def _hit(self, docnum: int, score: float, terms: list[str]) -> Hit:
        doc = self.searcher.stored_fields(docnum)
        body = " ".join((doc.get("body") or "").split())
        snippet, marks = make_snippet(body, terms)
        title = doc.get("title", "")
        return Hit(url=doc["url"], title=title, region=doc.get("region", ""),
                   year=int(doc.get("year", 0)), date=doc.get("date", ""),
                   kind=doc.get("kind", ""), score=score, snippet=snippet, highlights=marks,
                   title_highlights=find_marks(title, terms))


def find_marks(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Spans of ``text`` (original characters) where the terms occur, merged and sorted."""
    norm, offsets = normalize_with_offsets(text)
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


def make_snippet(text: str, terms: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """About SNIPPET_CHARS characters around the first hit, with the hit spans inside it."""
    marks = find_marks(text, terms)
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
        out.append(html.escape(text[last:a]))
        out.append(f"<mark>{html.escape(text[a:b])}</mark>")
        last = b
    out.append(html.escape(text[last:]))
    return "".join(out)
