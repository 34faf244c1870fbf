"""What a reader notices, checked as a reader sees it (Chromium at 390 and 1280 px) where it is
about layout, and in the HTML where it is about words: the coverage map and the chart by
year, browsing before the latest articles on a phone, counts that say what they count,
上一篇/下一篇 with their scope, the nav's current section, a skip link, underlined links in
text, the footer at the bottom, place names kept whole, bulletins named by paper, date and
page, dark mode and print."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import serve_directory

from site_builder.build import build_site
from site_builder.config import load_config

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PAGE_KINDS = ["", "regions/", "regions/jiangsu/", "regions/jiangsu/wuxi/",
              "regions/jiangsu/wuxi/jiangyin/2024/", "years/", "years/2024/", "tags/",
              "tags/song-wen-nuan/", "articles/2024/wuxi-songwennuan/", "search/",
              "bulletins/", "bulletins/paper/", "404.html"]


@pytest.fixture(scope="module")
def reader_site(tmp_path_factory) -> Path:
    """The fixture site with a neighbour for an article and two bulletins: one whose
    manifest names paper, date and page, one without a manifest."""
    from conftest import make_site

    site = make_site(tmp_path_factory.mktemp("reader"))
    articles = site / "content/articles/2024"
    (articles / "wuxi-second.md").write_text(
        "---\ntitle: 无锡职工迎新春\ndate: 2024-02-01\nregion: 江苏/无锡\nsource: paper.txt\n---\n\n"
        "无锡市总工会走访慰问困难职工。\n\n### 走访一线\n\n慰问快递小哥。\n\n#### 细节\n\n年货。\n",
        encoding="utf-8")
    bulletins = site / "content/bulletins"
    bulletins.mkdir()
    (bulletins / "paper.txt").write_text("无锡职工迎新春\n无锡市总工会走访慰问困难职工。\n",
                                         encoding="utf-8")
    (bulletins / "paper.json").write_text(json.dumps(
        {"paper": "无锡日报", "date": "2024-02-01", "page": "3", "year": 2024,
         "articles": [{"title": "无锡职工迎新春"}]}, ensure_ascii=False), encoding="utf-8")
    (bulletins / "bare.txt").write_text("某版面原文\n", encoding="utf-8")
    report = build_site(load_config(site / "config.yaml"), quiet=True)
    assert report.ok, report.diagnostics
    return site / "output"


@pytest.fixture(scope="module")
def served(reader_site):
    server, url = serve_directory(reader_site)
    yield url
    server.shutdown()


def html(out: Path, url: str) -> str:
    path = out / url if url.endswith(".html") else out / url / "index.html"
    return path.read_text(encoding="utf-8")


def test_bulletins_are_named_by_paper_date_and_page_as_far_as_known(reader_site):
    page = html(reader_site, "bulletins/paper/")
    assert "<h1>原版 无锡日报 · 2024年2月1日 · 第3版</h1>" in page
    assert '<time datetime="2024-02-01">2024年2月1日</time>' in page
    assert "paper.txt" in page  # the file, as provenance, not as the name
    listing = html(reader_site, "bulletins/")
    assert ">无锡日报 · 2024年2月1日 · 第3版</a>" in listing
    assert ">版面</a>" in listing  # no manifest: said plainly, not a hash file name
    assert ">bare.txt<" not in listing and ">paper.txt<" not in listing


def test_neighbours_are_labelled_with_their_scope(reader_site):
    newer = html(reader_site, "articles/2024/wuxi-songwennuan/")
    assert "江苏/无锡 · 2024年的其他报道" in newer
    assert re.search(r'rel="prev" href="[^"]*wuxi-second/index.html"><span class="direction">'
                     r"上一篇（较早）</span> 无锡职工迎新春", newer)
    older = html(reader_site, "articles/2024/wuxi-second/")
    assert "下一篇（较新）</span> 无锡市总工会冬日暖“新”服务活动" in older


def test_body_headings_rank_under_the_title(reader_site):
    """A body whose sections start at ### gets them as h2 (axe heading-order): the page's
    title is the h1, and no level is skipped."""
    page = html(reader_site, "articles/2024/wuxi-second/")
    assert "<h2>走访一线</h2>" in page and "<h3>细节</h3>" in page and "<h4>" not in page


def test_region_counts_say_what_they_count(reader_site):
    page = html(reader_site, "regions/jiangsu/wuxi/")
    assert "无锡市 <span class=\"count\">3 篇报道</span>" in page
    assert "一篇报道可涉及几个地方，故各地相加可多于 3 篇" in page  # 江阴 2 + 锡山 1 + …


def test_year_chart_shows_years_without_articles_as_zero(reader_site):
    page = html(reader_site, "")
    rows = re.findall(r'<li>(<a href="([^"]*)">|<span class="empty">)<span class="year">(\d+)年'
                      r".*?<span class=\"n\">(\d+) 篇", page)
    assert [(r[2], r[3], bool(r[1])) for r in rows] == [
        ("2025", "2", True), ("2024", "3", True), ("2023", "0", False), ("2022", "0", False),
        ("2021", "1", True)]
    assert rows[0][1] == "years/2025/index.html"


@pytest.mark.browser
def test_on_a_phone_browsing_comes_first_and_stays_readable(chromium_browser, served):
    page = chromium_browser.new_page(viewport=PHONE)
    page.goto(served)
    top = page.evaluate("s => document.querySelector(s).getBoundingClientRect().top", ".by-year")
    latest = page.evaluate("s => document.querySelector(s).getBoundingClientRect().top",
                           ".latest")
    assert top < latest and top < PHONE["height"]  # by year on the first screen
    sizes = page.eval_on_selector_all(".year-bars .year, .year-bars .n",
                                      "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))")
    assert sizes and min(sizes) >= 14
    # The map's tiles: drawn at a readable size, every province there, the ones with
    # articles linking to their page (out of the tab order: the list beside is the text
    # alternative, with the same links).
    assert page.get_attribute("svg.province-map", "aria-hidden") == "true"
    assert page.locator("svg.province-map .tile rect").count() >= 34
    names = page.eval_on_selector_all(
        "svg.province-map text.name", "els => els.map(e => e.getBoundingClientRect().height)")
    assert len(names) == 34 and min(names) >= 11
    tiles = sorted(page.eval_on_selector_all(
        "svg.province-map a", "els => els.map(e => e.getAttribute('href'))"))
    listed = sorted(page.eval_on_selector_all(
        ".regions-list a", "els => els.map(e => e.getAttribute('href'))"))
    assert tiles == [h for h in listed if "national" not in h] and len(tiles) == 3
    assert set(page.eval_on_selector_all("svg.province-map a",
                                         "els => els.map(e => e.tabIndex)")) == {-1}
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_every_page_kind_fits_the_screen_and_keeps_place_names_whole(chromium_browser, served,
                                                                      viewport):
    page = chromium_browser.new_page(viewport=viewport)
    for url in PAGE_KINDS:
        page.goto(served + url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], url
        broken = page.eval_on_selector_all(
            ".place .name, .breadcrumbs a", "els => els.filter(e => e.getClientRects().length > 1)"
            ".map(e => e.textContent)")
        assert broken == [], url
    page.close()


@pytest.mark.browser
def test_skip_link_nav_and_underlined_links_in_text(chromium_browser, served):
    page = chromium_browser.new_page(viewport=DESKTOP)
    page.goto(served + "regions/jiangsu/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.evaluate("getComputedStyle(document.activeElement).top") != "-48px"  # shown
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    assert page.get_attribute(".site-nav a.current", "aria-current") == "true"  # inside 地区
    assert page.inner_text(".site-nav a.current") == "地区"
    page.goto(served + "regions/index.html")
    assert page.get_attribute(".site-nav a.current", "aria-current") == "page"
    page.goto(served)
    assert page.locator(".site-nav a.current").count() == 0
    for url in PAGE_KINDS:  # a link inside running text is told apart by more than colour
        page.goto(served + url)
        plain = page.eval_on_selector_all(
            "main p a, main dd a, .site-footer a",
            "els => els.filter(e => !getComputedStyle(e).textDecorationLine.includes('underline'))"
            ".map(e => e.textContent)")
        assert plain == [], url
    page.close()


@pytest.mark.browser
def test_the_footer_stays_at_the_bottom_of_a_short_page(chromium_browser, served):
    page = chromium_browser.new_page(viewport=DESKTOP)
    page.goto(served + "404.html")
    bottom = page.evaluate("document.querySelector('.site-footer').getBoundingClientRect().bottom")
    assert abs(bottom - DESKTOP["height"]) <= 1
    page.close()


@pytest.mark.browser
def test_dark_mode_and_print(chromium_browser, served):
    def luminance(rgb: str) -> float:
        r, g, b = (int(v) for v in re.findall(r"\d+", rgb)[:3])
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    context = chromium_browser.new_context(viewport=DESKTOP, color_scheme="dark")
    page = context.new_page()
    page.goto(served + "articles/2024/wuxi-songwennuan/")
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    text = page.evaluate("getComputedStyle(document.querySelector('.body p')).color")
    assert luminance(background) < 40 < 180 < luminance(text)
    page.emulate_media(media="print", color_scheme="light")
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).display") == "none"
    assert page.evaluate("getComputedStyle(document.querySelector('.neighbours')).display") == "none"
    assert page.is_visible(".article h1") and page.is_visible(".body")
    context.close()
