"""The search page's sort and year-range controls, used as a reader uses them (Chromium against
a served site): each choice gives the CLI's hits for the query it shows, widening the range
again gives back every hit, the back button returns to the last choice."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from conftest import serve_directory
from test_search import write_site

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
    assert shown(page, url) == cli(index, ranged, "date")

    # Every year again: the whole list, not the range's (the term's matches are kept, not cut).
    choose(page, "#search-from", "")
    choose(page, "#search-to", "")
    assert page.input_value("#q") == QUERY
    assert shown(page, url) == cli(index, QUERY, "date")
    choose(page, "#search-sort", "relevance")
    assert shown(page, url) == cli(index, QUERY)

    page.go_back()  # to the date sort, every year
    page.wait_for_function("document.getElementById('search-sort').value === 'date'")
    assert shown(page, url) == cli(index, QUERY, "date")
    page.go_back()
    page.go_back()  # to the range 2021..2022
    page.wait_for_function("document.getElementById('search-from').value === '2021'"
                           " && document.getElementById('search-to').value === '2022'")
    assert (page.input_value("#search-from"), page.input_value("#search-to")) == ("2021", "2022")
    assert shown(page, url) == cli(index, ranged, "date")
    assert problems == []
    page.close()
