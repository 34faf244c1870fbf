"""The archive a reader browses: pages, roll-up, links, feeds, sitemap, determinism."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

from builds import broken_links, digest
from click.testing import CliRunner
from conftest import FIXTURES

from site_builder.build import build_site
from site_builder.cli import cli
from site_builder.config import load_config

ATOM = "{http://www.w3.org/2005/Atom}"


def page(out: Path, url: str) -> str:
    return (out / url / "index.html").read_text(encoding="utf-8")


def run_build(site: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(site / "config.yaml"), "build", *args], obj={})


def test_every_kind_of_page_exists(built_site: Path):
    for url in ["", "regions/", "years/", "tags/", "search/",
                "articles/2024/jiangyin-zhaopin/", "regions/jiangsu/", "regions/jiangsu/wuxi/",
                "regions/jiangsu/wuxi/jiangyin/", "regions/jiangsu/wuxi/jiangyin/2024/",
                "regions/national/", "years/2024/", "years/2025/", "tags/song-wen-nuan/"]:
        assert (built_site / url / "index.html").is_file(), url
    for name in ["404.html", "feed.xml", "sitemap.xml", "robots.txt", "static/style.css",
                 "regions/jiangsu/feed.xml", "regions/national/feed.xml"]:
        assert (built_site / name).is_file(), name


def test_every_internal_link_resolves(built_site: Path):
    broken, checked = broken_links(built_site)
    assert broken == []
    assert checked > 200


def test_region_roll_up(built_site: Path):
    """An article in 江苏/无锡/江阴 appears on the 江阴, 无锡 and 江苏 pages, and nowhere else."""
    title = "江阴线上招聘助职工就业"
    for url in ["regions/jiangsu/wuxi/jiangyin/", "regions/jiangsu/wuxi/", "regions/jiangsu/",
                "regions/jiangsu/2024/", "years/2024/"]:
        assert title in page(built_site, url), url
    assert title not in page(built_site, "regions/zhejiang/")
    assert title not in page(built_site, "regions/jiangsu/wuxi/xishan/")
    # 'regions' makes an article appear on another place's page too.
    assert "无锡市总工会冬日暖“新”服务活动" in page(built_site, "regions/jiangsu/wuxi/xishan/")


def test_region_page_links_children_and_counts(built_site: Path):
    html = page(built_site, "regions/jiangsu/")
    assert 'href="../../regions/jiangsu/wuxi/index.html"' in html
    assert "江苏省" in html and "2 篇" in html


def test_breadcrumbs_province_city_district(built_site: Path):
    html = page(built_site, "articles/2024/jiangyin-zhaopin/")
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group(0)
    assert [m for m in re.findall(r">([^<>]+)</a>", crumbs)] == ["全部地区", "江苏", "无锡", "江阴"]


def test_year_page_groups_by_province(tmp_path: Path, site_dir: Path):
    (site_dir / "config.yaml").write_text(
        (site_dir / "config.yaml").read_text().replace("per_page: 2", "per_page: 20"))
    build_site(load_config(site_dir / "config.yaml"), quiet=True)
    html = page(site_dir / "output", "years/2025/")
    sections = re.findall(r"<h2><a [^>]*>([^<]+)</a></h2>", html)
    assert sections == ["全国", "山西"]


def test_pagination(built_site: Path):
    """per_page is 2 in the fixture: 江苏 has two articles, 送温暖 has five."""
    assert (built_site / "tags/song-wen-nuan/page/2/index.html").is_file()
    assert (built_site / "tags/song-wen-nuan/page/3/index.html").is_file()
    assert not (built_site / "tags/song-wen-nuan/page/4").exists()
    html = page(built_site, "tags/song-wen-nuan/page/2/")
    assert 'rel="prev"' in html and 'rel="next"' in html


def test_article_page_shows_metadata_and_neighbours(built_site: Path):
    html = page(built_site, "articles/2024/wuxi-songwennuan/")
    assert "<h1>无锡市总工会冬日暖“新”服务活动</h1>" in html
    assert "多措并举 关心职工实打实" in html
    assert "2024年2月14日" in html and "张三、李四" in html
    assert 'href="../../../tags/song-wen-nuan/index.html"' in html
    # The draft is not published.
    assert "草稿" not in (built_site / "years/2020").as_posix() and not (
        built_site / "years/2020").exists()


def test_year_only_article_has_no_invented_date(built_site: Path):
    html = page(built_site, "articles/2025/shanxi-nianhuo/")
    assert "2025年" in html and "datetime=" not in re.search(r"<p class=\"meta\">.*?</p>", html,
                                                              re.S).group(0)


def test_feeds_are_atom(built_site: Path):
    feed = ET.parse(built_site / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 5
    assert entries[0].find(f"{ATOM}title").text == "全总部署2025年“两节”送温暖活动"
    assert feed.find(f"{ATOM}updated").text.startswith("2025-01-06")
    province = ET.parse(built_site / "regions/jiangsu/feed.xml").getroot()
    assert {e.find(f"{ATOM}title").text for e in province.findall(f"{ATOM}entry")} == {
        "江阴线上招聘助职工就业", "无锡市总工会冬日暖“新”服务活动"}


def test_sitemap_lists_every_page(built_site: Path):
    root = ET.parse(built_site / "sitemap.xml").getroot()
    locs = {loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    pages = {"/" + p.relative_to(built_site).parent.as_posix().removeprefix(".") + "/"
             for p in built_site.rglob("index.html")}
    pages = {p.replace("//", "/") for p in pages}
    assert locs == pages


def test_base_url_makes_feed_and_sitemap_absolute(site_dir: Path):
    result = run_build(site_dir, "--base-url", "https://example.org/archive/", "--quiet")
    assert result.exit_code == 0, result.output
    out = site_dir / "output"
    assert "<loc>https://example.org/archive/regions/jiangsu/</loc>" in (
        out / "sitemap.xml").read_text()
    assert 'href="https://example.org/archive/static/style.css"' in (out / "404.html").read_text()
    # Pages themselves keep relative links, so the site works under any path.
    assert 'href="../../static/style.css"' in page(out, "regions/jiangsu/")


def test_two_builds_are_byte_identical(site_dir: Path, tmp_path: Path):
    assert run_build(site_dir, "--quiet").exit_code == 0
    first = digest(site_dir / "output")
    shutil.rmtree(site_dir / "output")
    assert run_build(site_dir, "--quiet").exit_code == 0
    assert digest(site_dir / "output") == first


def test_drafts_flag_publishes_drafts(site_dir: Path):
    assert run_build(site_dir, "--drafts", "--quiet").exit_code == 0
    assert (site_dir / "output/articles/2020/draft/index.html").is_file()


def test_bad_front_matter_is_reported_with_file_and_line(site_dir: Path):
    for bad in (FIXTURES / "invalid").glob("*.md"):
        shutil.copy(bad, site_dir / "content/articles/2024" / bad.name)
    result = run_build(site_dir)
    assert result.exit_code == 0  # skipped with a warning, the rest is built
    err = result.output
    expected = {
        "bad-yaml.md:5:": "invalid YAML",
        "no-title.md:1:": "missing required field 'title'",
        "bad-date.md:3:": "malformed date '2024/01/01'",
        "bad-kind.md:5:": "unknown kind 'gossip'",
        "unclosed.md:1:": "front-matter is not closed",
    }
    for where, what in expected.items():
        line = next((ln for ln in err.splitlines() if where in ln), None)
        assert line and what in line, f"{where} {what!r} not in:\n{err}"
        assert line.startswith("content/articles/2024/") or "content/articles/2024/" in line
    assert (site_dir / "output/articles/2024/jiangyin-zhaopin/index.html").is_file()


def test_strict_build_fails_and_keeps_previous_output(site_dir: Path):
    assert run_build(site_dir, "--quiet").exit_code == 0
    marker = site_dir / "output/index.html"
    before = marker.read_bytes()
    shutil.copy(FIXTURES / "invalid/bad-date.md", site_dir / "content/articles/2024/bad-date.md")
    result = run_build(site_dir, "--strict", "--quiet")
    assert result.exit_code == 1
    assert "bad-date.md:3: error: malformed date" in result.output
    assert marker.read_bytes() == before


def test_unknown_config_key_names_key_and_line(tmp_path: Path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text("title: x\npagination:\n  per_pgae: 3\nfeeds:\n  entries: many\n")
    result = CliRunner().invoke(cli, ["--config", str(cfg), "build"], obj={})
    assert result.exit_code == 2
    assert "config.yaml:3:3: error: unknown key 'pagination.per_pgae'" in result.output
    assert "config.yaml:5:12: error: 'feeds.entries' must be a whole number, got str" in result.output


def test_template_error_names_template_and_line(site_dir: Path):
    tpl = site_dir / "templates/tags.html"
    text = tpl.read_text()
    line = text[: text.index("{% block content %}")].count("\n") + 2  # the line after it
    tpl.write_text(text.replace("{% block content %}", "{% block content %}\n{% if %}"))
    result = run_build(site_dir, "--quiet")
    assert result.exit_code == 1
    assert f"templates/tags.html:{line}: error: template syntax" in result.output


def test_article_images_are_published_and_linked(built_site: Path):
    """An image beside the markdown file is copied under media/ and the page points at it."""
    html = page(built_site, "articles/2024/wuxi-songwennuan/")
    assert 'src="../../../media/articles/2024/songwennuan-photo.png"' in html
    assert (built_site / "media/articles/2024/songwennuan-photo.png").read_bytes().startswith(
        b"\x89PNG")
    feed = (built_site / "feed.xml").read_text(encoding="utf-8")
    assert 'src="/media/articles/2024/songwennuan-photo.png"' in feed


def test_long_lists_link_the_first_last_and_nearby_pages():
    """A list of 50 pages links the first, the last and two either side of the current one,
    with gaps marked; every page is reachable by previous/next."""
    from site_builder.render.plan import paginate

    pages = paginate(list(range(1000)), "regions/quanguo/", 20)
    assert len(pages) == 50 and pages[0][0] == "regions/quanguo/"
    assert pages[1][0] == "regions/quanguo/page/2/"
    shown = [link and link[0] for link in pages[24][1].links]
    assert shown == [1, None, 23, 24, 25, 26, 27, None, 50]
    assert [link and link[0] for link in pages[0][1].links] == [1, 2, 3, None, 50]
    assert [link and link[0] for link in pages[3][1].links] == [1, 2, 3, 4, 5, 6, None, 50]
    assert pages[24][1].previous_url == "regions/quanguo/page/24/"
    assert pages[49][1].next_url is None and pages[0][1].previous_url is None
