"""The archive read from a folder (file://), as it is handed around, and from an unzipped copy:
every link opens a page (not a directory listing) and search answers as the CLI does, with no
console error, under the pages' CSP — its index loaded as script copies, not fetched."""

from __future__ import annotations

import base64
import json
import os
import shutil
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urljoin, urlparse

import pytest
from conftest import REPO, make_site

from site_builder.build import build_site
from site_builder.config import load_config
from site_builder.search import SearchIndex
from site_builder.search.script_chunks import CALLBACK, CHUNK_DIR, COMPLETE

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
"""


def bundled_site(tmp_path: Path) -> Path:
    """The bundled archive (content/ of the repository) as a project of its own."""
    site = make_site(tmp_path, content=None)
    shutil.copytree(REPO / "content", site / "content")
    return site


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """(built output, an unzipped copy of it elsewhere, the CLI's index)."""
    root = tmp_path_factory.mktemp("folder")
    site = bundled_site(root)
    config = load_config(site / "config.yaml")
    report = build_site(config, quiet=True)
    assert report.ok, report.diagnostics
    zipped = root / "archive.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        for path in sorted((site / "output").rglob("*")):
            z.write(path, Path("档案") / path.relative_to(site / "output"))
    copy = root / "unzipped"
    with zipfile.ZipFile(zipped) as z:
        z.extractall(copy)
    index = SearchIndex(config.root)
    yield site / "output", copy / "档案", index
    index.close()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("a", "form"):
            target = a.get("href") if tag == "a" else a.get("action")
            if target is not None:
                self.links.append(target)


def test_every_internal_link_names_a_file(archive):
    """Opened from disk, a link to a folder shows a directory listing: every link to a page
    of the site names its file (index.html), and that file exists."""
    out, _, _ = archive
    wrong = []
    for page in sorted(out.rglob("*.html")):
        if page.name == "404.html":  # root-absolute links: served, never opened from disk
            continue
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        base = page.as_uri()
        for link in parser.links:
            target = urlparse(urljoin(base, link))
            if target.scheme != "file" or link.startswith("#"):
                continue
            file = Path(target.path)
            if not file.is_file():
                wrong.append(f"{page.relative_to(out)} -> {link}")
    assert wrong == []


def _problems(page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda m: found.append(f"{m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: found.append(f"pageerror: {e}"))
    return found


def _hits(page, root: Path) -> list[str]:
    """The hits' links as site URLs (articles/…/), for comparison with the CLI's."""
    prefix = root.as_uri() + "/"
    return [h.removeprefix(prefix).removesuffix("index.html") for h in page.eval_on_selector_all(
        ".search-hit a.article-link", "els => els.map(e => e.href)")]


@pytest.mark.browser
@pytest.mark.parametrize("where", ["built", "unzipped"])
def test_search_from_a_folder_answers_as_the_cli_does(chromium_browser, archive, where):
    out, copy, index = archive
    root = out if where == "built" else copy
    context = chromium_browser.new_context()
    page = context.new_page()
    page.add_init_script(WATCH)
    problems = _problems(page)
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{root.as_uri()}/search/index.html?q={quote('溫暖')}")
    page.wait_for_selector("#search[data-state=done]")
    expected = [h.url for h in index.search("溫暖", limit=10).hits]
    assert len(expected) == 10
    assert _hits(page, root) == expected
    assert page.inner_text(".search-status") == f"找到 {index.search('溫暖').total} 篇"
    page.click(".search-more")  # the next ten, also from the script copies
    page.wait_for_selector(".search-hit:nth-child(11)")  # no wait_for_function: the CSP forbids eval
    page.wait_for_selector("#search[data-state=done]")
    assert _hits(page, root) == [h.url for h in index.search("溫暖", limit=20).hits]
    assert any(f"/search/{CHUNK_DIR}/" in r for r in requested)
    assert page.evaluate("window.__csp") == []
    assert problems == []
    # A hit opens its page, not a listing of its folder.
    page.click(".search-hit a.article-link")
    page.wait_for_load_state()
    assert page.url.endswith("/index.html") and page.locator("article h1").count() == 1
    assert problems == []
    context.close()


@pytest.mark.browser
def test_every_nav_link_and_the_search_box_work_from_a_folder(chromium_browser, archive):
    """From a deep page of the unzipped copy: the title, each nav link, the footer's links
    and the search box in the header (a form submitted to a file:// page)."""
    _, copy, index = archive
    context = chromium_browser.new_context()
    page = context.new_page()
    problems = _problems(page)
    article = next(copy.glob("articles/*/*/*/index.html")).as_uri()
    page.goto(article)
    names = page.eval_on_selector_all(".site-header a", "els => els.map(e => e.textContent)")
    assert len(names) == 5  # the title and four sections
    for i, name in enumerate(names):
        page.goto(article)
        page.locator(".site-header a").nth(i).click()
        page.wait_for_load_state()
        assert page.url.startswith(copy.as_uri()) and page.url.endswith("index.html"), name
        assert page.locator("main#main").count() == 1, name  # a page, not a listing
        if i:  # a section's page marks its link as current
            assert page.get_attribute(".site-nav a.current", "aria-current") == "page", name
    page.goto(article)
    page.fill("#site-search", "溫暖")
    page.press("#site-search", "Enter")
    page.wait_for_selector("#search[data-state=done]")
    assert _hits(page, copy) == [h.url for h in index.search("溫暖", limit=10).hits]
    assert problems == []
    context.close()


@pytest.mark.browser
def test_sort_and_year_range_from_a_folder(chromium_browser, archive):
    """From the home page of the folder: 溫暖 in the header's box, then the date sort and a year
    range on the search page, then every year again: the CLI's hits each time, and no console
    error (a query asked after the first one checks for a newer index only over http)."""
    from playwright.sync_api import expect

    out, _, index = archive
    context = chromium_browser.new_context()
    page = context.new_page()
    page.add_init_script(WATCH)
    problems = _problems(page)
    page.goto(f"{out.as_uri()}/index.html")
    page.fill("#site-search", "溫暖")
    page.press("#site-search", "Enter")

    def answered(query: str, sort: str) -> None:
        expect(page.locator("#q")).to_have_value(query)  # no eval: the CSP forbids it
        page.wait_for_selector("#search[data-state=done]")
        expected = index.search(query, limit=10, sort=sort)
        assert page.inner_text(".search-status") == f"找到 {expected.total} 篇", query
        assert _hits(page, out) == [h.url for h in expected.hits], query

    answered("溫暖", "relevance")
    for select, value, query in [("#search-sort", "date", "溫暖"),
                                 ("#search-from", "2021", "溫暖 year:2021.."),
                                 ("#search-to", "2023", "溫暖 year:2021..2023"),
                                 ("#search-from", "", "溫暖 year:..2023"),
                                 ("#search-to", "", "溫暖")]:
        page.evaluate("document.getElementById('search').dataset.state = 'chosen'")
        page.select_option(select, value)
        answered(query, "date")
    assert "sort=date" in page.url
    assert page.evaluate("window.__csp") == []
    assert problems == []
    context.close()


def test_each_export_file_has_a_current_script_copy_after_edits(tmp_path):
    """Built, then an article edited (a patched export) and one removed: every export file
    has a script copy that hands search.js exactly its contents, and no copy is left over."""
    site = make_site(tmp_path)
    config = load_config(site / "config.yaml")
    first = build_site(config, quiet=True)
    assert first.ok
    search = site / "output/search"
    assert_copies_current(search)
    article = site / "content/articles/2021/haishu.md"
    article.write_text(article.read_text(encoding="utf-8") + "\n补记：快递网点又收到一批年货。\n",
                       encoding="utf-8")
    edit = build_site(config, quiet=True)
    assert edit.ok and edit.search["mode"] == "patched"
    assert 0 < edit.search["script_chunks"] < first.search["script_chunks"] / 4  # the few it wrote
    assert_copies_current(search)
    assert build_site(config, quiet=True).ok  # the spare, a build behind, catches up
    assert_copies_current(search)
    article.unlink()
    assert build_site(config, quiet=True).ok
    assert_copies_current(search)
    # Copies a stopped build left half made (no mark that the last run ended): all compared.
    (search / CHUNK_DIR / COMPLETE).unlink()
    stale = search / CHUNK_DIR / "lengths.bin.js"
    stale.write_text(f'{CALLBACK}("lengths.bin","AAAA");\n', encoding="utf-8")
    os.utime(stale, ns=(0, 0))
    other = site / "content/articles/2024/jiangyin-zhaopin.md"
    other.write_text(other.read_text(encoding="utf-8") + "\n又讯。\n", encoding="utf-8")
    assert build_site(config, quiet=True).ok
    assert build_site(config, quiet=True).ok  # (the folder that held the stale copy again)
    assert_copies_current(search)


def assert_copies_current(folder: Path) -> None:
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*")
             if p.is_file() and not p.name.startswith(".")
             and p.relative_to(folder).parts[0] != CHUNK_DIR and p.name != "index.html"}
    copies = {p.relative_to(folder / CHUNK_DIR).as_posix().removesuffix(".js")
              for p in (folder / CHUNK_DIR).rglob("*.js")}
    assert (folder / CHUNK_DIR / COMPLETE).is_file()
    assert copies == files and files
    prefix = f"{CALLBACK}("
    for rel in sorted(files):
        script = (folder / CHUNK_DIR / f"{rel}.js").read_text(encoding="utf-8")
        assert script.startswith(prefix) and script.endswith(");\n"), rel
        name, _, value = script[len(prefix):-3].partition(",")
        assert json.loads(name) == rel
        data = (folder / rel).read_bytes()
        if rel.endswith(".json"):
            assert json.loads(value) == json.loads(data), rel
        else:
            assert base64.b64decode(json.loads(value)) == data, rel
