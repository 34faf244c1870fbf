"""The exact text rule inside Whoosh: a query type over the exported gram postings, the
query parser that makes it, and the ranking order.

* ``ExactQuery`` — a term matches the articles whose folded text (title=True: title)
  contains it. Its matcher yields Whoosh's document numbers with the term's score
  (reader.Postings), so Whoosh's And/Or/AndNot, filters, sorting and paging work on it as
  on any query: an AND group scores the sum of its terms, OR adds the groups that match.
* ``ExactParser`` — Whoosh's QueryParser with this site's syntax (search.js parses alike):
  words are AND-ed, ``OR`` between words, ``"a phrase"`` is one term, ``-word`` excludes,
  ``title:`` ``author:`` ``tag:`` are terms of one field, and ``region:`` ``year:``
  ``date:`` ``kind:`` filter the whole query. A filter it cannot apply (a place, year, date
  or kind this archive does not have) is reported in ``problems``, with suggestions.
* ``Ranked`` — the order: score, then the newer article (the higher number) first; or
  newest first (``by_date``).

Example (docs/search.md runs it)::

    ix = whoosh.index.open_dir(".site-builder/index/whoosh")
    parser = ExactParser(ix)
    with ix.searcher() as searcher:
        hits = searcher.search(parser.parse("送温暖 -疫情"), limit=10, sortedby=Ranked())
"""

from __future__ import annotations

import re
import sys
from array import array
from pathlib import Path

from whoosh import query as wq
from whoosh.columns import NumericColumn
from whoosh.matching import ListMatcher, NullMatcher
from whoosh.qparser import FieldsPlugin, OperatorsPlugin, PhrasePlugin, QueryParser
from whoosh.sorting import Categorizer, FacetType

from .reader import DELETE_INVISIBLE, Postings

FILTERS = ("region", "year", "date", "kind")  # restrict the whole query
KEYWORDS = ("tag", "author")  # exact values, folded
EXACT = ("text", "title")  # the exact text rule: everywhere, or in the title


class ExactQuery(wq.Query):
    """Documents whose folded text contains ``text`` (``field`` "title": whose title does),
    scored by reader.Postings.scores."""

    def __init__(self, postings: Postings, field: str, text: str, boost: float = 1.0) -> None:
        self.postings = postings
        self.fieldname = field
        self.text = text
        self.boost = boost

    def __repr__(self) -> str:
        return f"ExactQuery({self.fieldname!r}, {self.text!r})"

    def __str__(self) -> str:
        return f"{self.fieldname}:{self.text}"

    def __eq__(self, other: object) -> bool:
        return (type(other) is type(self) and other.fieldname == self.fieldname
                and other.text == self.text and other.postings is self.postings)

    def __hash__(self) -> int:
        return hash((self.fieldname, self.text))

    def field(self) -> str:
        return self.fieldname

    def has_terms(self) -> bool:
        return True

    def terms(self, phrases: bool = False):
        yield (self.fieldname, self.text)

    def _btexts(self, ixreader):
        return iter(())

    def documents(self) -> dict[int, float]:
        """Export document number → score, for every matching document."""
        scores = self.postings.scores(self.text)
        if self.fieldname == "title":
            return {d: scores[d] for d in self.postings.matches(self.text, title=True)}
        return scores

    def estimate_size(self, ixreader) -> int:
        return len(self.documents())

    def matcher(self, searcher, context=None):
        docs = self.documents()
        if not docs:
            return NullMatcher()
        segment = segment_numbers(searcher.reader())
        found = sorted((segment[d], score) for d, score in docs.items() if d in segment)
        if not found:
            return NullMatcher()
        return ScoredList([docnum for docnum, _ in found], [score for _, score in found])


class ScoredList(ListMatcher):
    """Whoosh document numbers, ascending, each with its own score."""

    def __init__(self, ids: list[int], scores: list[float], position: int = 0) -> None:
        super().__init__(ids, position=position)
        self._scores = scores

    def copy(self) -> ScoredList:
        return ScoredList(self._ids, self._scores, self._i)

    def supports_block_quality(self) -> bool:
        return False

    def score(self) -> float:
        return self._scores[self._i]


def segment_numbers(reader) -> dict[int, int]:
    """Export document number → this segment reader's document number, for its live
    documents (an updated article's old copy stays in its segment, deleted, until a merge).
    Kept on the reader: one read of the ``number`` column per segment and query process."""
    known = getattr(reader, "_export_numbers", None)
    if known is None:
        numbers = number_column(reader)
        deleted = reader.is_deleted if reader.has_deletions() else None
        known = {n: docnum for docnum, n in enumerate(numbers)
                 if deleted is None or not deleted(docnum)}
        reader._export_numbers = known
    return known


