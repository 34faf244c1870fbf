"""The search page as it loads with a query: nothing on screen moves as the results arrive
(cumulative layout shift, measured by the browser), and its landmarks are labelled."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from conftest import serve_directory
from sites import write_site

from site_builder.build import build_site
from site_builder.config import load_config

pytestmark = pytest.mark.browser

# Every layout shift of the page, as Lighthouse counts them (not after input).
CLS = """() => new Promise((resolve) => {
  let total = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
  }).observe({ type: "layout-shift", buffered: true });
  setTimeout(() => resolve(total), 300);
})"""


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    root = write_site(tmp_path_factory.mktemp("layout"), 60, seed=4)
    report = build_site(load_config(root / "config.yaml"), quiet=True)
    assert report.ok, report.diagnostics
    server, url = serve_directory(root / "output")
    yield url
    server.shutdown()


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900},
                                      {"width": 412, "height": 823}])
def test_results_arriving_shift_nothing_on_screen(chromium_browser, site_url, viewport):
    context = chromium_browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{site_url}search/?q={quote('送温暖')}")
    page.wait_for_selector("#search[data-state=done]")
    page.wait_for_selector(".search-facets .facet")
    shift = page.evaluate(CLS)
    assert shift < 0.1, shift
    context.close()


def test_every_search_landmark_has_a_name(chromium_browser, site_url):
    page = chromium_browser.new_page()
    page.goto(f"{site_url}search/?q={quote('送温暖')}")
    page.wait_for_selector("#search[data-state=done]")
    names = page.eval_on_selector_all(
        "[role=search], form[role=search]",
        "els => els.map(e => e.getAttribute('aria-label') || e.getAttribute('aria-labelledby'))")
    assert len(names) == 2 and all(names) and len(set(names)) == 2, names
    page.close()
