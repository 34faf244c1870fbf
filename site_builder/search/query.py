"""Query syntax, its Whoosh form and the ranked search; search.js implements the same rules.

Syntax: words are AND-ed; ``OR`` between words or groups (AND binds tighter); ``"a phrase"``
is one term (spaces inside are ignored like everywhere else); ``-word`` excludes; ``region:``,
``year:`` and ``kind:`` restrict the whole query.

A term matches the documents whose text contains it (see analysis; the gram index answers).
Each matching term scores

    MATCH + TITLE_HIT  (if the title contains it)
          + TITLE_BOOST * BM25(title words) + BM25(body words)   (if it is a whole word there)

with Whoosh's BM25F formula (B=0.75, K1=1.2, idf log(N/(df+1))+1) over the statistics of
the current articles (export.py), lengths rounded to one byte (grams.LENGTHS). A group
(terms joined by AND) scores the sum of its terms; a document scores the sum of the groups it
matches. Hits are ordered by score rounded to 1e-6, then by article order (newest first:
the higher document number, export.numbered), so the browser and the CLI agree even on ties.
"""

from __future__ import annotations

import math

TYPE_CHECKING = False  # typing itself is not imported: a query process does not need it
if TYPE_CHECKING:
    from collections.abc import Callable

MATCH = 1.0
TITLE_HIT = 8.0
TITLE_BOOST = 2.0
FILTER_FIELDS = ("region", "year", "kind")


# Plain classes, not dataclasses or a namedtuple: importing dataclasses (inspect) or
# collections costs a query process more than parsing does.
class Term:
    __slots__ = ("negated", "text")

    def __init__(self, text: str, negated: bool = False) -> None:
        self.text = text  # normalized
        self.negated = negated

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Term) and self.text == other.text
                and self.negated == other.negated)

    def __hash__(self) -> int:
        return hash((self.text, self.negated))

    def __repr__(self) -> str:
        return f"Term(text={self.text!r}, negated={self.negated!r})"


class ParsedQuery:
    __slots__ = ("filters", "groups")

    def __init__(self, groups: list[list[Term]] | None = None,
                 filters: dict[str, str] | None = None) -> None:
        self.groups = [] if groups is None else groups  # OR of AND-groups
        self.filters = {} if filters is None else filters

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, ParsedQuery) and self.groups == other.groups
                and self.filters == other.filters)

    def __repr__(self) -> str:
        return f"ParsedQuery(groups={self.groups!r}, filters={self.filters!r})"

    @property
    def positive_terms(self) -> list[str]:
        seen = dict.fromkeys(t.text for g in self.groups for t in g if not t.negated)
        return list(seen)

    @property
    def is_empty(self) -> bool:
        return not self.groups and not self.filters


def tokens(text: str):
    """(quoted, word) per token, as the pattern ``"([^"]*)"?|(\\S+)`` finds them: a quote
    runs to the next quote or the end; a word is a run of characters that are not white
    space (str.isspace, which is re's \\s). Written out so a query does not import re."""
    i, n = 0, len(text)
    while i < n:
        if text[i] == '"':
            end = text.find('"', i + 1)
            if end == -1:
                yield text[i + 1:], None
                return
            yield text[i + 1:end], None
            i = end + 1
        elif text[i].isspace():
            i += 1
        else:
            start = i
            i += 1
            while i < n and not text[i].isspace():
                i += 1
            yield None, text[start:i]


def parse_query(text: str, fold: Callable[[str], str] | None = None) -> ParsedQuery:
    """Parse the query syntax; never fails (unknown syntax is searched for literally).

    ``fold`` is analysis.normalize or its equal from the exported table (reader.Folding)."""
    if fold is None:  # the CLI passes reader.Folding's: no analyzer (OpenCC) for a query
        from .analysis import normalize as fold
    parsed = ParsedQuery()
    group: list[Term] = []
    for quoted, word in tokens(text or ""):
        if word == "OR":
            if group:
                parsed.groups.append(group)
            group = []
            continue
        negated = False
        if quoted is None:
            if word.startswith("-") and len(word) > 1:
                negated, word = True, word[1:]
            key, sep, value = word.partition(":")
            if sep and key.lower() in FILTER_FIELDS and value and not negated:
                parsed.filters[key.lower()] = value
                continue
            raw = word
        else:
            raw = quoted
        term = fold(raw)
        if term:
            group.append(Term(term, negated))
    if group:
        parsed.groups.append(group)
    # A group of exclusions alone would match almost everything: it is not a search.
    parsed.groups = [g for g in parsed.groups if any(not t.negated for t in g)]
    return parsed


# --- Whoosh form (filters) --------------------------------------------------------------


def filter_query(filters: dict[str, str], resolve_region=None):
    """The filters as a Whoosh query (for the Whoosh index), or None."""
    from whoosh import query as wq

    parts: list[wq.Query] = []
    if "region" in filters:
        value = filters["region"].strip().strip("/")
        if resolve_region is not None:
            value = resolve_region(value)
        parts.append(wq.Term("region_path", value))
    if "year" in filters:
        parts.append(wq.Term("year", filters["year"].strip()))
    if "kind" in filters:
        parts.append(wq.Term("kind", filters["kind"].strip().lower()))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def rounded(score: float) -> int:
    """Scores compared at 1e-6, identically in search.js (Math.floor(s * 1e6 + 0.5))."""
    return math.floor(score * 1e6 + 0.5)
