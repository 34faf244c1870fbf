"""The Whoosh schema and the document made from an Article.

Whoosh holds the words (title, subtitle, body: BM25F ranking), the facets (region levels,
year, kind), the tie-break order and the stored fields for results. Exact matching uses the
gram index (grams.py), whose postings Whoosh's pure-Python writer would take minutes to store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from whoosh import fields

from ..content import Article
from .analysis import WordTokenizer

SCHEMA_VERSION = 2


def make_schema(extra_words: tuple[str, ...]) -> fields.Schema:
    words = WordTokenizer(extra_words)
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        url=fields.STORED(),
        title=fields.TEXT(analyzer=words, phrase=False, stored=True),
        subtitle=fields.TEXT(analyzer=words, phrase=False, stored=True),
        body=fields.TEXT(analyzer=words, phrase=False, stored=True),
        summary=fields.STORED(),
        authors=fields.KEYWORD(stored=True, commas=True),
        tags=fields.KEYWORD(stored=True, commas=True),
        region=fields.ID(stored=True, sortable=True),
        region_path=fields.KEYWORD(commas=True),
        province=fields.ID(stored=True, sortable=True),
        city=fields.ID(stored=True, sortable=True),
        district=fields.ID(stored=True),
        year=fields.ID(stored=True, sortable=True),
        date=fields.ID(stored=True),
        kind=fields.ID(stored=True, sortable=True),
        order=fields.ID(sortable=True),
        digest=fields.STORED(),
    )


def searchable_parts(article: Article) -> list[str]:
    """The texts a query term is matched against, title first (the exactness contract)."""
    return [article.title, article.subtitle, article.summary, *article.authors,
            *article.tags, article.text]


def region_levels(article: Article) -> list[str]:
    """['江苏', '无锡', '江阴'] for a district; [] for 全国."""
    region = article.region
    if region.level == 0:
        return []
    return region.path.split("/")


def order_key(article: Article) -> str:
    """Sorts like Article.sort_key (newest first, then URL): the tie-break of equal scores."""
    when = article.date or dt.date(article.year, 12, 31)
    return f"{99999999 - int(when.strftime('%Y%m%d')):08d} {article.url}"


def document(article: Article) -> dict[str, object]:
    """The Whoosh document of an article; ``digest`` tells later builds if it changed."""
    levels = region_levels(article)
    prefixes = ["/".join(levels[:i + 1]) for i in range(len(levels))] or [article.region.path]
    doc: dict[str, object] = {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "subtitle": article.subtitle,
        "body": article.text,
        "summary": article.summary,
        "authors": ",".join(a.replace(",", " ") for a in article.authors),
        "tags": ",".join(t.replace(",", " ") for t in article.tags),
        "region": article.region.path,
        "region_path": ",".join(prefixes),
        "province": levels[0] if levels else article.region.path,
        "city": levels[1] if len(levels) > 1 else "",
        "district": levels[2] if len(levels) > 2 else "",
        "year": str(article.year),
        "date": article.date.isoformat() if article.date else "",
        "kind": article.kind,
        "order": order_key(article),
    }
    doc["digest"] = hashlib.sha256(
        json.dumps(doc, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()[:24]
    return {k: v for k, v in doc.items() if v != "" or k in ("id", "url", "title")}
