"""HTML safety of the built site: sanitized bodies, no inline script, a CSP on every page.

Checked twice: statically over every page built from the hostile corpus, and in headless
Chromium, where a hostile article must raise no dialog even with the CSP switched off (so the
sanitizer, not only the CSP, stops it). A trusted-HTML build shows the CSP doing its part.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from conftest import make_site, serve_directory
from hostile.corpus import write_corpus

from site_builder.build import build_site
from site_builder.config import load_config

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data",
                  "background", "cite", "srcset", "ping"}
DATA_BLOCK = "application/ld+json"  # a script element of this type holds data: it never runs
FORBIDDEN_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "style"}
HOSTILE_PAGES = ["articles/2019/hostile/html-body/", "articles/2019/hostile/html-fields/",
                 "regions/xizang/lasa/", "years/2019/", "tags/", ""]


class PageAudit(HTMLParser):
    """Everything on one page that could run script or load a foreign document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.csp: list[str] = []
        self.scripts: list[dict] = []
        self.inline_script = False
        self.data_blocks: list[str] = []  # <script type="application/ld+json">: data, never run
        self.problems: list[str] = []
        self._in_script = False
        self._in_data = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp.append(a.get("content") or "")
            if self.scripts:
                self.problems.append("CSP meta comes after a script")
        if tag == "script" and (a.get("type") or "").lower() == DATA_BLOCK and "src" not in a:
            self._in_data = True
            self.data_blocks.append("")
        elif tag == "script":
            self.scripts.append(a)
            self._in_script = True
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            self.problems.append("<meta http-equiv=refresh>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name == "style":
                self.problems.append(f"<{tag} style=…> (inline style)")
            if name in URL_ATTRIBUTES and value:
                scheme = dangerous_scheme(value)
                if scheme == "data" and (tag, a.get("rel")) in (("link", "icon"), ("img", None)):
                    continue
                if scheme:
                    self.problems.append(f"<{tag} {name}={value[:40]!r}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = self._in_data = False

    def handle_data(self, data):
        if self._in_data:
            self.data_blocks[-1] += data
        elif self._in_script and data.strip():
            self.inline_script = True


def dangerous_scheme(url: str) -> str | None:
    """The scheme as a browser reads it (controls and spaces dropped, any case), when it runs code."""
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", url).lower()
    scheme = cleaned.split(":", 1)[0] if ":" in cleaned.split("/", 1)[0] else ""
    return scheme if scheme in ("javascript", "vbscript", "data", "livescript") else None


def csp_directives(policy: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = [w.lower() for w in words[1:]]
    return out


def check_csp(policy: str) -> list[str]:
    d = csp_directives(policy)
    script = d.get("script-src", d.get("default-src"))
    problems = []
    if script is None:
        return ["no script-src or default-src"]
    for bad in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:", "blob:"):
        if bad in script:
            problems.append(f"script-src allows {bad}")
    if d.get("object-src", d.get("default-src")) not in (["'none'"], ["'self'"]):
        problems.append("object-src is not restricted")
    if "base-uri" not in d:
        problems.append("no base-uri")
    return problems


def build(root: Path, *, trusted: bool) -> Path:
    site = make_site(root)
    write_corpus(site / "content", root / "outside")
    config = load_config(site / "config.yaml", trusted_html=trusted)
    assert config.trusted_html is trusted
    assert build_site(config, quiet=True).ok
    return site / "output"


@pytest.fixture(scope="module")
def hostile_output(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("safe"), trusted=False)


@pytest.fixture(scope="module")
def trusted_output(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("trusted"), trusted=True)


def audit(page: Path) -> PageAudit:
    parsed = PageAudit()
    parsed.feed(page.read_text(encoding="utf-8"))
    parsed.close()
    return parsed


def test_every_page_has_a_strict_csp_and_only_external_scripts(hostile_output):
    problems: dict[str, list[str]] = {}
    pages = sorted(hostile_output.rglob("*.html"))
    assert len(pages) > 50
    for page in pages:
        rel = page.relative_to(hostile_output).as_posix()
        a = audit(page)
        found = list(a.problems)
        if len(a.csp) != 1:
            found.append(f"{len(a.csp)} CSP meta tags")
        else:
            found += check_csp(a.csp[0])
        if a.inline_script:
            found.append("inline script")
        for block in a.data_blocks:  # the text of an article in JSON-LD: valid JSON, and
            try:  # no "<" that could end the element or open a comment in it
                json.loads(block)
            except ValueError:
                found.append("JSON-LD that is not JSON")
            if "<" in block:
                found.append("'<' inside JSON-LD")
        for script in a.scripts:
            src = script.get("src")
            if not src:
                found.append("script without src")
                continue
            target = urlparse(urljoin(f"http://site/{rel}", src))
            file = hostile_output / target.path.lstrip("/")
            if target.netloc != "site" or not file.is_file() or file.suffix != ".js":
                found.append(f"script {src} is not a file of the site")
        if found:
            problems[rel] = found
    assert problems == {}


def test_hostile_body_is_sanitized_but_its_text_kept(hostile_output):
    html = (hostile_output / "articles/2019/hostile/html-body/index.html").read_text(encoding="utf-8")
    body = html[html.index('<div class="body">'):html.index("</article>")]
    for gone in ("<script", "<iframe", "onerror", "onload", "javascript:", "vbscript:", "<object",
                 "<embed", "<form", "<meta", "<base", "<style", "ontoggle", "onclick", "<svg",
                 "<math"):
        assert gone not in body.lower(), gone
    for kept in ("开头一段正常文字。", "脚本链接", "markdown 链接", "带属性的段落", "结尾一段正常文字。"):
        assert kept in body


def test_trusted_html_switch_keeps_raw_html(trusted_output):
    html = (trusted_output / "articles/2019/hostile/html-body/index.html").read_text(encoding="utf-8")
    assert '<script>alert("script")</script>' in html
    assert "onerror=" in html
    # Fields are still escaped: trust is for bodies an editor wrote, not for front-matter.
    fields = (trusted_output / "articles/2019/hostile/html-fields/index.html").read_text(
        encoding="utf-8")
    assert "<script>alert(0)" not in fields


def visit(browser, base: str, urls: list[str], *, bypass_csp: bool) -> dict[str, list[str]]:
    """Dialogs, CSP violations and page errors seen while loading each URL."""
    seen: dict[str, list[str]] = {"dialogs": [], "csp": [], "errors": []}
    context = browser.new_context(bypass_csp=bypass_csp)
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.warn('CSP-VIOLATION ' + e.violatedDirective))")
    page = context.new_page()
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("console", lambda m: m.text.startswith("CSP-VIOLATION") and seen["csp"].append(m.text))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    for url in urls:
        page.goto(base + url)
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)  # let delayed handlers (onerror of broken images) fire
    context.close()
    return seen


@pytest.mark.browser
def test_no_script_runs_from_a_hostile_article_even_without_csp(hostile_output, chromium_browser):
    server, base = serve_directory(hostile_output)
    try:
        for bypass in (False, True):
            seen = visit(chromium_browser, base, HOSTILE_PAGES, bypass_csp=bypass)
            assert seen["dialogs"] == [], (bypass, seen)
            assert seen["errors"] == [], (bypass, seen)
            if not bypass:
                assert seen["csp"] == [], "the sanitizer should leave the CSP nothing to block"
    finally:
        server.shutdown()


@pytest.mark.browser
def test_the_csp_blocks_inline_script_that_trusted_html_let_through(trusted_output,
                                                                    chromium_browser):
    server, base = serve_directory(trusted_output)
    try:
        url = ["articles/2019/hostile/html-body/"]
        unprotected = visit(chromium_browser, base, url, bypass_csp=True)
        assert unprotected["dialogs"], "the test page should run script when nothing stops it"
        protected = visit(chromium_browser, base, url, bypass_csp=False)
        assert protected["dialogs"] == []
        assert any("script-src" in v for v in protected["csp"]), protected
    finally:
        server.shutdown()


def test_search_script_builds_results_with_dom_text_apis(hostile_output):
    """Titles and snippets come from article text: they must never be parsed as HTML."""
    script = (hostile_output / "static/search.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                 "new Function", "setTimeout(\"", "createContextualFragment", "DOMParser"):
        assert sink not in script, sink
    assert "textContent" in script
    page = (hostile_output / "search/index.html").read_text(encoding="utf-8")
    srcs = [s.get("src") for s in audit(hostile_output / "search/index.html").scripts]
    assert srcs and all(s.endswith("static/search.js") for s in srcs), srcs
    assert "static/search.js" in page


def test_the_manifest_on_the_search_page_is_an_escaped_attribute_not_script(tmp_path):
    """The search page carries the index's manifest: words in it come from the config and
    the content, so it is written as an HTML-escaped attribute, never as script."""

    from site_builder.render import make_environment, render_page, search_page

    config = load_config(make_site(tmp_path) / "config.yaml")
    manifest = json.dumps({"vocabulary": ['"><script>alert(1)</script>', "</div>&amp;'"]},
                          ensure_ascii=False)
    html = render_page(search_page(manifest), make_environment(config), config)
    page = tmp_path / "search.html"
    page.write_text(html, encoding="utf-8")
    a = audit(page)
    assert not a.inline_script and not a.problems
    assert [s.get("src", "").rsplit("/", 1)[-1] for s in a.scripts] == ["search.js"]

    class Holder(HTMLParser):
        value = None

        def handle_starttag(self, tag, attrs):
            if dict(attrs).get("id") == "search":
                Holder.value = dict(attrs).get("data-manifest")

    Holder().feed(html)
    assert Holder.value == manifest
