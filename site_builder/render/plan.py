"""The output plan: every HTML page the site has, as (URL, template, context).

Planning is separate from rendering so the plan can be checked (every link points at a
planned page), rendered in parallel, and compared between builds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..archive import Archive, RegionNode
from ..config import Config
from ..content import Article
from ..content.bulletins import Bulletin
from ..gazetteer import Region
from .coverage import archive_years, province_map, region_years
from .media import body_for_page

HOME_NEWEST = 12
ARTICLE_TEMPLATE = "article.html"
SEARCH_URL = "search/"


@dataclass(frozen=True)
class Page:
    url: str  # site-relative, "" for home, "regions/jiangsu/" for a folder page
    template: str
    context: dict = field(default_factory=dict, compare=False)

    @property
    def file(self) -> str:
        """Where the page is written, relative to the output folder."""
        if self.url.endswith(".html"):
            return self.url
        return f"{self.url}index.html"


@dataclass(frozen=True)
class Pager:
    """One page of a long list."""

    items: list
    number: int
    count: int
    base_url: str  # URL of the first page; page n is at base_url/page/n/

    def url(self, number: int) -> str:
        return self.base_url if number == 1 else f"{self.base_url}page/{number}/"

    @property
    def previous_url(self) -> str | None:
        return self.url(self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.url(self.number + 1) if self.number < self.count else None

    @property
    def links(self) -> list[tuple[int, str] | None]:
        """(number, URL) of the pages the navigation shows: the first, the last and those
        within PAGER_WINDOW of this one; None where pages are left out. Linking every page
        made a list of n pages cost n² (5,000 links on each of 5,000 pages at 100k)."""
        shown = sorted({1, self.count, *range(max(1, self.number - PAGER_WINDOW),
                                                 min(self.count, self.number + PAGER_WINDOW) + 1)})
        out: list[tuple[int, str] | None] = []
        for number in shown:
            if out and out[-1] is not None and number > out[-1][0] + 1:
                out.append(None)
            out.append((number, self.url(number)))
        return out


PAGER_WINDOW = 2


def paginate(items: list, base_url: str, per_page: int) -> list[tuple[str, Pager]]:
    """Split ``items``: page 1 at ``base_url``, page n at ``base_url/page/n/``."""
    count = max(1, math.ceil(len(items) / per_page))
    pagers = [Pager(items[(n - 1) * per_page: n * per_page], n, count, base_url)
              for n in range(1, count + 1)]
    return [(pager.url(pager.number), pager) for pager in pagers]


def plan_site(archive: Archive, bulletins: list[Bulletin], config: Config) -> list[Page]:
    """All pages, in a fixed order."""
    per_page = config.pagination.per_page
    by_source = _articles_by_source(archive.articles)
    bulletin_by_name = {b.name: b for b in bulletins}
    tag_urls = {t.name: t.url for t in archive.tags}
    maps = {p.region.path: province_map(archive, p.region.name)  # on each province's page
            for p in archive.provinces if p.region.level == 1}
    pages = [
        Page("", "index.html", {
            "newest": archive.articles[:HOME_NEWEST],
            "map": province_map(archive),
            "year_bars": archive_years(archive),
            "total": len(archive.articles),
            "year_count": len(archive.years),
            "provinces": archive.provinces,
        }),
        Page("regions/", "regions.html", {"provinces": _tree(archive.provinces)}),
        Page("years/", "years.html", {"year_bars": archive_years(archive)}),
        Page("tags/", "tags.html", {"tags": archive.tags}),
        search_page(None),
        Page("404.html", "404.html", {}),
    ]
    pages.append(Page("bulletins/", "bulletins.html", {
        "bulletins": [(b, by_source.get(b.name, [])) for b in newest_bulletins(bulletins)],
    }))
    for a in archive.articles:
        pages.append(article_page(a, archive, tag_urls, bulletin_by_name))
    for node in archive.regions.values():
        for url, pager in paginate(node.articles, node.url, per_page):
            pages.append(Page(url, "region.html", {
                "node": node, "pager": pager, "crumbs": _crumbs(node.region),
                "groups": _group_by_year(pager.items),
                "map": maps.get(node.region.path), "year_bars": region_years(node),
            }))
        for year, items in node.years.items():
            for url, pager in paginate(items, node.year_url(year), per_page):
                pages.append(Page(url, "region_year.html", {
                    "node": node, "year": year, "count": len(items), "pager": pager,
                    "crumbs": _crumbs(node.region),
                }))
    for year in archive.years:
        for url, pager in paginate(year.articles, year.url, per_page):
            pages.append(Page(url, "year.html", {
                "year": year, "pager": pager, "groups": _group_by_province(pager.items, archive),
            }))
    for tag in archive.tags:
        for url, pager in paginate(tag.articles, tag.url, per_page):
            pages.append(Page(url, "tag.html", {"tag": tag, "pager": pager}))
    for b in bulletins:
        pages.append(Page(b.url, "bulletin.html", {
            "bulletin": b, "articles": by_source.get(b.name, []),
        }))
    return pages


def search_page(manifest: str | None) -> Page:
    """The search page; ``manifest``: the search export's manifest.json, which the page
    carries so that its script need not fetch it (the build renders it once the search
    stage is done; the plan's copy, without it, only stands in for it)."""
    return Page(SEARCH_URL, "search.html", {"search_manifest": manifest})


def article_page(a: Article, archive: Archive, tag_urls: dict[str, str],
                 bulletin_by_name: dict[str, Bulletin]) -> Page:
    return Page(a.url, ARTICLE_TEMPLATE, {
        "article": a,
        "body": body_for_page(a),
        "tag_links": [(t, tag_urls[t]) for t in a.tags],
        "crumbs": _crumbs(a.region),
        "previous": archive.previous.get(a.id),
        "next": archive.next.get(a.id),
        "neighbours": f"{a.region.path} · {a.year}年",  # what previous and next are among
        "related": archive.related.get(a.id, []),
        "bulletin": bulletin_by_name.get(a.source),
    })


class LaterArticlePage(Page):
    """An article's page whose context is made when first read. A build that reuses a saved
    plan renders a handful of its 10,000 article pages: making every context took 0.15 s."""

    def __init__(self, article: Article, archive: Archive, tag_urls: dict[str, str],
                 bulletin_by_name: dict[str, Bulletin]) -> None:
        object.__setattr__(self, "url", article.url)
        object.__setattr__(self, "template", ARTICLE_TEMPLATE)
        object.__setattr__(self, "_making", (article, archive, tag_urls, bulletin_by_name))

    @property
    def context(self) -> dict:  # type: ignore[override]
        made = self.__dict__.get("_context")
        if made is None:
            made = article_page(*self._making).context
            object.__setattr__(self, "_context", made)
        return made


def newest_bulletins(bulletins: list[Bulletin]) -> list[Bulletin]:
    """Newest first as far as their manifests date them (year, then date), then by name."""
    def when(b: Bulletin) -> tuple[int, str]:
        date = b.meta.get("date") if isinstance(b.meta.get("date"), str) else ""
        year = b.meta.get("year")
        if not isinstance(year, int):
            year = int(date[:4]) if date[:4].isdigit() else 0
        return year, date

    return sorted(sorted(bulletins, key=lambda b: b.name), key=when, reverse=True)


def _crumbs(region: Region) -> list[Region]:
    return [region] if region.is_national else region.ancestors()


def _tree(nodes: list[RegionNode]) -> list[tuple[RegionNode, list]]:
    """The region hierarchy as (node, children) pairs, so the page's fingerprint covers it all."""
    return [(n, _tree(n.children)) for n in nodes]


def _articles_by_source(articles: list[Article]) -> dict[str, list[Article]]:
    out: dict[str, list[Article]] = {}
    for a in articles:
        if a.source:
            out.setdefault(a.source, []).append(a)
    return out


def _group_by_year(items: list[Article]) -> list[tuple[int, list[Article]]]:
    groups: dict[int, list[Article]] = {}
    for a in items:
        groups.setdefault(a.year, []).append(a)
    return list(groups.items())


def _group_by_province(items: list[Article], archive: Archive
                       ) -> list[tuple[RegionNode, list[Article]]]:
    groups: dict[str, list[Article]] = {}
    for a in items:
        top = a.region.names[0] if a.region.names else a.region.path
        groups.setdefault(top, []).append(a)
    order = [p.region.path for p in archive.provinces]
    return [(archive.regions[k], groups[k]) for k in sorted(groups, key=order.index)]
