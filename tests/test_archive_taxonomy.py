"""archive/taxonomy.py: the listings built from articles alone (regions rolled up province →
city → county, years by province, tags, neighbours, related articles), from articles made in
memory."""

from __future__ import annotations

from articles import article, newest_first

from site_builder.archive import build_archive
from site_builder.archive.taxonomy import RELATED_COUNT


def urls(articles) -> list[str]:
    return [a.url for a in articles]


def test_an_article_is_listed_on_its_county_city_and_province_and_nowhere_else():
    jiangyin = article("jiangyin", "江苏/无锡/江阴", "2024-02-03")
    wuxi = article("wuxi", "江苏/无锡", "2024-02-02")
    nanjing = article("nanjing", "江苏/南京", "2024-02-01")
    archive = build_archive(newest_first([jiangyin, wuxi, nanjing]))
    listed = {path: urls(node.articles) for path, node in archive.regions.items()}
    assert listed == {
        "江苏": [jiangyin.url, wuxi.url, nanjing.url],
        "江苏/南京": [nanjing.url],
        "江苏/无锡": [jiangyin.url, wuxi.url],
        "江苏/无锡/江阴": [jiangyin.url],
    }
    province = archive.regions["江苏"]
    assert [c.region.path for c in province.children] == ["江苏/无锡", "江苏/南京"]  # by count
    assert [c.region.path for c in archive.regions["江苏/无锡"].children] == ["江苏/无锡/江阴"]
    assert archive.regions["江苏/无锡/江阴"].children == []
    assert [n.region.path for n in archive.ancestry(jiangyin.region)] == [
        "江苏", "江苏/无锡", "江苏/无锡/江阴"]
    assert archive.regions["江苏/无锡/江阴"].url == "regions/jiangsu/wuxi/jiangyin/"


def test_an_article_about_two_places_counts_once_on_the_region_they_share():
    both = article("both", "江苏/无锡/江阴", regions=["江苏/无锡/宜兴", "浙江/宁波/海曙"])
    archive = build_archive([both])
    for path in ("江苏", "江苏/无锡", "江苏/无锡/江阴", "江苏/无锡/宜兴", "浙江",
                 "浙江/宁波", "浙江/宁波/海曙"):
        assert urls(archive.regions[path].articles) == [both.url], path
    assert len(archive.regions["江苏/无锡"].children) == 2


def test_national_articles_have_their_own_node_and_it_comes_first():
    national = [article(f"quanzong-{i}", "全国", f"2025-01-0{i}") for i in (1, 2)]
    local = [article(f"shanxi-{i}", "山西", f"2024-03-0{i}") for i in (1, 2, 3)]
    one = article("jiangsu", "江苏/南京", "2024-01-05")
    archive = build_archive(newest_first([*national, *local, one]))
    assert [p.region.path for p in archive.provinces] == ["全国", "山西", "江苏"]
    assert urls(archive.regions["全国"].articles) == [national[1].url, national[0].url]
    assert archive.regions["全国"].url == "regions/national/"
    assert [n.region.path for n in archive.ancestry(national[0].region)] == ["全国"]
    assert all(national[0] not in archive.regions[p].articles for p in ("山西", "江苏"))


def test_provinces_with_as_many_articles_keep_the_gazetteers_order():
    archive = build_archive(newest_first([article("zj", "浙江/杭州"), article("js", "江苏")]))
    assert [p.region.path for p in archive.provinces] == ["江苏", "浙江"]  # code 32 before 33


def test_years_are_newest_first_and_grouped_by_province_in_the_provinces_order():
    items = newest_first([
        article("a", "江苏/无锡", "2024-05-01"),
        article("b", "江苏/无锡/江阴", "2024-02-01"),
        article("c", "浙江/宁波", "2024-03-01"),
        article("d", "江苏/南京", "2021-01-10"),
        article("e", "浙江/杭州", date=None, year=2022),
        article("f", "全国", "2024-01-01", regions=["浙江/宁波"]),
    ])
    archive = build_archive(items)
    assert [y.year for y in archive.years] == [2024, 2022, 2021]
    assert [y.url for y in archive.years] == ["years/2024/", "years/2022/", "years/2021/"]
    y2024 = archive.years[0]
    assert urls(y2024.articles) == ["articles/2024/a/", "articles/2024/c/", "articles/2024/b/",
                                    "articles/2024/f/"]
    assert [(node.region.path, urls(listed)) for node, listed in y2024.by_province] == [
        ("全国", ["articles/2024/f/"]),
        ("江苏", ["articles/2024/a/", "articles/2024/b/"]),
        ("浙江", ["articles/2024/c/", "articles/2024/f/"]),  # f is about both
    ]
    wuxi = archive.regions["江苏/无锡"]
    assert list(wuxi.years) == [2024]
    assert list(archive.regions["江苏"].years) == [2024, 2021]
    assert wuxi.year_url(2024) == "regions/jiangsu/wuxi/2024/"


