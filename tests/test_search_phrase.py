"""Words of 3+ characters outside the vocabulary match through their bigrams' positions: the
bigrams must sit one after the other, in order. search.js checks that on flat arrays; the
page's hits must be the CLI's, also where a document has the bigrams but not the phrase."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from conftest import built_and_served
from sites import write_site

pytestmark = pytest.mark.browser

# (file, title, body): which of them hold which phrase is spelled out in PHRASES
ARTICLES = [
    ("holds", "工会活动", "一场温暖人心的活动。"),
    ("reversed", "工会新闻", "人心温暖，大家说。"),
    ("apart", "工会简讯", "温暖，人心。"),
    ("second-try", "工会报道", "温暖人温暖人心。"),
    ("title", "温暖人心", "标题里有，正文没有。"),
    ("long", "职工之声", "职工温暖人多。"),
    ("long-broken", "职工来信", "职工温暖，人多。"),
    ("triple", "暖暖暖", "一二三。"),
    ("pairs", "分开", "暖暖，暖暖。"),
]
PHRASES = {  # query → files whose text has it (title or body)
    "温暖人心": {"holds", "second-try", "title"},
    '"温暖人心"': {"holds", "second-try", "title"},
    "人心温暖": {"reversed"},
    "职工温暖人": {"long"},
    "暖暖暖": {"triple"},
    "温暖人心 -标题": {"holds", "second-try"},
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = write_site(tmp_path_factory.mktemp("phrase"), 0)
    folder = root / "content" / "articles" / "2024"
    folder.mkdir(parents=True)
    for i, (name, title, body) in enumerate(ARTICLES):
        front = {"title": title, "date": f"2024-03-{10 + i}", "region": "江苏/无锡",
                 "kind": "news"}
        (folder / f"{name}.md").write_text(
            "---\n" + json.dumps(front, ensure_ascii=False) + "\n---\n\n" + body,
            encoding="utf-8")
    with built_and_served(root) as served:
        yield served


def test_phrases_match_only_where_their_bigrams_follow_each_other(chromium_browser, site):
    url, index = site
    page = chromium_browser.new_page()
    for query, holders in PHRASES.items():
        expected = index.search(query, limit=10)
        assert {h.url.rstrip("/").rsplit("/", 1)[-1] for h in expected.hits} == holders, query
        page.goto(f"{url}search/?q={quote(query)}")
        page.wait_for_selector("#search[data-state=done]")
        shown = [h.removeprefix(url) for h in page.eval_on_selector_all(
            ".search-hit a.article-link", "els => els.map(e => e.href)")]
        assert shown == [h.url for h in expected.hits], query
        scores = page.eval_on_selector_all(".search-hit", "els => els.map(e => +e.dataset.score)")
        assert [round(s, 6) for s in scores] == [round(h.score, 6) for h in expected.hits], query
    page.close()
