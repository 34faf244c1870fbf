"""Hostile by size: one folder of thousands of articles, a 10 MB single line, a 21 MB file.

Marked slow. CI builds a 5,000-article folder; ``SITE_BUILDER_LONG=1`` builds 50,000.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from conftest import make_site
from hostile.corpus import doc
from hostile.scale import FOLDER_ARTICLES, LINE_BYTES, one_line_body, write_folder

from site_builder.build import build_site
from site_builder.config import load_config
from site_builder.content.loader import MAX_FILE_BYTES

pytestmark = pytest.mark.slow


def test_a_folder_of_many_articles_builds_whole(tmp_path):
    site = make_site(tmp_path, content=None)
    bulk = site / "content/articles/bulk"
    stems = write_folder(bulk, FOLDER_ARTICLES)
    (bulk / "zz-broken.md").write_text("---\ntitle: [坏\n---\n", encoding="utf-8")
    report = build_site(load_config(site / "config.yaml"), quiet=True)
    assert report.ok
    assert report.articles == FOLDER_ARTICLES
    assert [d.path for d in report.diagnostics] == ["content/articles/bulk/zz-broken.md"]
    built = {p.parent.name for p in (site / "output/articles/bulk").glob("*/index.html")}
    assert built == set(stems)
    ET.parse(site / "output/feed.xml")


def test_a_ten_megabyte_single_line_renders(tmp_path):
    site = make_site(tmp_path)
    folder = site / "content/articles/2019"
    folder.mkdir(parents=True)
    body = one_line_body(LINE_BYTES)
    (folder / "long.md").write_text(doc("", body + "\n", title="一行十兆"), encoding="utf-8")
    assert (folder / "long.md").stat().st_size > LINE_BYTES
    report = build_site(load_config(site / "config.yaml"), quiet=True)
    assert report.ok and report.diagnostics == []
    html = (site / "output/articles/2019/long/index.html").read_text(encoding="utf-8")
    assert html.count("送温暖工会在行动") >= body.count("送温暖工会在行动")
    assert html.count('href="https://example.org/n"') == body.count("(https://example.org/n)")
    # Listings show a short summary, not the 10 MB paragraph.
    home = (site / "output/index.html").read_text(encoding="utf-8")
    assert "一行十兆" in home and len(home.encode()) < 200_000
    other = (site / "output/articles/2024/jiangyin-zhaopin/index.html").read_text(encoding="utf-8")
    assert "江阴线上招聘助职工就业" in other


def test_a_file_over_the_size_limit_is_refused_by_name(tmp_path):
    site = make_site(tmp_path)
    big = site / "content/articles/2019/huge.md"
    big.parent.mkdir(parents=True)
    big.write_bytes(doc("", "").encode() + b"x" * (MAX_FILE_BYTES + 1))
    report = build_site(load_config(site / "config.yaml"), quiet=True)
    assert report.ok
    (d,) = report.diagnostics
    assert d.path == "content/articles/2019/huge.md" and "over" in d.message
    assert not (site / "output/articles/2019/huge").exists()
    assert (site / "output/articles/2024/jiangyin-zhaopin/index.html").is_file()