def number_column(reader) -> list[int]:
    """The ``number`` of every document of a segment, read at once. Whoosh reads a column a
    value at a time, which at 10,000 articles is most of a query's time, so its fixed-width
    numeric column is read here as one array; any other column reader, value by value."""
    numbers = getattr(reader, "_numbers", None)
    if numbers is not None:
        return numbers
    column = reader.column_reader("number", translate=False)
    if isinstance(column, NumericColumn.Reader) and column._count == reader.doc_count_all():
        values = array(column._typecode, column._dbfile.get(column._basepos,
                                                             column._fixedlen * column._count))
        if sys.byteorder == "little":  # stored big-endian ("!")
            values.byteswap()
        numbers = values.tolist()
    else:
        numbers = list(column)
    reader._numbers = numbers
    return numbers


class Ranked(FacetType):
    """Whoosh's ``sortedby`` for this archive: by score, then the newer article first (the
    higher document number: export.numbered); ``by_date``: newest first, then by score."""

    def __init__(self, by_date: bool = False) -> None:
        self.by_date = by_date

    def categorizer(self, global_searcher):
        return _RankCategorizer(self.by_date)


class _RankCategorizer(Categorizer):
    needs_current = True  # the score comes from the matcher on the document

    def __init__(self, by_date: bool) -> None:
        self.by_date = by_date
        self.numbers = None

    def set_searcher(self, segment_searcher, docoffset: int) -> None:
        self.numbers = number_column(segment_searcher.reader())

    def key_for(self, matcher, segment_docnum: int):
        number, score = self.numbers[segment_docnum], matcher.score()
        return (-number, -score) if self.by_date else (-score, -number)


# --- parsing ---------------------------------------------------------------------------------

_RANGE = re.compile(r"^(?P<low>[^.]*)(?P<dots>\.\.)?(?P<high>[^.]*)$")


class ExactParser(QueryParser):
    """Whoosh's QueryParser for this site's syntax (module docstring), over the Whoosh index
    ``ix`` and the gram postings exported beside it (``postings``: its folder, by default
    ``browser/`` next to the index's own folder)."""

    def __init__(self, ix, postings: Postings | str | Path | None = None) -> None:
        if not isinstance(postings, Postings):
            postings = Postings(postings or Path(ix.storage.folder).parent / "browser")
        self.postings = postings
        self.problems: list[str] = []
        ops = OperatorsPlugin(And=None, AndNot=None, AndMaybe=None, Require=None,
                              Or=r"(?<=\s)OR(?=\s)", Not=r"(^|(?<=\s))-(?=\S)")
        super().__init__("text", ix.schema, plugins=[
            PhrasePlugin(expr='"(?P<text>[^"]*)"(?P<slop>)'), FieldsPlugin(), ops])
        self.phraseclass = self._phrase

    # -- the whole query

    def parse(self, text: str, normalize: bool = True, debug: bool = False):
        """The query for ``text``: the terms' boolean tree AND the filters; ``problems``
        says what could not be applied."""
        self.problems = []
        text = prepare(text)
        tree = super().parse(text, normalize=False, debug=debug)
        filters: list[wq.Query] = []
        tree = _pull_filters(tree, filters)
        tree = _exclusions(tree) if tree is not None else None
        parts = ([tree] if tree is not None else []) + filters
        if not parts:
            return wq.NullQuery
        if tree is None:  # filters alone: every document they allow, unscored
            parts.insert(0, wq.ConstantScoreQuery(wq.Every(), 0.0))
        return parts[0] if len(parts) == 1 else wq.And(parts)

    # -- leaves

    def term_query(self, fieldname, text, termclass, boost=1.0, tokenize=True,
                   removestops=True):
        return self.field_query(fieldname, text)

    def _phrase(self, fieldname, words, **_kwargs):
        return self.field_query(fieldname, "".join(words))

    def field_query(self, field: str, value: str):
        if field in EXACT:
            term = self.postings.folding.normalize(value)
            return ExactQuery(self.postings, field, term) if term else None
        if field in KEYWORDS:
            term = self.postings.folding.normalize(value)
            return _unscored(wq.Term(field, term)) if term else None
        return _Filter(self._filter(field, value))

    def _filter(self, field: str, value: str) -> wq.Query:
        if field == "region":
            path = self.resolve_region(value)
            return wq.Term("region", path) if path else wq.NullQuery
        if field == "kind":
            kinds = self.postings.manifest["kinds"]
            if value.lower() in kinds:
                return wq.Term("kind", value.lower())
            self.problems.append(f"kind:{value}: no article is of that kind; kinds here: "
                                 + ", ".join(kinds))
            return wq.NullQuery
        bounds = year_range(value) if field == "year" else date_range(value)
        if bounds is None:
            example = ("year:2024 or year:2020..2022" if field == "year"
                       else "date:2024-02-07, date:2024-02 or date:2024-01-01..2024-02-15")
            self.problems.append(f"{field}:{value}: not a {field} (try {example})")
            return wq.NullQuery
        low, high = bounds
        years = [y for y, _ in self.postings.manifest["year_runs"]]
        if years and field == "year" and not any(
                (low is None or y >= low) and (high is None or y <= high) for y in years):
            self.problems.append(f"year:{value}: no article of that year; years here: "
                                 f"{min(years)}–{max(years)}")
        return wq.NumericRange(field, low, high)

    def resolve_region(self, value: str) -> str | None:
        """'江苏省/无锡市', '无锡' → '江苏/无锡': the archive's places first
        (export.region_aliases, which the browser reads too), then the gazetteer (a real
        place the archive has no article about); None, and a problem with suggestions, for
        a name that is neither."""
        aliases = self.postings.json("aliases.json") or {}
        name = value.strip().strip("/")
        if name in aliases:
            return aliases[name]
        from ..gazetteer import default_gazetteer

        region = default_gazetteer().resolve(name) if name else None
        if region is not None:
            return region.path
        import difflib

        close = difflib.get_close_matches(name, list(aliases), n=5, cutoff=0.3)
        if not close:
            close = sorted({path.split("/")[0] for path in aliases.values()})[:8]
        self.problems.append(f"region:{value}: no place of that name; places here include "
                             + ", ".join(close))
        return None


