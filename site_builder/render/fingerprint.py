"""Fingerprints of page contexts: a page whose fingerprint did not change is not rendered again.

A context is reduced to the facts its template can show: an article by its URL and content
hash, a region listing by its counts, a pager by its items. Templates get only their context
(no global state), so two equal fingerprints mean the same HTML for the same templates.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from ..archive import RegionNode, TagNode, YearNode
from ..content import Article
from ..content.bulletins import Bulletin
from ..gazetteer import Region
from .plan import Page, Pager


def signature(value: object) -> object:
    """A hashable, repr-stable summary of what a template can read from ``value``."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Article):
        return ("A", value.url, value.digest)
    if isinstance(value, Region):
        return ("G", value.path)
    if isinstance(value, RegionNode):
        return ("R", value.region.path, len(value.articles),
                tuple((c.region.path, len(c.articles)) for c in value.children),
                tuple((y, len(items)) for y, items in value.years.items()))
    if isinstance(value, YearNode):
        return ("Y", value.year, len(value.articles),
                tuple((p.region.path, len(items)) for p, items in value.by_province))
    if isinstance(value, TagNode):
        return ("T", value.name, value.slug, len(value.articles))
    if isinstance(value, Pager):
        return ("P", value.number, value.count, tuple(value.urls), signature(value.items))
    if isinstance(value, Bulletin):
        return ("B", value.name, hashlib.blake2b(value.text.encode()).hexdigest(),
                repr(sorted(value.meta.items())))
    if isinstance(value, list | tuple):
        return tuple(signature(v) for v in value)
    if isinstance(value, dict):
        return tuple((k, signature(v)) for k, v in sorted(value.items()))
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"no fingerprint for {type(value).__name__}: add it to render/fingerprint.py")


def page_fingerprint(page: Page) -> str:
    data = repr((page.template, page.url, signature(page.context))).encode()
    return hashlib.blake2b(data, digest_size=16).hexdigest()
