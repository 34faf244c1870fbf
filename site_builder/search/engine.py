"""A query on the index a build wrote: Whoosh parses it (exact.ExactParser), matches,
filters, sorts and pages it, and returns the stored fields the hits show.

Used by ``site-builder search`` and the dev server; search.js computes the same answer from
the exported files (matching, scores, order), so the browser and the CLI agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .exact import ExactParser, ExactQuery, Ranked
from .reader import Postings, StaleIndex, index_folder
from .snippets import find_marks, make_snippet


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
    only: str = ""  # "title": the terms are in the title, not the text; "tags": in the
    # tags (or the authors, subtitle, summary), not the text

    @property
    def snippet_html(self) -> str:
        return mark_html(self.snippet, self.highlights)

    def as_json(self) -> dict[str, object]:
        return {"url": self.url, "title": self.title, "region": self.region,
                "year": self.year, "date": self.date, "kind": self.kind,
                "score": self.score, "snippet": self.snippet,
                "highlights": [list(h) for h in self.highlights],
                "snippet_html": self.snippet_html, "only_in": self.only or None}


@dataclass
class Results:
    total: int  # every match
    hits: list[Hit]  # the page asked for
    terms: list[str]  # the query's terms, folded (what the snippets mark)
    problems: list[str]  # filters that could not be applied, and why
    empty: bool  # nothing to search for


class SearchIndex:
    """The Whoosh index of the last build and the gram postings exported beside it; keep
    one per process (the dev server does, and ``refresh``es it after each rebuild)."""

    def __init__(self, root: str | Path) -> None:
        from whoosh.filedb.filestore import FileStorage

        folder = index_folder(root)
        # Not memory-mapped: Whoosh would copy each mapped part of the segment it opens into
        # memory, every article's stored text among them, in every process that queries.
        storage = FileStorage(str(folder / "whoosh"), supports_mmap=False, readonly=True)
        try:
            self.ix = storage.open_index()
        except Exception as error:  # whoosh raises anything from EmptyIndexError to pickle's
            raise StaleIndex("no search index: run site-builder build first") from error
        try:
            self.postings = Postings(folder / "browser")
        except StaleIndex:
            self.ix.close()
            raise
        self.folder = folder
        self.searcher = self.ix.searcher()

    def close(self) -> None:
        self.searcher.close()
        self.ix.close()

    def refresh(self) -> None:
        """Pick up a newer build (the dev server calls this after rebuilding)."""
        self.searcher = self.searcher.refresh()
        self.postings = Postings(self.folder / "browser")

    def search(self, text: str, *, limit: int | None = 10, page: int = 1,
               sort: str = "relevance") -> Results:
        """Hits ``(page - 1) * limit`` to ``page * limit`` (limit None: every hit)."""
        parser = ExactParser(self.ix, self.postings)
        query = parser.parse(text)
        terms = list(dict.fromkeys(positive_terms(query)))
        ranked = Ranked(by_date=sort == "date")
        if query is _null():
            return Results(0, [], terms, parser.problems, not parser.problems)
        whole = self.searcher.search(query, limit=None, sortedby=ranked)
        total = len(whole)
        if limit is None:
            start, stop = 0, total
        else:
            start, stop = (page - 1) * limit, page * limit
        hits = []
        for i in range(start, min(stop, total)):
            key = whole.top_n[i][0]
            fields = self.searcher.stored_fields(whole.top_n[i][1])
            hits.append(self._hit(fields, -key[1] if ranked.by_date else -key[0], terms))
        return Results(total, hits, terms, parser.problems, False)

    def _hit(self, fields: dict, score: float, terms: list[str]) -> Hit:
        folding = self.postings.folding.with_pairs(fields.get("folds", ""))
        with_offsets = folding.normalize_with_offsets
        body = fields.get("body", "")
        title = fields.get("title", "")
        snippet, marks = make_snippet(body, terms, with_offsets)
        title_marks = find_marks(title, terms, with_offsets)
        only = ""
        if terms and not marks:
            only = "title" if title_marks else "tags"
        date = fields.get("date")
        return Hit(url=fields.get("url", ""), title=title, region=fields.get("place", ""),
                   year=fields.get("year", 0),
                   date=f"{date // 10000:04d}-{date // 100 % 100:02d}-{date % 100:02d}"
                   if date else "",
                   kind=fields.get("kind", ""), score=score, snippet=snippet,
                   highlights=marks, title_highlights=title_marks, only=only)


def _null():
    from whoosh.query import NullQuery

    return NullQuery


def positive_terms(node, out: list[str] | None = None) -> list[str]:
    """The exact terms of a query, but those it excludes (an AndNot's right side)."""
    from whoosh import query as wq

    out = [] if out is None else out
    if isinstance(node, ExactQuery):
        out.append(node.text)
    elif isinstance(node, wq.AndNot):
        positive_terms(node.a, out)
    elif not isinstance(node, wq.Not) and not node.is_leaf():
        for child in node.children():
            positive_terms(child, out)
    return out


def mark_html(text: str, marks: list[tuple[int, int]]) -> str:
    """Escaped text with <mark> around the spans."""
    from html import escape

    out, last = [], 0
    for a, b in marks:
        out.append(escape(text[last:a]))
        out.append(f"<mark>{escape(text[a:b])}</mark>")
        last = b
    out.append(escape(text[last:]))
    return "".join(out)


__all__ = ["Hit", "Results", "SearchIndex"]
