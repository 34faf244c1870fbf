"""render/plan.py: the list of pages a site has (URL, template, context), its pagination and
its URLs, planned from articles made in memory."""

from __future__ import annotations

from collections import Counter

from articles import article, newest_first

from site_builder.archive import build_archive
from site_builder.config import Config, Pagination
from site_builder.content.bulletins import Bulletin
from site_builder.render.plan import (
    LaterArticlePage,
    Page,
    article_page,
    newest_bulletins,
    paginate,
    plan_site,
)


def config(per_page: int = 2) -> Config:
    return Config(pagination=Pagination(per_page=per_page))


def plan(articles, bulletins=(), per_page: int = 2) -> dict[str, Page]:
    pages = plan_site(build_archive(newest_first(articles)), list(bulletins), config(per_page))
    urls = [p.url for p in pages]
    assert [u for u, n in Counter(urls).items() if n > 1] == []  # one page per URL
    return {p.url: p for p in pages}


def test_every_kind_of_page_is_planned_with_its_template():
    pages = plan([article("jiangyin", "江苏/无锡/江阴", "2024-02-01", tags=["送温暖"],
                          source="003_page.txt"),
                  article("quanzong", "全国", "2025-01-06")],
                 [Bulletin("003_page.txt", "版面文字", {"date": "2024-02-01"})])
    assert {url: page.template for url, page in pages.items()} == {
        "": "index.html",
        "regions/": "regions.html",
        "years/": "years.html",
        "tags/": "tags.html",
        "search/": "search.html",
        "404.html": "404.html",
        "bulletins/": "bulletins.html",
        "articles/2024/jiangyin/": "article.html",
        "articles/2025/quanzong/": "article.html",
        "regions/jiangsu/": "region.html",
        "regions/jiangsu/wuxi/": "region.html",
        "regions/jiangsu/wuxi/jiangyin/": "region.html",
        "regions/national/": "region.html",
        "regions/jiangsu/2024/": "region_year.html",
        "regions/jiangsu/wuxi/2024/": "region_year.html",
        "regions/jiangsu/wuxi/jiangyin/2024/": "region_year.html",
        "regions/national/2025/": "region_year.html",
        "years/2024/": "year.html",
        "years/2025/": "year.html",
        "tags/song-wen-nuan/": "tag.html",
        "bulletins/003-page/": "bulletin.html",
    }


def test_the_page_file_is_index_html_in_the_pages_folder_or_the_named_file():
    assert Page("", "index.html").file == "index.html"
    assert Page("regions/jiangsu/", "region.html").file == "regions/jiangsu/index.html"
    assert Page("404.html", "404.html").file == "404.html"


def test_long_lists_are_paginated_under_page_n_and_every_article_is_listed_once():
    items = [article(f"a{i}", "江苏/无锡/江阴", f"2024-01-{10 + i}", tags=["年货"])
             for i in range(5)]
    pages = plan(items, per_page=2)
    for base in ("regions/jiangsu/", "regions/jiangsu/wuxi/jiangyin/",
                 "regions/jiangsu/wuxi/jiangyin/2024/", "years/2024/", "tags/nian-huo/"):
        urls = [base, f"{base}page/2/", f"{base}page/3/"]
        assert all(u in pages for u in urls) and f"{base}page/4/" not in pages, base
        listed = [a.url for u in urls for a in pages[u].context["pager"].items]
        assert listed == [a.url for a in newest_first(items)], base  # newest first, once each
        assert [pages[u].context["pager"].number for u in urls] == [1, 2, 3]
    assert pages["years/2024/page/3/"].context["pager"].next_url is None
    assert pages["years/2024/page/2/"].context["pager"].previous_url == "years/2024/"


def test_a_list_that_fills_its_pages_exactly_has_no_empty_page_after_them():
    assert [url for url, _ in paginate([1, 2, 3, 4], "tags/x/", 2)] == ["tags/x/",
                                                                        "tags/x/page/2/"]
    [(url, pager)] = paginate([], "tags/x/", 2)  # an empty list is still one page
    assert (url, pager.items, pager.count) == ("tags/x/", [], 1)


