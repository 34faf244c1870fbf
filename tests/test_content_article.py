"""content/article.py: front-matter fields validated into an Article's values, every problem
reported with the key at fault, and the Article's derived values (id, order, images, text)."""

from __future__ import annotations

import datetime as dt

import pytest
from articles import article

from site_builder.content.article import validate
from site_builder.content.frontmatter import split_front_matter
from site_builder.gazetteer import default_gazetteer


def check(front: str) -> tuple[dict, list[tuple[str | None, str]]]:
    values, problems = validate(split_front_matter(f"---\n{front}---\n\n正文\n"),
                                default_gazetteer())
    return values, [(p.key, p.message) for p in problems]


def test_a_complete_front_matter_gives_normalized_values_and_no_problem():
    values, problems = check(
        "title: 无锡市总工会送温暖\ndate: 2024-02-07\nregion: 江苏省/无锡市/江阴市\n"
        "regions: [浙江/宁波/海曙, 江苏/无锡/江阴]\nauthors: [张三, 张三, 李四]\n"
        "tags: 送温暖\nkind: feature\nslug: song-wen-nuan\nsubtitle: 副题\n")
    assert problems == []
    assert values["title"] == "无锡市总工会送温暖"
    assert values["date"] == dt.date(2024, 2, 7) and values["year"] == 2024
    assert values["region"].path == "江苏/无锡/江阴"  # official names resolve to the short path
    # every place once, in the order written; the primary one is always among them
    assert [r.path for r in values["regions"]] == ["浙江/宁波/海曙", "江苏/无锡/江阴"]
    more, _ = check("title: t\nyear: 2024\nregion: 江苏/无锡\nregions: [浙江/宁波, 浙江/宁波]\n")
    assert [r.path for r in more["regions"]] == ["江苏/无锡", "浙江/宁波"]
    assert values["authors"] == ("张三", "李四")  # duplicates dropped, order kept
    assert values["tags"] == ("送温暖",)  # one name alone is a list of one
    assert (values["kind"], values["draft"], values["slug"]) == ("feature", False, "song-wen-nuan")
    assert (values["subtitle"], values["source"], values["summary"]) == ("副题", "", "")


def test_defaults_for_the_optional_fields():
    values, problems = check("title: 标题\nyear: 2021\nregion: 全国\n")
    assert problems == []
    assert values["date"] is None and values["year"] == 2021
    assert values["region"].is_national and [r.path for r in values["regions"]] == ["全国"]
    assert (values["authors"], values["tags"], values["kind"], values["draft"],
            values["slug"]) == ((), (), "news", False, None)


@pytest.mark.parametrize(("front", "expected"), [
    ("date: 2024-02-07\nregion: 江苏\n", [(None, "missing required field 'title'")]),
    ("title: ''\ndate: 2024-02-07\nregion: 江苏\n", [("title", "missing required field 'title'")]),
    ("title: yes\ndate: 2024-02-07\nregion: 江苏\n",
     [("title", "'title' must be text (quote it: YAML reads yes/no/on/off as true/false)")]),
    ("title: t\nregion: 江苏\n",
     [(None, "missing 'date' (YYYY-MM-DD) or 'year': the archive needs at least the year")]),
    ("title: t\ndate: 2024/02/07\nregion: 江苏\n",
     [("date", "malformed date '2024/02/07': write it as YYYY-MM-DD, e.g. 2024-02-07")]),
    ("title: t\ndate: 2023-02-29\nregion: 江苏\n", [("date", "no such date '2023-02-29'")]),
    ("title: t\nyear: 24\nregion: 江苏\n", [("year", "'year' must be a four-digit year, got '24'")]),
    ("title: t\ndate: 2024-02-07\nyear: 2023\nregion: 江苏\n",
     [("year", "'year' 2023 disagrees with 'date' 2024-02-07")]),
    ("title: t\ndate: 2024-02-07\n",
     [(None, "missing required field 'region' (e.g. 江苏/无锡/江阴, or 全国)")]),
    ("title: t\ndate: 2024-02-07\nregion: [江苏]\n",
     [("region", "'region' must be a path of place names like 江苏/无锡/江阴")]),
    ("title: t\ndate: 2024-02-07\nregion: 江苏\nregions: 浙江\n",
     [("regions", "'regions' must be a list of region paths")]),
    ("title: t\ndate: 2024-02-07\nregion: 江苏\ntags: [[a]]\n",
     [("tags", "'tags' must be a list of names")]),
    ("title: t\ndate: 2024-02-07\nregion: 江苏\nkind: blog\n",
     [("kind", "unknown kind 'blog' (one of: news, feature, editorial, photo, notice, digest, "
               "timeline, diary)")]),
    ("title: t\ndate: 2024-02-07\nregion: 江苏\ndraft: maybe\n",
     [("draft", "'draft' must be true or false")]),
    ("title: t\ndate: 2024-02-07\nregion: 江苏\nslug: 送温暖\n",
     [("slug", "'slug' must be lowercase ASCII words joined by '-', got '送温暖'")]),
    ("title: t\ndate: 2024-02-07\nregion: 江苏\nsummary: [a]\n",
     [("summary", "'summary' must be text")]),
])
def test_each_problem_names_its_key(front, expected):
    assert check(front)[1] == expected


def test_every_problem_of_a_file_is_reported_at_once():
    _, problems = check("titel: t\ndate: 2024-13-01\nregion: 江苏\nkind: blog\n")
    assert [key for key, _ in problems] == ["titel", None, "date", "kind"]
    assert problems[0][1].startswith("unknown field 'titel' (known: title, subtitle, date,")


def test_an_unknown_region_suggests_a_near_one_and_an_ambiguous_one_lists_them():
    _, problems = check("title: t\ndate: 2024-02-07\nregion: 江苏/无锡/江音\n")
    assert problems == [("region", "unknown region '江苏/无锡/江音'; did you mean 江苏/无锡/江阴?")]
    _, problems = check("title: t\ndate: 2024-02-07\nregion: 鼓楼\n")
    [(key, message)] = problems
    assert key == "region" and message.startswith("unknown region '鼓楼'; it is ambiguous: write one of ")
    assert "江苏/南京/鼓楼" in message and "福建/福州/鼓楼" in message


def test_invisible_characters_are_dropped_from_fields_and_places():
    values, problems = check("title: \"送\u200b温暖\\t活动\"\ndate: 2024-02-07\n"
                             "region: \"江苏/\u202e无锡\"\ntags: [\"年\ufeff货\"]\n")
    assert problems == []
    assert values["title"] == "送温暖 活动"
    assert values["region"].path == "江苏/无锡" and values["tags"] == ("年货",)


def test_articles_sort_newest_first_dated_before_year_only_then_by_url():
    items = [article("b", date="2024-02-01"), article("a", date="2024-02-01"),
             article("y", date=None, year=2024), article("old", date="2023-12-31"),
             article("new", date="2024-05-01")]
    assert [a.url for a in sorted(items, key=lambda a: a.sort_key)] == [
        "articles/2024/new/", "articles/2024/a/", "articles/2024/b/", "articles/2024/y/",
        "articles/2023/old/"]


def test_an_articles_id_images_and_text_come_from_its_url_and_body():
    a = article("photo", body_html='<h2>标题</h2><p>第一段<img src="a.png"></p>'
                                   '<p><img alt="x" src="sub/b.jpg"></p>')
    assert a.id == "articles/2024/photo"
    assert a.image_sources == ("a.png", "sub/b.jpg")
    assert a.text.split() == ["标题", "第一段"]
    assert a.uncached_text() == a.text
    assert article("plain").image_sources == ()
