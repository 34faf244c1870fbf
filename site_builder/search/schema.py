"""The Whoosh schema and the document made from an Article.

Whoosh holds, per article, what a hit shows (stored fields), the fields a query filters on
(region paths, year, date, kind, tags, authors) and ``number``, the article's document
number in the exported gram postings, which is how the exact text rule (exact.ExactQuery)
finds Whoosh's documents. The text itself is matched and scored from those postings: see
docs/search.md for why Whoosh does not hold the grams.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from whoosh import fields

if TYPE_CHECKING:
    from ..content import Article

SCHEMA_VERSION = 4


class ExactText(fields.FieldType):
    """A field matched with the exact text rule (exact.ExactParser turns ``title:`` and bare
    words into ExactQuery): nothing of it is indexed in Whoosh; ``title`` is stored."""

    indexed = False
    scorable = False
    format = None
    analyzer = None
    column_type = None

    def __init__(self, stored: bool = False) -> None:
        self.stored = stored

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.stored == self.stored

    def __hash__(self) -> int:
        return hash((type(self), self.stored))

    def self_parsing(self) -> bool:
        return True

    def process_text(self, qstring: str, mode: str = "", **kwargs: object):
        yield qstring  # a "phrase" is one term (exact.ExactParser folds it)


def make_schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        number=fields.NUMERIC(int, bits=32, signed=False, sortable=True),
        text=ExactText(),
        title=ExactText(stored=True),
        url=fields.STORED(),
        place=fields.STORED(),  # the region's path, as a hit shows it
        region=fields.KEYWORD(commas=True),  # every level of region and regions
        year=fields.NUMERIC(int, bits=32, stored=True),
        date=fields.NUMERIC(int, bits=32, stored=True),  # yyyymmdd; none: the year only
        kind=fields.ID(stored=True),
        tag=fields.KEYWORD(commas=True),  # folded (analysis.normalize)
        author=fields.KEYWORD(commas=True),
        body=fields.STORED(),  # white space runs made one space: what a snippet shows
        folds=fields.STORED(),  # "aA" pairs: each non-ASCII character and its folded form
    )


def searchable_parts(article: Article, text: str | None = None) -> list[str]:
    """The texts a query term is matched against, title first (the exactness contract);
    ``text``: the article's plain text, when the caller has it. A summary the body already
    holds (derived from its first paragraph, cut with "…") is not matched twice."""
    from .analysis import normalize

    text = article.uncached_text() if text is None else text
    summary = article.summary
    if summary and normalize(summary.removesuffix("…")) in normalize(text):
        summary = ""
    return [article.title, article.subtitle, summary, *article.authors, *article.tags, text]


def region_levels(article: Article) -> list[str]:
    """['江苏', '无锡', '江阴'] for a district; [] for 全国."""
    region = article.region
    if region.level == 0:
        return []
    return region.path.split("/")


def region_paths(article: Article) -> list[str]:
    """Every place a ``region:`` filter finds the article under: each level of its region
    and of the other places it is about (``regions``), as the region pages list it."""
    paths: dict[str, None] = {}
    for region in (article.region, *article.regions):
        levels = region.path.split("/") if region.level else [region.path]
        for i in range(len(levels)):
            paths["/".join(levels[:i + 1])] = None
    return list(paths)


def order_key(article: Article) -> str:
    """Sorts like Article.sort_key (newest first, then URL; a year-only article after the
    dated ones of its year): the tie-break of equal scores, and the document numbers."""
    date = article.date
    day = date.year * 10000 + date.month * 100 + date.day if date else article.year * 10000
    return f"{99999999 - day:08d} {article.url}"


def date_number(article: Article) -> int:
    """yyyymmdd, or 0 for an article known by its year only."""
    date = article.date
    return date.year * 10000 + date.month * 100 + date.day if date else 0


def document(article: Article, number: int, view: dict[str, object]) -> dict[str, object]:
    """The Whoosh document of an article, document ``number`` of the export; ``view``: its
    export.doc_view (what a hit shows)."""
    from .analysis import normalize

    doc: dict[str, object] = {
        "id": article.id,
        "number": number,
        "title": article.title,
        "url": article.url,
        "place": article.region.path,
        "region": ",".join(region_paths(article)),
        "year": article.year,
        "kind": article.kind,
        "tag": ",".join(normalize(t).replace(",", "") for t in article.tags),
        "author": ",".join(normalize(a).replace(",", "") for a in article.authors),
        "body": view["x"],
        "folds": view["f"],
    }
    if article.date:
        doc["date"] = date_number(article)
    return {k: v for k, v in doc.items() if v != ""}