def test_tags_collect_their_articles_ordered_by_count_then_slug():
    items = newest_first([
        article("a", tags=["年货", "送温暖"], date="2024-01-03"),
        article("b", tags=["送温暖"], date="2024-01-02"),
        article("c", tags=["困难职工", "送温暖"], date="2024-01-01"),
    ])
    archive = build_archive(items)
    assert [(t.name, t.slug, urls(t.articles)) for t in archive.tags] == [
        ("送温暖", "song-wen-nuan", ["articles/2024/a/", "articles/2024/b/", "articles/2024/c/"]),
        ("困难职工", "kun-nan-zhi-gong", ["articles/2024/c/"]),
        ("年货", "nian-huo", ["articles/2024/a/"]),
    ]
    assert archive.tags[0].url == "tags/song-wen-nuan/"


def test_tags_that_romanize_alike_get_distinct_slugs_in_the_order_they_are_met():
    archive = build_archive(newest_first([
        article("a", tags=["送温暖"], date="2024-01-02"),
        article("b", tags=["宋温暖"], date="2024-01-01"),  # the same pinyin
    ]))
    assert {t.name: t.slug for t in archive.tags} == {
        "送温暖": "song-wen-nuan", "宋温暖": "song-wen-nuan-2"}


def test_neighbours_are_the_next_older_and_newer_in_the_same_region_and_year():
    items = newest_first([
        article("new", "江苏/无锡", "2024-03-01"),
        article("mid", "江苏/无锡", "2024-02-01"),
        article("old", "江苏/无锡", "2024-01-01"),
        article("county", "江苏/无锡/江阴", "2024-02-15"),  # another primary region
        article("lastyear", "江苏/无锡", "2023-12-31"),  # another year
    ])
    archive = build_archive(items)
    older = {a: b.id for a, b in archive.previous.items()}
    newer = {a: b.id for a, b in archive.next.items()}
    assert older == {"articles/2024/new": "articles/2024/mid",
                     "articles/2024/mid": "articles/2024/old"}
    assert newer == {"articles/2024/mid": "articles/2024/new",
                     "articles/2024/old": "articles/2024/mid"}


def test_related_articles_share_places_and_tags_best_first_and_never_the_article_itself():
    subject = article("subject", "江苏/无锡/江阴", "2024-02-10", tags=["送温暖", "年货"])
    items = newest_first([
        subject,
        article("same-county", "江苏/无锡/江阴", "2020-01-01"),  # 3+2+1: best, though older
        article("city-and-tag", "江苏/无锡/宜兴", "2024-02-09", tags=["送温暖"]),  # 2+1+1
        article("province-and-tag", "江苏/南京", "2024-02-11", tags=["年货"]),  # 1+1
        article("province-only", "江苏/南京", "2024-02-10"),  # 1: too little in common
        article("tags-only", "浙江/杭州", "2024-02-10", tags=["送温暖", "年货"]),  # 2
        article("nothing", "山西", "2024-02-10"),
    ])
    archive = build_archive(items)
    # tags-only and province-and-tag share as much (2): the nearer in the archive's order
    # (newest first, then by URL) comes first
    assert [a.id for a in archive.related[subject.id]] == [
        "articles/2020/same-county", "articles/2024/city-and-tag",
        "articles/2024/tags-only", "articles/2024/province-and-tag"]
    assert archive.related["articles/2024/nothing"] == []
    assert all(a.id not in [r.id for r in rel] for a in items
               for rel in [archive.related[a.id]])


def test_related_articles_are_at_most_a_handful_the_nearer_in_time_first():
    items = newest_first(article(f"a{i:02d}", "江苏/无锡/江阴", f"2024-01-{i:02d}")
                         for i in range(1, 21))
    archive = build_archive(items)
    middle = "articles/2024/a10"
    related = [a.id for a in archive.related[middle]]
    assert len(related) == RELATED_COUNT
    # all share as much, so the nearest in the archive's order win, the newer of two first
    assert related == ["articles/2024/a11", "articles/2024/a09", "articles/2024/a12",
                       "articles/2024/a08", "articles/2024/a13"]
