"""render/fingerprint.py: a page is rendered again exactly when a fact its template can show
changed, which its fingerprint stands for."""

from __future__ import annotations

import dataclasses

import pytest
from articles import article, newest_first

from site_builder.archive import build_archive
from site_builder.config import Config, Pagination
from site_builder.render.fingerprint import page_fingerprint
from site_builder.render.plan import Page, plan_site


def fingerprints(articles) -> dict[str, str]:
    pages = plan_site(build_archive(newest_first(articles)), [], Config(
        pagination=Pagination(per_page=2)))
    return {p.url: page_fingerprint(p) for p in pages}


BASE = [article("a", "江苏/无锡/江阴", "2024-03-01", tags=["送温暖"]),
        article("b", "江苏/南京", "2024-02-01"),
        article("c", "浙江/杭州", "2021-05-01")]


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {url for url in before.keys() | after.keys() if before.get(url) != after.get(url)}


def test_the_same_articles_give_the_same_fingerprints():
    assert fingerprints(BASE) == fingerprints([*reversed(BASE)])


def test_an_edited_article_changes_its_page_and_the_lists_that_show_it_only():
    edited = [dataclasses.replace(BASE[0], digest="its file changed"), *BASE[1:]]
    diff = changed(fingerprints(BASE), fingerprints(edited))
    assert "articles/2024/a/" in diff and "tags/song-wen-nuan/" in diff and "" in diff
    assert "regions/jiangsu/wuxi/jiangyin/" in diff and "years/2024/" in diff
    # pages that do not show article a keep their fingerprints
    for url in ("articles/2021/c/", "regions/zhejiang/", "years/2021/", "tags/",
                "regions/zhejiang/hangzhou/2021/"):
        assert url not in diff, url


def test_a_new_article_changes_the_counts_and_lists_that_include_it():
    more = [*BASE, article("d", "浙江/杭州", "2021-04-01")]
    diff = changed(fingerprints(BASE), fingerprints(more))
    assert {"articles/2021/d/", "regions/zhejiang/", "regions/zhejiang/hangzhou/",
            "years/2021/", "years/", "regions/"} <= diff
    assert "articles/2024/b/" not in diff and "regions/jiangsu/nanjing/" not in diff


def test_the_url_and_template_are_part_of_the_fingerprint():
    context = {"n": 1}
    one = page_fingerprint(Page("a/", "x.html", context))
    assert one == page_fingerprint(Page("a/", "x.html", {"n": 1}))
    assert one != page_fingerprint(Page("b/", "x.html", context))
    assert one != page_fingerprint(Page("a/", "y.html", context))
    assert one != page_fingerprint(Page("a/", "x.html", {"n": 2}))


def test_the_articles_a_page_shows_are_collected_and_unknown_values_refused():
    pages = {p.url: p for p in plan_site(build_archive(newest_first(BASE)), [], Config())}
    held: list[str] = []
    page_fingerprint(pages["years/2024/"], held)
    assert set(held) == {"articles/2024/a", "articles/2024/b"}
    with pytest.raises(TypeError, match="no fingerprint for object"):
        page_fingerprint(Page("x/", "x.html", {"value": object()}))
