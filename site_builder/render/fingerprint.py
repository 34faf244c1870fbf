"""Fingerprints of page contexts: a page whose fingerprint did not change is not rendered again.

A context is reduced to the facts its template can show: an article by its URL and content
hash, a region listing by its counts, a pager by its items. Templates get only their context
(no global state), so two equal fingerprints mean the same HTML for the same templates.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from ..archive import RegionNode, TagNode, YearNode
from ..content import Article
from ..content.bulletins import Bulletin
from ..gazetteer import Region
from .coverage import ProvinceMap, YearBar
from .plan import Page, Pager


def signature(value: object) -> object:
    """A hashable, repr-stable summary of what a template can read from ``value``."""
    handler = _HANDLERS.get(type(value))
    if handler is None:
        if isinstance(value, dt.date):
            return value.isoformat()
        raise TypeError(f"no fingerprint for {type(value).__name__}: add it to render/fingerprint.py")
    return handler(value)


def _sequence(values: list | tuple) -> tuple:
    return tuple(signature(v) for v in values)


_HELD: list[str] | None = None


def _article(article: Article) -> tuple:
    if _HELD is not None:
        _HELD.append(article.id)
    return ("A", article.url, article.digest)


_HANDLERS: dict[type, Callable[[Any], object]] = {
    str: lambda v: v, int: lambda v: v, float: lambda v: v, bool: lambda v: v,
    type(None): lambda v: v,
    Article: _article,
    Region: lambda r: ("G", r.path),
    RegionNode: lambda n: ("R", n.region.path, len(n.articles),
                           tuple((c.region.path, len(c.articles)) for c in n.children),
                           tuple((y, len(items)) for y, items in n.years.items())),
    YearNode: lambda y: ("Y", y.year, len(y.articles),
                         tuple((p.region.path, len(items)) for p, items in y.by_province)),
    TagNode: lambda t: ("T", t.name, t.slug, len(t.articles)),
    Pager: lambda p: ("P", p.number, p.count, p.base_url, _sequence(p.items)),
    Bulletin: lambda b: ("B", b.name, hashlib.blake2b(b.text.encode()).hexdigest(),
                         repr(sorted(b.meta.items()))),
    ProvinceMap: dataclasses.astuple,  # (plain values throughout)
    YearBar: dataclasses.astuple,
    list: _sequence,
    tuple: _sequence,
    dict: lambda d: tuple((k, signature(v)) for k, v in sorted(d.items())),
}


def page_fingerprint(page: Page, held: list[str] | None = None) -> str:
    """The page's fingerprint; ``held`` collects the ids of the articles in its context."""
    global _HELD
    _HELD = held
    try:
        data = repr((page.template, page.url, signature(page.context))).encode()
    finally:
        _HELD = None
    return hashlib.blake2b(data, digest_size=16).hexdigest()

