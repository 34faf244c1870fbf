"""What others read of the archive: link previews and structured data on article pages, the
sitemap and robots.txt, Atom feeds per province, city and tag; and scheduled publishing (an
article dated after today appears on its date, `build --future` previews it)."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner

from site_builder.cli import cli

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def run_build(site: Path, *args: str):
    result = CliRunner().invoke(cli, ["--config", str(site / "config.yaml"), "build", "--quiet",
                                      *args], obj={})
    assert result.exit_code == 0, result.output
    return site / "output"


class _Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.feeds: list[str] = []
        self.json_ld: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and (a.get("property") or a.get("name")):
            self.meta[a.get("property") or a.get("name")] = a.get("content") or ""
        if tag == "link" and a.get("rel") == "alternate":
            self.feeds.append(a.get("href") or "")
        elif tag == "link" and a.get("rel"):
            self.links[a["rel"]] = a.get("href") or ""
        self._in_ld = tag == "script" and a.get("type") == "application/ld+json"

    def handle_endtag(self, tag):
        self._in_ld = False

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld.append(data)


def head(out: Path, url: str) -> _Head:
    parsed = _Head()
    parsed.feed((out / url / "index.html").read_text(encoding="utf-8"))
    return parsed


def test_an_article_page_describes_itself_to_link_previews_and_search_engines(site_dir):
    out = run_build(site_dir, "--base-url", "https://example.org/archive/")
    page = head(out, "articles/2024/jiangyin-zhaopin/")
    url = "https://example.org/archive/articles/2024/jiangyin-zhaopin/"
    assert page.links["canonical"] == url
    assert page.meta["og:url"] == url
    assert page.meta["og:type"] == "article"
    assert page.meta["og:title"] == page.meta["twitter:title"] == "江阴线上招聘助职工就业"
    assert page.meta["og:description"].startswith("“刷了一下江阴市总工会")
    assert page.meta["twitter:card"] == "summary"
    assert page.meta["og:locale"] == "zh_CN"
    assert page.meta["article:published_time"] == "2024-02-07"
    (block,) = page.json_ld
    data = json.loads(block)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "江阴线上招聘助职工就业"
    assert data["datePublished"] == "2024-02-07"
    assert data["author"] == [{"@type": "Person", "name": "刘建林"}]
    assert data["publisher"] == {"@type": "Organization", "name": "测试档案"}
    assert data["contentLocation"]["name"] == "江苏/无锡/江阴"
    assert data["contentLocation"]["address"] == {
        "@type": "PostalAddress", "addressCountry": "CN", "addressRegion": "江苏省",
        "addressLocality": "无锡市江阴市"}
    assert data["url"] == url and data["keywords"] == ["送温暖", "稳岗留工"]
    year_only = json.loads(head(out, "articles/2025/shanxi-nianhuo/").json_ld[0])
    assert year_only["datePublished"] == "2025"  # an ISO 8601 year: no invented day
    assert head(out, "regions/jiangsu/").links["canonical"] == (
        "https://example.org/archive/regions/jiangsu/")


def test_without_base_url_there_is_no_canonical_link_but_the_rest_is_there(built_site):
    page = head(built_site, "articles/2024/jiangyin-zhaopin/")
    assert "canonical" not in page.links and "og:url" not in page.meta  # (it must be absolute)
    assert page.meta["og:title"] == "江阴线上招聘助职工就业"
    assert "url" not in json.loads(page.json_ld[0])
    assert head(built_site, "").meta["og:type"] == "website"


def test_robots_names_the_sitemap_only_by_an_absolute_url(site_dir):
    out = run_build(site_dir)
    robots = (out / "robots.txt").read_text()
    assert "Sitemap" not in robots and "User-agent: *" in robots
    out = run_build(site_dir, "--base-url", "https://example.org/archive")
    assert "Sitemap: https://example.org/archive/sitemap.xml\n" in (out / "robots.txt").read_text()


def test_sitemap_gives_each_page_the_date_of_its_newest_article(built_site):
    root = ET.parse(built_site / "sitemap.xml").getroot()
    lastmod = {u.find(f"{SITEMAP}loc").text: u.find(f"{SITEMAP}lastmod").text
               for u in root.findall(f"{SITEMAP}url")}
    assert lastmod["/articles/2024/jiangyin-zhaopin/"] == "2024-02-07"
    assert lastmod["/articles/2025/shanxi-nianhuo/"] == "2025"  # known by its year only
    assert lastmod["/regions/jiangsu/"] == "2024-02-14"  # its newest article
    assert lastmod["/"] == lastmod["/regions/"] == "2025-01-06"  # the archive's newest
    assert lastmod["/years/2021/"] == "2021-02-05"
    assert all(re.fullmatch(r"\d{4}(-\d\d-\d\d)?", v) for v in lastmod.values())


def test_feeds_per_province_city_and_tag_are_written_and_announced(built_site):
    def titles(path: str) -> set[str]:
        root = ET.parse(built_site / path).getroot()
        return {e.find(f"{ATOM}title").text for e in root.findall(f"{ATOM}entry")}

    assert titles("regions/jiangsu/wuxi/feed.xml") == {"江阴线上招聘助职工就业",
                                                      "无锡市总工会冬日暖“新”服务活动"}
    assert titles("tags/song-wen-nuan/feed.xml") >= {"江阴线上招聘助职工就业"}
    assert not (built_site / "regions/jiangsu/wuxi/jiangyin/feed.xml").exists()  # counties: none
    assert head(built_site, "regions/jiangsu/wuxi/").feeds == [
        "../../../feed.xml", "../../../regions/jiangsu/wuxi/feed.xml"]
    assert head(built_site, "tags/song-wen-nuan/").feeds == [
        "../../feed.xml", "../../tags/song-wen-nuan/feed.xml"]


def test_feeds_per_city_and_tag_can_be_switched_off(site_dir):
    config = site_dir / "config.yaml"
    config.write_text(config.read_text().replace(
        "  per_province: true", "  per_province: true\n  per_city: false\n  per_tag: false"))
    out = run_build(site_dir)
    assert (out / "regions/jiangsu/feed.xml").exists()
    assert not (out / "regions/jiangsu/wuxi/feed.xml").exists()
    assert not list((out / "tags").rglob("feed.xml"))


def test_an_article_dated_after_today_is_published_on_its_date(site_dir, monkeypatch, tmp_path):
    """The fixture's 2025 items: 全总部署 (2025-01-06) and 山西 (year 2025 only)."""
    dated, year_only = "articles/2025/quanzong/", "articles/2025/shanxi-nianhuo/"
    monkeypatch.setenv("SITE_BUILDER_TODAY", "2024-12-31")
    out = run_build(site_dir)
    assert not (out / dated).exists() and not (out / year_only).exists()
    assert not (out / "years/2025").exists()
    assert "全总部署" not in (out / "feed.xml").read_text() + (out / "index.html").read_text()
    manifest = json.loads((out / "search/manifest.json").read_text())
    assert manifest["documents"] == 3  # not searchable either

    out = run_build(site_dir, "--future")  # a preview of what is scheduled
    assert (out / dated / "index.html").is_file() and (out / year_only / "index.html").is_file()

    monkeypatch.setenv("SITE_BUILDER_TODAY", "2025-01-05")
    out = run_build(site_dir)
    assert not (out / dated).exists() and (out / year_only / "index.html").is_file()
    monkeypatch.setenv("SITE_BUILDER_TODAY", "2025-01-06")  # its day: published
    out = run_build(site_dir)
    assert (out / dated / "index.html").is_file()
    assert json.loads((out / "search/manifest.json").read_text())["documents"] == 5
    published = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
                 if p.is_file()}
    clean = tmp_path / "clean"  # the same as a build that never saw the earlier days
    shutil.copytree(site_dir, clean, ignore=shutil.ignore_patterns("output", ".site-builder"))
    again = run_build(clean)
    assert {p.relative_to(again).as_posix(): p.read_bytes() for p in again.rglob("*")
            if p.is_file()} == published
