"""Atom feeds, sitemap.xml and robots.txt, written with the standard XML library."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

from ..archive import Archive, RegionNode, TagNode, YearNode
from ..config import Config
from ..content import Article
from .media import body_for_page
from .plan import ARTICLE_TEMPLATE, Page, Pager

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"


def absolute(config: Config, url: str) -> str:
    """A site URL made absolute with ``base_url`` (or root-relative when there is none)."""
    base = config.base_url.rstrip("/") if config.base_url else ""
    return f"{base}/{url}"


def _timestamp(a: Article) -> str:
    when = a.date or dt.date(a.year, 1, 1)
    return f"{when.isoformat()}T00:00:00+08:00"


def atom_feed(config: Config, articles: list[Article], feed_url: str, title: str) -> bytes:
    """An Atom 1.0 feed of the newest articles; 'updated' is the newest article's date."""
    entries = articles[: config.feeds.entries]
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": config.language})
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = absolute(config, feed_url)
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": absolute(config, feed_url)})
    ET.SubElement(feed, f"{{{ATOM}}}link", {"href": absolute(config, "")})
    updated = max((_timestamp(a) for a in entries), default="1970-01-01T00:00:00+08:00")
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = updated
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = config.title
    for a in entries:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}title").text = a.title
        ET.SubElement(entry, f"{{{ATOM}}}id").text = absolute(config, a.url)
        ET.SubElement(entry, f"{{{ATOM}}}link", {"href": absolute(config, a.url)})
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _timestamp(a)
        for name in a.authors:
            ET.SubElement(ET.SubElement(entry, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = name
        ET.SubElement(entry, f"{{{ATOM}}}category", {"term": a.region.path})
        for tag in a.tags:
            ET.SubElement(entry, f"{{{ATOM}}}category", {"term": tag})
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = a.summary
        ET.SubElement(entry, f"{{{ATOM}}}content", {"type": "html"}).text = body_for_page(
            a, absolute(config, ""))
    ET.indent(feed)
    xml = ET.tostring(feed, encoding="utf-8", xml_declaration=True).decode("utf-8")
    # ElementTree writes control characters from a body as they are, which XML forbids.
    return _NOT_XML.sub("", xml).encode("utf-8") + b"\n"


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def sitemap(config: Config, entries: list[tuple[str, str]]) -> bytes:
    """Every page but the 404 page, with the date of the newest article it shows."""
    root = ET.Element(f"{{{SITEMAP}}}urlset")
    ET.register_namespace("", SITEMAP)
    for url, lastmod in entries:
        item = ET.SubElement(root, f"{{{SITEMAP}}}url")
        ET.SubElement(item, f"{{{SITEMAP}}}loc").text = absolute(config, url)
        if lastmod:
            ET.SubElement(item, f"{{{SITEMAP}}}lastmod").text = lastmod
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def sitemap_entries(pages: list[Page], archive: Archive) -> list[tuple[str, str]]:
    """(URL, lastmod) of every page but the 404 page. An article page's lastmod is the
    article's date; a list's, its newest article's (a new article changes the list, and
    the pages after it); a page that shows no article, the archive's newest."""
    by_url = {a.url: a for a in archive.articles}
    overall = archive.articles[0] if archive.articles else None
    entries = []
    for page in pages:
        if page.url.endswith(".html"):
            continue
        article = by_url.get(page.url)
        if article is None or page.template != ARTICLE_TEMPLATE:
            article = _newest(page.context.values()) or overall
        entries.append((page.url, w3c_date(article) if article else ""))
    return entries


def w3c_date(a: Article) -> str:
    """2024-02-07, or 2024 for an article dated by its year only (both W3C datetimes)."""
    return a.date.isoformat() if a.date else str(a.year)


def _newest(values) -> Article | None:
    """The newest article in a page's context (in lists, pagers, nodes; not in views)."""
    best: Article | None = None
    for value in values:
        if isinstance(value, Article):
            found = value
        elif isinstance(value, RegionNode | YearNode | TagNode):
            found = value.articles[0] if value.articles else None
        elif isinstance(value, Pager):
            found = _newest(value.items)
        elif isinstance(value, list | tuple):
            found = _newest(value)
        elif isinstance(value, dict):
            found = _newest(value.values())
        else:
            continue
        if found is not None and (best is None or found.sort_key < best.sort_key):
            best = found
    return best


def robots(config: Config) -> bytes:
    """Crawlers may read everything; the sitemap is named only by an absolute URL (the
    robots.txt standard wants one), so not at all without ``base_url``."""
    lines = ["User-agent: *", "Allow: /"]
    if config.base_url:
        lines.append(f"Sitemap: {absolute(config, 'sitemap.xml')}")
    return ("\n".join(lines) + "\n").encode()
