"""The search page's sort and year-range controls, used as a reader uses them (Chromium against
a served site): each choice gives the CLI's hits for the query it shows, widening the range
again gives back every hit, the back button returns to the last choice, the header's box shows
the same query; and the controls are whole, large enough to tap and readable in light and dark
at 390 and 1280 px."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from conftest import serve_directory
from sites import write_site

from site_builder.build import build_site
from site_builder.config import load_config
from site_builder.search import SearchIndex

pytestmark = pytest.mark.browser

QUERY = "工会"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = write_site(tmp_path_factory.mktemp("controls"), 60, seed=4)
    config = load_config(root / "config.yaml")
    report = build_site(config, quiet=True)
    assert report.ok, report.diagnostics
    server, url = serve_directory(root / "output")
    index = SearchIndex(config.root)
    yield url, index
    index.close()
    server.shutdown()


def shown(page, base: str) -> tuple[str, list[str]]:
    """The status line and the hits' URLs, once the page has answered."""
    page.wait_for_selector("#search[data-state=done]")
    hits = [h.removeprefix(base) for h in page.eval_on_selector_all(
        ".search-hit a.article-link", "els => els.map(e => e.href)")]
    return page.inner_text(".search-status"), hits


def cli(index, query: str, sort: str = "relevance") -> tuple[str, list[str]]:
    results = index.search(query, limit=10, sort=sort)
    return f"找到 {results.total} 篇", [h.url for h in results.hits]


def choose(page, select: str, value: str) -> None:
    page.evaluate("document.getElementById('search').dataset.state = 'chosen'")
    page.select_option(select, value)


def test_sort_and_year_range_give_the_cli_hits_and_widening_gives_all_back(chromium_browser, site):
    from playwright.sync_api import expect

    url, index = site
    page = chromium_browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{url}search/?q={quote(QUERY)}")
    assert shown(page, url) == cli(index, QUERY)

    choose(page, "#search-sort", "date")
    assert shown(page, url) == cli(index, QUERY, "date")
    assert "sort=date" in page.url

    choose(page, "#search-from", "2021")
    choose(page, "#search-to", "2022")
    ranged = f"{QUERY} year:2021..2022"
    assert page.input_value("#q") == ranged
    assert page.input_value("#site-search") == ranged  # the header's box does not disagree
    assert shown(page, url) == cli(index, ranged, "date")

    # Every year again: the whole list, not the range's (the term's matches are kept, not cut).
    choose(page, "#search-from", "")
    choose(page, "#search-to", "")
    assert page.input_value("#q") == QUERY
    assert shown(page, url) == cli(index, QUERY, "date")
    choose(page, "#search-sort", "relevance")
    assert shown(page, url) == cli(index, QUERY)

    page.go_back()  # to the date sort, every year
    expect(page.locator("#search-sort")).to_have_value("date")  # no eval: the CSP forbids it
    assert shown(page, url) == cli(index, QUERY, "date")
    page.go_back()
    page.go_back()  # to the range 2021..2022
    expect(page.locator("#search-from")).to_have_value("2021")
    expect(page.locator("#search-to")).to_have_value("2022")
    assert (page.input_value("#search-from"), page.input_value("#search-to")) == ("2021", "2022")
    assert shown(page, url) == cli(index, ranged, "date")
    assert problems == []
    page.close()


def _rgb(css: str) -> tuple[float, ...]:
    return tuple(float(v) for v in re.findall(r"[\d.]+", css)[:3])


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two computed rgb() colours."""
    def lum(rgb):
        c = [v / 255 for v in rgb]
        c = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    hi, lo = sorted((lum(_rgb(a)), lum(_rgb(b))), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


CONTROLS = """() => {
  const page = getComputedStyle(document.documentElement).backgroundColor;
  const probe = document.createElement('span');
  probe.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap';
  document.body.append(probe);
  const out = [...document.querySelectorAll('.search-controls select, .search-form input')].map((e) => {
    const s = getComputedStyle(e);
    const box = e.getBoundingClientRect();
    probe.style.font = s.font;
    const widest = e.options ? Math.max(...[...e.options].map((o) => {
      probe.textContent = o.textContent; return probe.getBoundingClientRect().width; })) : 0;
    return { id: e.id, width: box.width, height: box.height, right: box.right, widest,
             color: s.color, background: s.backgroundColor, border: s.borderTopColor, page };
  });
  probe.remove();
  return out;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_controls_are_whole_tappable_and_readable(chromium_browser, site, scheme, width):
    url, _ = site
    context = chromium_browser.new_context(viewport={"width": width, "height": 844},
                                           color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{url}search/?q={quote(QUERY + ' year:2021..2022')}&sort=date")
    page.wait_for_selector("#search[data-state=done]")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    viewport = page.evaluate("document.documentElement.clientWidth")
    for c in page.evaluate(CONTROLS):
        if c["widest"]:  # a select shows its longest option whole, beside its arrow
            assert c["width"] >= c["widest"] + 20, c
            assert c["height"] >= 32, c  # as tall as the buttons: a finger's target on a phone
        assert c["right"] <= viewport, c
        assert contrast(c["color"], c["background"]) >= 4.5, (scheme, c)
        assert contrast(c["border"], c["page"]) >= 3, (scheme, c)  # the field's edge is seen
    context.close()
