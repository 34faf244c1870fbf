"""Articles made in memory, for unit tests of the stages after content (archive, render,
feeds): a name, a place and a date or a year; the other fields as the loader fills them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from site_builder.content import Article
from site_builder.gazetteer import default_gazetteer


def article(name: str, region: str = "江苏/无锡", date: str | None = "2024-02-01", *,
            year: int | None = None, tags: Iterable[str] = (), regions: Iterable[str] = (),
            title: str | None = None, authors: Iterable[str] = (), source: str = "",
            body_html: str = "<p>正文。</p>") -> Article:
    """``date`` None makes an article dated by its ``year`` only."""
    gazetteer = default_gazetteer()
    places = []
    for path in (region, *regions):
        place = gazetteer.resolve(path)
        assert place is not None, path
        if place not in places:
            places.append(place)
    when = dt.date.fromisoformat(date) if date else None
    year = when.year if when else year
    assert year is not None, "an article needs a date or a year"
    return Article(
        source_path=f"content/articles/{year}/{name}.md", url=f"articles/{year}/{name}/",
        digest=name, title=title or name, subtitle="", date=when, year=year, region=places[0],
        regions=tuple(places), authors=tuple(authors), tags=tuple(tags), kind="news",
        source=source, summary=f"{title or name}的摘要", draft=False, body_html=body_html)


def newest_first(articles: Iterable[Article]) -> list[Article]:
    """In the order the content stage hands articles on."""
    return sorted(articles, key=lambda a: a.sort_key)
