"""While ``site-builder serve`` runs, the search page answers from the index of the latest
rebuild: after the page reloads by itself, and in a page that stayed open (no reload: the
query typed next notices the new index)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from served import Served

from site_builder.search import SearchIndex

pytestmark = pytest.mark.browser

NEW_WORD = "龘龘新词"


@pytest.fixture
def served(site_dir: Path) -> Iterator[Served]:
    server = Served(site_dir)
    yield server
    server.stop()


def status(page) -> str:
    page.wait_for_selector("#search[data-state=done]")
    return page.text_content(".search-status")


def add_word(site: Path) -> None:
    """A new article (a new document number: the open page's manifest counts one fewer)."""
    (site / "content/articles/2025/new-word.md").write_text(
        f"---\ntitle: 新到的文章\ndate: 2025-12-01\nregion: 江苏/无锡\n---\n\n补记：{NEW_WORD}。\n",
        encoding="utf-8")


def test_the_search_page_answers_from_the_rebuilt_index(served, site_dir, chromium_browser):
    reloading = chromium_browser.new_page()
    reloading.goto(f"{served.url}search/?q={quote(NEW_WORD)}")
    assert "没有找到" in status(reloading)
    reloading.wait_for_function("() => window.LiveReload && window.LiveReload.connector"
                                " && window.LiveReload.connector._isSocketConnected()",
                                timeout=10000)
    open_page = chromium_browser.new_page()  # a page that will not be told to reload
    open_page.route("**/livereload.js", lambda route: route.abort())
    open_page.goto(f"{served.url}search/?q={quote('送温暖')}")
    before = status(open_page)
    assert before.startswith("找到")

    add_word(site_dir)
    # the page that reloads itself shows the new article
    reloading.wait_for_selector(".search-hit a.article-link", timeout=15000)
    assert NEW_WORD in reloading.text_content(".search-hit")
    # the page left open finds it at its next query
    open_page.fill("#q", NEW_WORD)
    open_page.press("#q", "Enter")
    open_page.wait_for_function(
        "word => [...document.querySelectorAll('.search-hit')].some(h => h.textContent.includes(word))",
        arg=NEW_WORD, timeout=15000)
    assert status(open_page) == "找到 1 篇"
    # and the CLI's engine reads the same live index
    deadline = time.monotonic() + 10
    while True:
        index = SearchIndex(site_dir)
        try:
            total = index.search(NEW_WORD).total
        finally:
            index.close()
        if total == 1 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert total == 1
    reloading.close()
    open_page.close()
