"""Markdown → safe HTML, and HTML → plain text for search and summaries."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import ClassVar

import markdown
import nh3

_EXTENSIONS = ["extra", "sane_lists"]
# What an article body may contain once sanitized: text structure, links, images, tables.
_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div", "dl",
    "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
    "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "abbr": {"title"},
    "*": {"id", "class"},
}
# An image in a sanitized body: groups (before the source, the source, its closing quote).
IMG_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]+)(")')

_converter: markdown.Markdown | None = None

# Python-Markdown scans forward from every '[' to its matching ']' (links, images) and from
# every '<' to the next '>' (inline HTML, autolinks): text full of unclosed ones costs time
# quadratic in its length (10,000 '[' took seconds, a megabyte hours). A paragraph whose scans
# would pass this many characters is shown as the text it is, every character kept.
MAX_SCAN = 1_000_000
_BRACKETS = re.compile(r"[\[\]]")
_ANGLES = re.compile(r"[<>]")
_BLOCKS = re.compile(r"\n[ \t]*\n")


def scan_cost(text: str) -> int:
    """Characters Python-Markdown's inline patterns would scan forward in ``text``."""
    cost, opened = 0, []
    for m in _BRACKETS.finditer(text):
        if m.group() == "[":
            opened.append(m.start())
        elif opened:
            cost += m.start() - opened.pop()
    cost += sum(len(text) - start for start in opened)
    waiting = []
    for m in _ANGLES.finditer(text):
        if m.group() == "<":
            waiting.append(m.start())
        else:
            cost += sum(m.start() - start for start in waiting)
            waiting.clear()
    return cost + sum(len(text) - start for start in waiting)


def _as_text_when_pathological(text: str) -> str:
    if ("[" not in text and "<" not in text) or scan_cost(text) <= MAX_SCAN:
        return text
    return "\n\n".join(
        f"<p>{html.escape(block.strip(), quote=False)}</p>" if scan_cost(block) > MAX_SCAN
        else block for block in _BLOCKS.split(text))


def render_markdown(text: str, *, trusted_html: bool = False) -> str:
    """Render an article body; raw HTML is sanitized unless the site trusts its editors' HTML."""
    global _converter
    if _converter is None:  # building the converter costs more than converting one article
        _converter = markdown.Markdown(extensions=_EXTENSIONS, output_format="html")
    out = _converter.reset().convert(_as_text_when_pathological(text))
    if trusted_html:
        return out
    return nh3.clean(
        out,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


class _TextExtractor(HTMLParser):
    _BLOCKS: ClassVar[set[str]] = {
        "p", "li", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "br", "div", "pre",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment, one line per block."""
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def escape(text: str) -> str:
    return html.escape(text, quote=True)
