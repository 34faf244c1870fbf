"""What templates see: small view objects made from a page's plan data as it is rendered.

The plan keeps articles, region and year nodes (fingerprints and the reuse of a saved plan
work on those); a template gets only the plain values it shows — titles, URLs, counts, dates
already written out — never an Article or the Config (as Zola serializes its pages for
templates). Views are made from what a page's fingerprint covers, so equal fingerprints still
mean equal pages. Every URL in a view is site-relative; templates write links through the
``href`` filter, which makes them relative to the page and names ``index.html`` (the archive
is also read from a folder, where a link to a folder opens a directory listing).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import jinja2
import markupsafe

from ..archive import RegionNode, TagNode, YearNode
from ..config import Config
from ..content import Article
from ..content.bulletins import Bulletin
from ..gazetteer import Region
from .coverage import ProvinceMap, YearBar
from .plan import ARTICLE_TEMPLATE, Pager

# The main navigation: (section URL, label); a page under a section's URL marks it current.
SECTIONS = (("regions/", "地区"), ("years/", "年份"), ("tags/", "专题"), ("bulletins/", "原版"))


@dataclass(frozen=True)
class SiteView:
    title: str
    description: str
    language: str
    base_url: str  # absolute, ending in "/"; "" when the site has none
    feeds: FeedRules

    @property
    def locale(self) -> str:  # Open Graph's form: zh_CN
        return self.language.replace("-", "_")


@dataclass(frozen=True)
class FeedRules:
    """Which listings have an Atom feed (render/feeds.py writes them)."""

    per_province: bool
    per_city: bool
    per_tag: bool

    def region(self, region: Region) -> bool:
        return (self.per_province and region.level <= 1) or (self.per_city and region.level == 2)


@dataclass(frozen=True)
class Link:
    url: str  # site-relative
    text: str
    count: int | None = None


@dataclass(frozen=True)
class ArticleItem:
    """An article in a list."""

    url: str
    title: str
    date: str  # 2024年2月7日, or 2024年 when only the year is known
    iso_date: str  # for <time datetime>; "" when only the year is known
    region: str  # 江苏/无锡/江阴
    summary: str


@dataclass(frozen=True)
class ArticleView(ArticleItem):
    """The article of an article page."""

    subtitle: str = ""
    authors: tuple[str, ...] = ()
    body: str = ""  # sanitized HTML
    year: int = 0
    regions: tuple[Link, ...] = ()  # every place it is about, the main one first
    source: str = ""  # the bulletin file it was cut from, when it has no page here
    json_ld: str = ""  # schema.org NewsArticle, safe inside <script type=application/ld+json>


@dataclass(frozen=True)
class RegionView:
    name: str
    full_name: str
    path: str
    url: str
    level: int  # 0 全国, 1 province, 2 city, 3 county
    count: int  # articles about it or any place inside it, each once
    children: tuple[Link, ...]
    years: tuple[Link, ...]  # its year pages, newest first
    feed_url: str  # "" when it has no feed


@dataclass(frozen=True)
class YearView:
    year: int
    url: str
    count: int
    provinces: tuple[Link, ...]  # each province's page of this year, with its count


@dataclass(frozen=True)
class TagView:
    name: str
    url: str
    count: int
    feed_url: str


@dataclass(frozen=True)
class PagerView:
    items: tuple
    number: int
    count: int
    previous_url: str | None
    next_url: str | None
    links: tuple  # (number, URL) pairs and None for gaps


@dataclass(frozen=True)
class BulletinView:
    """A newspaper page as received: named by paper, date and page, as far as they are known."""

    name: str  # the file, e.g. 003_0f1a193ba6c2174a.txt (provenance)
    url: str
    label: str  # 某报 · 2020年2月24日 · A06版: what is known of it
    lead: str  # the first article's headline
    title: str  # the label, and the lead when the label gives no paper or page
    paper: str
    date: str  # 2020年2月24日, or 2024年 when the page gives only its year
    iso_date: str  # "" unless the day is known
    page: str
    editors: tuple[str, ...]
    sections: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class PageView:
    """Where the page sits: for links, the nav and the tags that describe it to others."""

    url: str
    root: str  # the site root relative to the page ("../../"), absolute on the 404 page
    canonical: str  # the absolute URL, "" without base_url
    section: str  # the SECTIONS URL the page belongs to, "" for none
    nav: tuple[tuple[str, str], ...] = field(default=SECTIONS)


def site_view(config: Config) -> SiteView:
    base = config.base_url.rstrip("/") + "/" if config.base_url else ""
    feeds = FeedRules(config.feeds.per_province, config.feeds.per_city, config.feeds.per_tag)
    return SiteView(config.title, config.description, config.language, base, feeds)


def page_view(url: str, root: str, site: SiteView) -> PageView:
    section = next((s for s, _ in SECTIONS if url.startswith(s)), "")
    canonical = site.base_url + url if site.base_url and url != "404.html" else ""
    return PageView(url, root, canonical, section)


def page_context(template: str, context: dict, site: SiteView) -> dict:
    """The page's plan context as views: the article of an article page whole, every other
    article as a list item, nodes and pagers as their views."""
    feeds = site.feeds
    out = {key: present(value, feeds) for key, value in context.items()
           if key not in ("article", "body")}
    if template == ARTICLE_TEMPLATE:
        out["article"] = article_view(context["article"], context["body"], site)
    return out


def present(value: object, feeds: FeedRules) -> object:
    """``value`` as templates see it (plain values and views pass through)."""
    if isinstance(value, Article):
        return article_item(value)
    if isinstance(value, list | tuple):
        return tuple(present(v, feeds) for v in value)
    if isinstance(value, dict):
        return {k: present(v, feeds) for k, v in value.items()}
    if isinstance(value, RegionNode):
        return region_view(value, feeds)
    if isinstance(value, YearNode):
        return YearView(value.year, value.url, len(value.articles),
                        tuple(Link(p.year_url(value.year), p.region.name, len(items))
                              for p, items in value.by_province))
    if isinstance(value, TagNode):
        return TagView(value.name, value.url, len(value.articles),
                       f"{value.url}feed.xml" if feeds.per_tag else "")
    if isinstance(value, Pager):
        return PagerView(present(value.items, feeds), value.number, value.count,  # type: ignore[arg-type]
                         value.previous_url, value.next_url, tuple(value.links))
    if isinstance(value, Bulletin):
        return bulletin_view(value)
    if isinstance(value, Region):
        return region_link(value)
    if value is None or isinstance(value, str | int | float | ProvinceMap | YearBar):
        return value
    raise TypeError(f"no view for {type(value).__name__}: add it to render/views.py")


def region_link(region: Region) -> Link:
    return Link(f"regions/{region.slug_path}/", region.name)


def region_view(node: RegionNode, feeds: FeedRules) -> RegionView:
    return RegionView(
        node.region.name, node.region.full_name, node.region.path, node.url, node.region.level,
        len(node.articles),
        tuple(Link(c.url, c.region.name, len(c.articles)) for c in node.children),
        tuple(Link(node.year_url(y), f"{y}年", len(items)) for y, items in node.years.items()),
        f"{node.url}feed.xml" if feeds.region(node.region) else "")


def zh_date(date: dt.date | None, year: int) -> str:
    """2024-02-07 → 2024年2月7日; a year-only item shows just 2024年."""
    if date is None:
        return f"{year}年"
    return f"{date.year}年{date.month}月{date.day}日"


def article_item(a: Article) -> ArticleItem:
    return ArticleItem(a.url, a.title, zh_date(a.date, a.year),
                       a.date.isoformat() if a.date else "", a.region.path, a.summary)


def article_view(a: Article, body: str, site: SiteView) -> ArticleView:
    item = article_item(a)
    return ArticleView(
        **vars(item), subtitle=a.subtitle, authors=a.authors, body=body, year=a.year,
        regions=tuple(Link(region_link(r).url, r.path) for r in a.regions),
        source=a.source, json_ld=news_article_json(a, site))


def news_article_json(a: Article, site: SiteView) -> str:
    """schema.org NewsArticle: what search engines and link previews read of the article."""
    place: dict = {"@type": "Place", "name": a.region.path}
    if not a.region.is_national:
        address = {"@type": "PostalAddress", "addressCountry": "CN",
                   "addressRegion": a.region.full_names[0]}
        if len(a.region.full_names) > 1:
            address["addressLocality"] = "".join(a.region.full_names[1:])
        place["address"] = address
    publisher = {"@type": "Organization", "name": site.title}
    data: dict = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": a.title,
        "datePublished": a.date.isoformat() if a.date else str(a.year),
        "author": ([{"@type": "Person", "name": name} for name in a.authors]
                   or [publisher]),
        "publisher": publisher,
        "contentLocation": place,
        "inLanguage": site.language,
        "description": a.summary,
    }
    if a.tags:
        data["keywords"] = list(a.tags)
    if site.base_url:
        data["url"] = data["mainEntityOfPage"] = site.base_url + a.url
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # Inside <script>, "</script" or "<!--" in a title would end or confuse the element.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def bulletin_view(b: Bulletin) -> BulletinView:
    meta = b.meta
    paper = _text(meta.get("paper"))
    date, iso, year = _bulletin_date(meta)
    page = _text(meta.get("page"))
    page_text = "" if not page else page if page.endswith("版") else (
        f"第{page}版" if page.isdigit() else f"{page}版")
    titles = [_text(a.get("title")) for a in meta.get("articles") or [] if isinstance(a, dict)]
    date = date or (f"{year}年" if year else "")
    parts = [paper, date, page_text]
    label = " · ".join(p for p in parts if p) or "版面"
    lead = next((t for t in titles if t), "")
    title = label if paper or page_text or not lead else f"{label} · {lead}"
    return BulletinView(
        b.name, b.url, label, lead, title, paper, date, iso, page_text,
        tuple(_text(e) for e in meta.get("editors") or [] if _text(e)),
        tuple(_text(s) for s in meta.get("section") or [] if _text(s)), b.text)


def _bulletin_date(meta: dict) -> tuple[str, str, int | None]:
    """(2020年2月24日, 2020-02-24, 2020) from the manifest, as far as it gives them."""
    year = meta.get("year") if isinstance(meta.get("year"), int) else None
    raw = _text(meta.get("date"))
    try:
        date = dt.date.fromisoformat(raw)
    except ValueError:
        return raw, "", year  # (a hand-written date is shown as written)
    return zh_date(date, date.year), date.isoformat(), date.year


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def page_file(url: str) -> str:
    """The file a site-relative URL names: a folder's ``index.html``."""
    return f"{url}index.html" if url == "" or url.endswith("/") else url


def place(path: str) -> markupsafe.Markup:
    """A region path (江苏/无锡/江阴) that may wrap after a slash but never inside a name. (A
    filter, not a template macro: it is in every list item, and a macro call cost a build of
    10,000 articles a tenth of its rendering.)"""
    names = "/<wbr>".join(f'<span class="name">{markupsafe.escape(n)}</span>'
                          for n in path.split("/"))
    return markupsafe.Markup(f'<span class="place">{names}</span>')


@jinja2.pass_context
def href(context: jinja2.runtime.Context, url: str) -> str:
    """A link from the page being rendered to the site-relative ``url``."""
    return context["root"] + page_file(url)