def prepare(text: str) -> str:
    """The query as both sides parse it: invisible characters (zero-width, bidirectional
    marks) removed, and an unpaired quote closed at the end."""
    text = (text or "").translate(DELETE_INVISIBLE)
    return text + '"' if text.count('"') % 2 else text


def year_range(value: str) -> tuple[int | None, int | None] | None:
    """'2024' → (2024, 2024); '2020..2022', '..2021', '2023..' → bounds (None: open)."""
    match = _RANGE.match(value.strip())
    if match is None:
        return None
    low, high = match["low"], match["high"]
    if not match["dots"]:
        high = low
    if not all(v == "" or (v.isascii() and v.isdigit() and len(v) == 4) for v in (low, high)):
        return None
    if low == high == "":
        return None
    return (int(low) if low else None, int(high) if high else None)


def date_range(value: str) -> tuple[int | None, int | None] | None:
    """yyyymmdd bounds of 'YYYY', 'YYYY-MM', 'YYYY-MM-DD' or a range 'a..b' of those."""
    match = _RANGE.match(value.strip())
    if match is None:
        return None
    parts = [match["low"], match["high"] if match["dots"] else match["low"]]
    bounds: list[int | None] = []
    for i, part in enumerate(parts):
        if part == "" and match["dots"]:
            bounds.append(None)
            continue
        day = _day_bound(part, last=i == 1)
        if day is None:
            return None
        bounds.append(day)
    if bounds == [None, None]:
        return None
    return bounds[0], bounds[1]


def _day_bound(text: str, last: bool) -> int | None:
    pieces = text.split("-")
    if not 1 <= len(pieces) <= 3 or not all(p.isascii() and p.isdigit() for p in pieces):
        return None
    if len(pieces[0]) != 4 or any(len(p) not in (1, 2) for p in pieces[1:]):
        return None
    year = int(pieces[0])
    month = int(pieces[1]) if len(pieces) > 1 else (12 if last else 1)
    day = int(pieces[2]) if len(pieces) > 2 else (31 if last else 1)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return year * 10000 + month * 100 + day


class _Filter(wq.ConstantScoreQuery):
    """A filter of the whole query (region:, year:, date:, kind:), unscored."""

    def __init__(self, child: wq.Query, score: float = 0.0) -> None:
        super().__init__(child, score)


def _unscored(query: wq.Query) -> wq.Query:
    return wq.ConstantScoreQuery(query, 0.0)


def _pull_filters(node: wq.Query, filters: list[wq.Query]) -> wq.Query | None:
    """The tree without its filters (not under a NOT), which go to ``filters``."""
    if isinstance(node, _Filter):
        filters.append(node)
        return None
    if isinstance(node, wq.Not):
        return node
    if isinstance(node, wq.And | wq.Or):
        subs = [s for s in (_pull_filters(q, filters) for q in node.subqueries) if s is not None]
        if not subs:
            return None
        return subs[0] if len(subs) == 1 else type(node)(subs)
    return node


def _exclusions(node: wq.Query) -> wq.Query | None:
    """Each AND group with its NOT terms as one AndNot (excluded documents add no score); a
    group of exclusions alone is no search (it would match almost everything)."""
    if isinstance(node, wq.Or):
        subs = [s for s in map(_exclusions, node.subqueries) if s is not None]
        if not subs:
            return None
        return subs[0] if len(subs) == 1 else wq.Or(subs)
    members = node.subqueries if isinstance(node, wq.And) else [node]
    positive = [q for q in members if not isinstance(q, wq.Not)]
    negative = [q.query for q in members if isinstance(q, wq.Not)]
    if not positive:
        return None
    kept = positive[0] if len(positive) == 1 else wq.And(positive)
    if not negative:
        return kept
    return wq.AndNot(kept, negative[0] if len(negative) == 1 else wq.Or(negative))
