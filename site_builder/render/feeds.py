"""Atom feeds, sitemap.xml and robots.txt, written with the standard XML library."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

from ..config import Config
from ..content import Article
from .media import body_for_page

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


def sitemap(config: Config, urls: list[str]) -> bytes:
    root = ET.Element(f"{{{SITEMAP}}}urlset")
    ET.register_namespace("", SITEMAP)
    for url in urls:
        ET.SubElement(ET.SubElement(root, f"{{{SITEMAP}}}url"), f"{{{SITEMAP}}}loc").text = (
            absolute(config, url))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def robots(config: Config) -> bytes:
    return f"User-agent: *\nAllow: /\nSitemap: {absolute(config, 'sitemap.xml')}\n".encode()
