"""The hostile-input corpus (tests/hostile/corpus.py) through a real build.

Each hostile file gets one precise ``path:line: message`` or a safe page; the fixture articles'
pages are byte-for-byte what they are without the corpus; nothing is written outside output/.
"""

from __future__ import annotations

import hashlib
import re
import traceback
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import make_site
from hostile.corpus import SECRET, Corpus, write_corpus

from site_builder.cli import cli
from site_builder.content import load_library

# Lines a build prints for a skipped file: "path:line[:col]: warning: message (skipped)".
DIAGNOSTIC = re.compile(r"^(?P<path>content/\S.*?\.(?:md|txt|json))(?::(?P<line>\d+))?(?::\d+)?: "
                        r"(?P<severity>warning|error): (?P<message>.*)$")
# Characters a reader must never get in a title: controls, zero-width and bidi overrides.
INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
STATE = ".site-builder"  # the build lock lives here, beside output/


def run(site: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(site / "config.yaml"), *args], obj={})


def snapshot(root: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Every entry under ``root`` (links not followed): kind, and content hash or link target."""
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel.split("/")[0] in skip:
            continue
        if path.is_symlink():
            out[rel] = f"link {path.readlink()}"
        elif path.is_dir():
            out[rel] = "dir"
        else:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def pages(folder: Path, prefix: str) -> dict[str, str]:
    return {k: v for k, v in snapshot(folder).items() if k.startswith(prefix) and v != "dir"}


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.where: list[str] = []
        self.h1 = ""
        self.title = ""
        self.body = ""

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "title") or ("class", "body") in attrs:
            self.where.append(tag if tag in ("h1", "title") else "body")

    def handle_endtag(self, tag):
        if self.where and tag == {"body": "div"}.get(self.where[-1], self.where[-1]):
            self.where.pop()

    def handle_data(self, data):
        if self.where:
            kind = self.where[-1]
            setattr(self, {"h1": "h1", "title": "title", "body": "body"}[kind],
                    getattr(self, kind) + data)


@dataclass
class HostileBuild:
    corpus: Corpus
    site: Path
    clean_site: Path
    stderr: str
    exit_code: int
    before: dict[str, str]  # tmp tree before the build, output/ excluded
    after: dict[str, str]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> HostileBuild:
    clean = make_site(tmp_path_factory.mktemp("clean"))
    assert run(clean, "build", "--quiet").exit_code == 0
    root = tmp_path_factory.mktemp("hostile")
    site = make_site(root)
    corpus = write_corpus(site / "content", root / "outside")
    before = snapshot(root, skip=())
    result = run(site, "build")
    after = snapshot(root)
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    crash = "".join(traceback.format_exception(result.exception)) if crashed else ""
    return HostileBuild(corpus, site, clean, result.stderr + crash, result.exit_code, before, after)


def diagnostics(stderr: str) -> list[re.Match]:
    return [m for line in stderr.splitlines() if (m := DIAGNOSTIC.match(line))]


def test_the_build_goes_on_past_every_hostile_file(hostile):
    assert hostile.exit_code == 0, hostile.stderr
    assert "built " in hostile.stderr
    assert len(hostile.corpus.rejected) >= 30 and len(hostile.corpus.published) >= 15


def test_each_rejected_file_gets_its_precise_diagnostic(hostile):
    found = diagnostics(hostile.stderr)
    problems = []
    for case in hostile.corpus.rejected:
        path = f"content/articles/{case.file}"
        mine = [m for m in found if m["path"] == path]
        line = None if case.line is None else str(case.line)
        if not any(m["line"] == line and case.message in m["message"] for m in mine):
            problems.append(f"{case.name}: want {path}:{case.line}: …{case.message}…, got "
                            f"{[m.group(0) for m in mine]}")
        if not all(m["message"].endswith("(skipped)") for m in mine):
            problems.append(f"{case.name}: not marked as skipped")
    assert problems == [], "\n".join(problems)


def test_no_diagnostic_names_a_good_file(hostile):
    bad_files = {f"content/articles/{c.file}" for c in hostile.corpus.rejected}
    bad_files |= {f"content/{c.file}" for c in hostile.corpus.bulletin_warnings}
    strays = [m.group(0) for m in diagnostics(hostile.stderr) if m["path"] not in bad_files]
    assert strays == []
    # Every line of the report is a diagnostic or the summary: no traceback, no noise.
    other = [ln for ln in hostile.stderr.splitlines()
             if not DIAGNOSTIC.match(ln) and not ln.startswith("built ")]
    assert other == []


def test_each_published_file_renders_safely(hostile):
    out = hostile.site / "output"
    problems = []
    for case in hostile.corpus.published:
        page = out / case.url / "index.html"
        if not page.is_file():
            problems.append(f"{case.name}: no page at {case.url}")
            continue
        html = page.read_text(encoding="utf-8")
        parsed = _Headings()
        parsed.feed(html)
        if parsed.h1 != case.title:
            problems.append(f"{case.name}: heading {parsed.h1!r}, want {case.title!r}")
        if INVISIBLE.search(parsed.h1 + parsed.title):
            problems.append(f"{case.name}: invisible characters in the title")
        problems += [f"{case.name}: body lacks {s!r}" for s in case.shows if s not in parsed.body]
        if "\r" in html:
            problems.append(f"{case.name}: carriage return in the page")
    assert problems == [], "\n".join(problems)


def test_hostile_bulletins_and_manifests_are_reported_or_shown_as_text(hostile):
    found = {(m["path"], m["message"].split(":")[0]) for m in diagnostics(hostile.stderr)}
    for case in hostile.corpus.bulletin_warnings:
        assert any(path == f"content/{case.file}" and case.message.startswith(msg)
                   for path, msg in found) or any(
            f"content/{case.file}" in line and case.message in line
            for line in hostile.stderr.splitlines()), case.name
    out = hostile.site / "output"
    for url in hostile.corpus.bulletin_pages:
        assert (out / url / "index.html").is_file(), url
    page = (out / "bulletins/hostile-b/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#39;bulletin&#39;)&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "同名原版一" in (out / "bulletins/same-name/index.html").read_text(encoding="utf-8")


def test_invisible_characters_are_dropped_from_fields_everywhere(hostile):
    out = hostile.site / "output"
    article = (out / "articles/2019/hostile/invisible/index.html").read_text(encoding="utf-8")
    assert "副标题" in article
    listing = "".join(p.read_text(encoding="utf-8")  # per_page is 2 in the fixture
                      for p in sorted((out / "regions/xizang/lasa").rglob("index.html")))
    assert "无锡送温暖" in listing and "地区有零宽字符" in listing
    assert not INVISIBLE.search(listing)


def test_fields_with_html_are_shown_as_text(hostile):
    html = (hostile.site / "output/articles/2019/hostile/html-fields/index.html").read_text(
        encoding="utf-8")
    assert "&lt;script&gt;alert(0)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;svg onload=alert(2)&gt;" in html
    for raw in ("<script>alert", "<img src=x", "<svg onload"):
        assert raw not in html


def test_fixture_articles_are_unaffected(hostile):
    clean = pages(hostile.clean_site / "output", "articles/")
    with_corpus = pages(hostile.site / "output", "articles/")
    assert clean and {k: with_corpus.get(k) for k in clean} == clean


def test_nothing_is_written_outside_output(hostile):
    """Only output/ and the build's lock folder may differ; the linked-to files are untouched."""
    changed = {k for k in hostile.before.keys() | hostile.after.keys()
               if hostile.before.get(k) != hostile.after.get(k)}
    allowed = ("site/output", f"site/{STATE}")
    assert sorted(k for k in changed if not k.startswith(allowed)) == []
    assert not list(hostile.site.parent.rglob("pwned*"))
    assert not list(Path.cwd().glob("pwned*"))


def test_nothing_from_outside_content_is_published(hostile):
    out = hostile.site / "output"
    leaks = [p.relative_to(out).as_posix() for p in out.rglob("*")
             if p.is_file() and SECRET.encode() in p.read_bytes()]
    assert leaks == []
    assert not (out / "articles/2019/hostile/linked-folder").exists()
    assert not any(p.is_symlink() for p in out.rglob("*"))


def test_feeds_and_sitemap_stay_well_formed(hostile):
    out = hostile.site / "output"
    feeds = [out / "feed.xml", *out.glob("regions/*/feed.xml")]
    for xml in [*feeds, out / "sitemap.xml"]:
        ET.parse(xml)  # raises on a single stray control character
    titles = [e.text for e in ET.parse(out / "feed.xml").getroot().iter(
        "{http://www.w3.org/2005/Atom}title")]
    assert "控制字符" in titles


def test_load_library_reports_the_same_and_keeps_the_rest(hostile):
    site = hostile.site
    library = load_library(site / "content", project_root=site)
    urls = {a.url for a in library.articles}
    assert {c.url for c in hostile.corpus.published} <= urls
    assert len(urls) == len(library.articles)
    named = {d.path for d in library.diagnostics}
    assert named == {f"content/articles/{c.file}" for c in hostile.corpus.rejected}
    for article in library.articles:
        for text in (article.title, article.subtitle, *article.authors, *article.tags):
            assert not INVISIBLE.search(text), (article.source_path, text)


def test_check_names_every_rejected_file(hostile):
    result = run(hostile.site, "check")
    assert result.exit_code == 1
    for case in hostile.corpus.rejected:
        assert f"content/articles/{case.file}" in result.output, case.name
    for case in hostile.corpus.published:  # only the link checks may speak of these
        assert all("missing image" in line for line in result.output.splitlines()
                   if f"content/articles/{case.file}:" in line), case.name


def test_strict_build_refuses_and_leaves_the_site(hostile):
    before = pages(hostile.site / "output", "")
    result = run(hostile.site, "build", "--strict", "--quiet")
    assert result.exit_code == 1
    assert pages(hostile.site / "output", "") == before


@pytest.mark.parametrize("title, stem", [("../../etc", "etc"), ("/", "item"),
                                         ("！？。……", "item"), ("..\\..\\boot.ini", "boot-ini"),
                                         ("\u202e\u200bexe.txt", "exe-txt")])
def test_new_keeps_path_like_titles_inside_content(tmp_path, title, stem):
    site = make_site(tmp_path, content=None)
    before = snapshot(tmp_path)
    result = run(site, "new", "--title", title, "--region", "西藏/拉萨", "--date", "2019-03-01")
    assert result.exit_code == 0, result.output
    added = sorted(set(snapshot(tmp_path)) - set(before))
    assert added[-1] == f"site/content/articles/2019/xizang-lasa/{stem}.md", added
    assert all(a == "site/content" or a.startswith("site/content/articles") for a in added)


def test_new_with_a_second_punctuation_title_does_not_overwrite(tmp_path):
    site = make_site(tmp_path, content=None)
    assert run(site, "new", "--title", "/", "--region", "西藏/拉萨", "--date", "2019-03-01"
               ).exit_code == 0
    path = site / "content/articles/2019/xizang-lasa/item.md"
    path.write_text(path.read_text(encoding="utf-8") + "编辑写的正文。\n", encoding="utf-8")
    edited = path.read_bytes()
    again = run(site, "new", "--title", "？？", "--region", "西藏/拉萨", "--date", "2019-03-01")
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert path.read_bytes() == edited
