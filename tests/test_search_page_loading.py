"""How the search page loads (issue 6): the page carries the index's manifest and preloads
search.js, which uses both as they are, under the site's CSP, without console errors (a page
without the manifest still searches, fetching it); hits arrive one by one but the list a
reader ends up with is the CLI's, also after "更多结果" and a second query."""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import quote

import pytest
from conftest import built_and_served
from sites import write_site

pytestmark = pytest.mark.browser

# Recorded before any page script runs (init scripts are not subject to the page's CSP).
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = write_site(tmp_path_factory.mktemp("loading"), 60, seed=11)
    with built_and_served(root) as (url, index):
        yield url, index, root / "output"


def hit_urls(page, base: str) -> list[str]:
    return [h.removeprefix(base) for h in page.eval_on_selector_all(
        ".search-hit a.article-link", "els => els.map(e => e.href)")]


def test_the_page_carries_the_manifest_and_loads_search_js_once_without_errors(
        chromium_browser, site):
    url, index, _ = site
    context = chromium_browser.new_context()  # empty cache
    page = context.new_page()
    page.add_init_script(WATCH_CSP)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"{m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url.removeprefix(url)))
    page.goto(f"{url}search/?q={quote('溫暖')}")  # traditional: folded after its pages load
    page.wait_for_selector("#search[data-state=done]")
    assert hit_urls(page, url) == [h.url for h in index.search("溫暖", limit=10).hits]
    assert "search/manifest.json" not in requested, requested  # the page has it
    with urllib.request.urlopen(f"{url}search/manifest.json") as response:
        assert json.loads(page.get_attribute("#search", "data-manifest")) == json.load(response)
    assert requested.count("static/search.js") == 1, requested  # the preload, used
    assert page.evaluate("window.__csp") == []
    assert problems == []
    assert page.evaluate("document.activeElement.id") == "q"  # ready to type a new query
    context.close()


def test_more_results_and_a_second_query_give_the_cli_lists(chromium_browser, site):
    url, index, _ = site
    page = chromium_browser.new_page()
    page.goto(f"{url}search/?q={quote('职工')}")
    page.wait_for_selector("#search[data-state=done]")
    expected = [h.url for h in index.search("职工", limit=20).hits]
    assert len(expected) == 20
    assert hit_urls(page, url) == expected[:10]
    page.click("button.search-more")
    page.wait_for_selector(".search-hit:nth-child(20)")  # no wait_for_function: the CSP forbids eval
    page.wait_for_selector("#search[data-state=done]")
    assert hit_urls(page, url) == expected
    page.fill("#q", "快递小哥")  # typing: the new list replaces the old one, nothing left over
    page.wait_for_url(lambda u: "q=%E5%BF%AB" in u)  # show() has started: state is busy
    page.wait_for_selector("#search[data-state=done]")
    assert hit_urls(page, url) == [h.url for h in index.search("快递小哥", limit=10).hits]
    total = index.search("快递小哥", limit=0).total
    assert page.text_content(".search-status") == f"找到 {total} 篇"
    page.close()


def test_a_page_from_an_older_template_still_searches(chromium_browser, site):
    """A search page from an older template (no manifest on it, search.js loaded as a
    module) still searches: the script fetches the manifest and finds its own address."""
    url, index, output = site
    html = (output / "search/index.html").read_text(encoding="utf-8")
    start = html.index(' data-manifest="')
    plain = html[:start] + html[html.index('"', start + len(' data-manifest="')) + 1:]
    assert "data-manifest" not in plain and '<script defer src="' in plain
    plain = plain.replace('<script defer src="', '<script type="module" async src="')
    (output / "search/plain.html").write_text(plain, encoding="utf-8")
    page = chromium_browser.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url.removeprefix(url)))
    page.goto(f"{url}search/plain.html?q={quote('职工')}")
    page.wait_for_selector("#search[data-state=done]")
    assert hit_urls(page, url) == [h.url for h in index.search("职工", limit=10).hits]
    assert requested.count("search/manifest.json") == 1, requested
    page.close()


SEEN_TITLES = """
window.__seen = [];
new MutationObserver(() => document.querySelectorAll(".search-hit a").forEach((a) => {
  if (!window.__seen.includes(a.textContent)) window.__seen.push(a.textContent);
})).observe(document, { childList: true, subtree: true });
"""


def test_a_reload_draws_the_remembered_hits_before_the_index_answers(chromium_browser, site):
    url, index, _ = site
    context = chromium_browser.new_context()
    context.add_init_script(SEEN_TITLES)
    page = context.new_page()
    page.goto(f"{url}search/?q={quote('职工')}")
    page.wait_for_selector("#search[data-state=done]")
    first = hit_urls(page, url)
    held = []
    page.route("**/search/*/*.bin", lambda route: held.append(route))  # shards held back
    page.reload()
    page.wait_for_selector(".search-hit", timeout=5000)
    assert hit_urls(page, url) == first
    assert page.get_attribute("#search", "data-state") == "busy" and held
    for route in held:
        route.continue_()
    page.unroute("**/search/*/*.bin")
    page.wait_for_selector("#search[data-state=done]")
    assert hit_urls(page, url) == first
    page.click("button.search-more")  # the whole order is there once the query has run again
    page.wait_for_selector(".search-hit:nth-child(20)")
    assert hit_urls(page, url) == [h.url for h in index.search("职工", limit=20).hits]
    # A page remembered from another build of the index is never drawn.
    page.evaluate("""() => {
      const key = Object.keys(sessionStorage).find((k) => k.endsWith(":职工"));
      const old = JSON.parse(sessionStorage.getItem(key));
      old.hits[0].title = "旧索引的标题";
      sessionStorage.removeItem(key);
      sessionStorage.setItem("search:another-build:职工", JSON.stringify(old));
    }""")
    page.reload()
    page.wait_for_selector("#search[data-state=done]")
    assert hit_urls(page, url) == first
    assert "旧索引的标题" not in page.evaluate("window.__seen")
    context.close()