def test_an_empty_archive_plans_the_pages_that_need_no_article():
    pages = plan([])
    assert sorted(pages) == ["", "404.html", "bulletins/", "regions/", "search/", "tags/",
                             "years/"]
    assert pages[""].context["newest"] == [] and pages[""].context["total"] == 0


def test_an_article_page_links_its_neighbours_tags_places_and_bulletin():
    older = article("older", "江苏/无锡/江阴", "2024-01-01", tags=["送温暖"])
    newer = article("newer", "江苏/无锡/江阴", "2024-03-01", tags=["送温暖", "年货"],
                    source="003_page.txt")
    bulletin = Bulletin("003_page.txt", "版面文字", {})
    pages = plan([older, newer], [bulletin])
    context = pages[newer.url].context
    assert context["article"] == newer
    assert context["previous"] == older and context["next"] is None
    assert pages[older.url].context["next"] == newer
    assert context["tag_links"] == [("送温暖", "tags/song-wen-nuan/"), ("年货", "tags/nian-huo/")]
    assert [r.path for r in context["crumbs"]] == ["江苏", "江苏/无锡", "江苏/无锡/江阴"]
    assert context["neighbours"] == "江苏/无锡/江阴 · 2024年"
    assert context["related"] == [older]
    assert context["bulletin"] == bulletin and pages[older.url].context["bulletin"] is None
    assert pages[bulletin.url].context["articles"] == [newer]
    assert pages["bulletins/"].context["bulletins"] == [(bulletin, [newer])]


def test_the_year_page_groups_its_articles_by_province():
    items = [article("js", "江苏/南京", "2024-02-01"), article("zj", "浙江/杭州", "2024-03-01"),
             article("js2", "江苏/无锡", "2024-01-01")]
    pages = plan(items, per_page=10)
    groups = pages["years/2024/"].context["groups"]
    assert [(node.region.path, [a.url for a in listed]) for node, listed in groups] == [
        ("江苏", ["articles/2024/js/", "articles/2024/js2/"]), ("浙江", ["articles/2024/zj/"])]


def test_a_region_page_groups_its_articles_by_year_newest_first():
    items = [article("a", "江苏/南京", "2023-05-01"), article("b", "江苏/南京", "2024-02-01"),
             article("c", "江苏/南京", date=None, year=2024)]
    groups = plan(items, per_page=10)["regions/jiangsu/nanjing/"].context["groups"]
    assert [(year, [a.url for a in listed]) for year, listed in groups] == [
        (2024, ["articles/2024/b/", "articles/2024/c/"]), (2023, ["articles/2023/a/"])]


def test_bulletins_are_listed_newest_first_by_their_manifest_then_by_name():
    named = {name: Bulletin(f"{name}.txt", "", meta) for name, meta in {
        "undated": {},
        "b-2021": {"date": "2021-02-01"},
        "a-2021": {"date": "2021-02-01"},
        "year-only": {"year": 2023},
        "later-2021": {"date": "2021-12-30"},
        "bad-year": {"year": "二〇二二", "date": None},
    }.items()}
    assert [b.name.removesuffix(".txt") for b in newest_bulletins(list(named.values()))] == [
        "year-only", "later-2021", "a-2021", "b-2021", "bad-year", "undated"]


def test_an_article_page_made_later_has_the_context_of_one_made_at_once():
    items = newest_first([article("a", "江苏/南京", "2024-02-01", tags=["年货"]),
                          article("b", "江苏/南京", "2024-01-01", tags=["年货"])])
    archive = build_archive(items)
    tag_urls = {t.name: t.url for t in archive.tags}
    later = LaterArticlePage(items[0], archive, tag_urls, {})
    assert "_context" not in later.__dict__  # nothing made before it is read
    made = article_page(items[0], archive, tag_urls, {})
    assert (later.url, later.template, later.file) == (made.url, made.template, made.file)
    first = later.context
    assert first == made.context
    assert later.context is first  # made once, then kept
