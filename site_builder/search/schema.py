"""The Whoosh schema and the document made from an Article.

Whoosh holds what a result shows (stored fields) and the facets and filters (region levels,
year, kind), updated article by article. Matching and ranking use the exported postings
(grams.py) with statistics computed from the current articles, so the browser and the CLI
score alike and every build of the same content gives the same numbers: Whoosh's pure-Python
writer costs ~25 µs a posting (minutes for the words of 10,000 articles), and its statistics
count replaced documents until segments merge.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from whoosh import fields

if TYPE_CHECKING:
    from ..content import Article

SCHEMA_VERSION = 3


def make_schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        url=fields.STORED(),
        title=fields.STORED(),
        body=fields.STORED(),
        region=fields.ID(stored=True),
        region_path=fields.KEYWORD(commas=True),
        province=fields.ID(stored=True),
        city=fields.ID(stored=True),
        year=fields.ID(stored=True),
        date=fields.STORED(),
        kind=fields.ID(stored=True),
        tags=fields.KEYWORD(stored=True, commas=True),
    )


def searchable_parts(article: Article, text: str | None = None) -> list[str]:
    """The texts a query term is matched against, title first (the exactness contract);
    ``text``: the article's plain text, when the caller has it."""
    return [article.title, article.subtitle, article.summary, *article.authors,
            *article.tags, article.uncached_text() if text is None else text]


def region_levels(article: Article) -> list[str]:
    """['江苏', '无锡', '江阴'] for a district; [] for 全国."""
    region = article.region
    if region.level == 0:
        return []
    return region.path.split("/")


def order_key(article: Article) -> str:
    """Sorts like Article.sort_key (newest first, then URL; a year-only article after the
    dated ones of its year): the tie-break of equal scores, and the document numbers."""
    date = article.date
    day = date.year * 10000 + date.month * 100 + date.day if date else article.year * 10000
    return f"{99999999 - day:08d} {article.url}"


def document(article: Article) -> dict[str, object]:
    """The Whoosh document of an article."""
    levels = region_levels(article)
    prefixes = ["/".join(levels[:i + 1]) for i in range(len(levels))] or [article.region.path]
    doc: dict[str, object] = {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "body": article.uncached_text(),
        "region": article.region.path,
        "region_path": ",".join(prefixes),
        "province": levels[0] if levels else article.region.path,
        "city": levels[1] if len(levels) > 1 else "",
        "year": str(article.year),
        "date": article.date.isoformat() if article.date else "",
        "kind": article.kind,
        "tags": ",".join(t.replace(",", " ") for t in article.tags),
    }
    return {k: v for k, v in doc.items() if v != "" or k in ("id", "url", "title")}
