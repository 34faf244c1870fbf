"""The search page in headless Chromium against a built site served on 127.0.0.1."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from conftest import serve_directory
from sites import write_site

from site_builder.build import build_site
from site_builder.config import load_config
from site_builder.search import SearchIndex
from site_builder.search.analysis import normalize

pytestmark = pytest.mark.browser

PARITY_QUERIES = ["送温暖", "暖", "溫暖", "快递小哥", "困难职工 年货", "工会 OR 职工",
                  "送温暖 -快递小哥", '"两节"送温暖', "暖活", "12351", "工会 year:2024",
                  "职工 region:江苏/无锡", "iphone",
                  # official multi-level names, the places in regions, ranges, fields
                  "region:江苏省/无锡市", "region:四川省/凉山彝族自治州/西昌市",
                  "region:凉山 职工", "region:浙江省/宁波市/海曙区 工会",
                  "工会 year:2020..2022", "送温暖 year:..2021", "year:2023..",
                  "工会 date:2021-01..2021-02-15", "date:2022-02", "title:工会", "tag:年货 职工",
                  "author:龙小溪", "外卖骑手 OR 快递小哥 年货", "送温暖 -疫情 -快递小哥",
                  "-送温暖 工会", '"送 温暖" OR 困难', "foo:bar 工会", "工会 kind:feature",
                  "困难职工家庭", "春节期间", "\u200e送温暖\u202e", '"未闭合 工会']
DATE_SORTED = ["送温暖", "工会 year:2020..2022", "region:江苏 职工"]
HOSTILE_TITLE = '<img src=x onerror="window.__xss=1"> 职工'


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = write_site(tmp_path_factory.mktemp("browser"), 80, seed=5)
    hostile = root / "content" / "articles" / "2024" / "hostile.md"
    hostile.write_text(f"---\ntitle: '{HOSTILE_TITLE}'\ndate: 2024-03-01\nregion: 山西\n---\n\n"
                       "<script>window.__xss=2</script> 职工 \" 引号 </mark><b>粗</b>\n",
                       encoding="utf-8")
    for i, (region, regions) in enumerate([("四川/凉山/西昌", ["浙江/宁波/海曙"]),
                                           ("江苏/南京", ["四川/凉山/西昌", "江苏/无锡/江阴"])]):
        (root / "content" / "articles" / "2023" / f"places{i}.md").write_text(
            f"---\ntitle: 职工之家建到工地{i}\ndate: 2023-02-0{i + 1}\nregion: {region}\n"
            f"regions: {regions}\nauthors: [龙小溪]\ntags: [送温暖]\n---\n\n"
            "困难职工家庭收到慰问品。春节期间，工会送温暖到工地。\n", encoding="utf-8")
    config = load_config(root / "config.yaml")
    report = build_site(config, quiet=True)
    assert report.ok, report.diagnostics
    server, url = serve_directory(root / "output")
    yield config, url
    server.shutdown()


def open_search(browser, url: str, query: str):
    page = browser.new_page()
    page.goto(f"{url}search/?q={quote(query)}")
    page.wait_for_selector("#search[data-state=done]")
    return page


def result_urls(page, base: str) -> list[str]:
    return [h.removeprefix(base) for h in page.eval_on_selector_all(
        ".search-hit a.article-link", "els => els.map(e => e.href)")]


def test_browser_top10_equals_cli_top10(chromium_browser, site):
    config, url = site
    index = SearchIndex(config.root)
    page = chromium_browser.new_page()
    try:
        for query in PARITY_QUERIES:
            expected = [h.url for h in index.search(query, limit=10).hits]
            page.goto(f"{url}search/?q={quote(query)}")
            page.wait_for_selector("#search[data-state=done]")
            assert result_urls(page, url) == expected, query
            total = index.search(query, limit=0).total
            status = page.text_content(".search-status")
            assert (f"找到 {total} 篇" == status) if total else "没有找到" in status
        for query in DATE_SORTED:
            expected = [h.url for h in index.search(query, limit=10, sort="date").hits]
            page.goto(f"{url}search/?q={quote(query)}&sort=date")
            page.wait_for_selector("#search[data-state=done]")
            assert result_urls(page, url) == expected, query
    finally:
        page.close()
        index.close()


def test_type_query_see_highlights_filter_by_year_open_hit(chromium_browser, site, tmp_path):
    _, url = site
    page = chromium_browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(f"{url}search/")
    page.fill("#q", "快递小哥")
    page.press("#q", "Enter")
    page.wait_for_selector(".search-hit mark")
    assert "q=%E5%BF%AB" in page.url  # the URL carries the query, so it can be shared
    marks = page.eval_on_selector_all(".search-hit mark", "els => els.map(e => e.textContent)")
    assert marks and all(normalize(m) == "快递小哥" for m in marks)  # 快遞小哥, 快递小\n哥 too
    page.screenshot(path=str(tmp_path / "results.png"), full_page=True)
    button = page.locator("button[data-facet=year]").first
    year = button.get_attribute("data-value")
    count = int(button.locator(".count").text_content().strip("()"))
    button.click()
    page.wait_for_url(lambda u: f"year%3A{year}" in u)
    page.wait_for_selector("#search[data-state=done]")
    assert page.text_content(".search-status") == f"找到 {count} 篇"
    metas = page.eval_on_selector_all(".search-hit .meta", "els => els.map(e => e.textContent)")
    assert metas and all(year in m for m in metas)
    page.focus("#q")
    page.keyboard.press("ArrowDown")  # arrow keys walk from the box into the results
    assert page.evaluate("document.activeElement.classList.contains('article-link')")
    first = page.locator(".search-hit a.article-link").first
    title = first.text_content()
    first.click()
    page.wait_for_load_state()
    assert "/articles/" in page.url and title in page.title()
    page.close()


@pytest.mark.parametrize("query", ['<img src=x onerror=alert(1)>', '"', "onerror", "</mark><b>",
                                   "职工 <script>alert(1)</script>"])
def test_hostile_queries_and_content_have_no_script_effect(chromium_browser, site, query):
    _, url = site
    page = chromium_browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{url}search/?q={quote(query)}")
    page.wait_for_selector("#search[data-state=done]")
    page.wait_for_timeout(200)
    assert dialogs == []
    assert page.evaluate("window.__xss === undefined")
    assert page.locator("#search img, #search script, #search b").count() == 0
    assert page.input_value("#q") == query
    page.close()


def test_hostile_title_is_shown_as_text(chromium_browser, site):
    _, url = site
    page = open_search(chromium_browser, url, "onerror")
    page.wait_for_selector(".search-hit")
    assert HOSTILE_TITLE in page.text_content(".search-hit a.article-link")
    assert page.evaluate("window.__xss === undefined")
    page.close()


def test_pages_work_without_javascript(chromium_browser, site):
    _, url = site
    context = chromium_browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{url}search/?q=x")
    assert "需要浏览器启用 JavaScript" in page.text_content("#search")
    page.goto(url)
    assert page.locator("form.search-box input[name=q]").count() == 1
    context.close()


def test_mobile_layout_has_no_horizontal_scroll(chromium_browser, site):
    _, url = site
    page = chromium_browser.new_page(viewport={"width": 375, "height": 740})
    page.goto(f"{url}search/?q={quote('送温暖')}")
    page.wait_for_selector(".search-hit")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.close()


