"""An incremental build equals a clean build, the search page included, along sequences that
keep the build state between steps (an article added then removed, templates changed).

The search page carries the export's manifest. The last export is mirrored into the spare
output with the page beside it, so the spare's record of the page could say one manifest
while its file held another: after an add and a remove the page said 6 documents and
search/manifest.json 5, and the browser ranked with the stale statistics."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

from builds import build, digest

NEW = ("---\ntitle: 锡山区总工会送清凉\ndate: 2024-07-01\nregion: 江苏/无锡/锡山\n"
       "tags: [送温暖]\n---\n\n锡山区总工会为户外劳动者送去清凉。\n")


def embedded_manifest(output: Path) -> dict:
    page = (output / "search" / "index.html").read_text(encoding="utf-8")
    return json.loads(html.unescape(re.search(r'data-manifest="([^"]*)"', page).group(1)))


def assert_equals_a_clean_build(site: Path, tmp_path: Path) -> None:
    """The site's output (state kept) against a clean build of a copy of its sources."""
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    clean.mkdir()
    for name in ("config.yaml", "content", "templates"):
        source = site / name
        if source.is_dir():
            shutil.copytree(source, clean / name)
        elif source.exists():
            shutil.copy(source, clean / name)
    build(clean)
    manifest = json.loads((site / "output/search/manifest.json").read_text(encoding="utf-8"))
    assert embedded_manifest(site / "output") == manifest
    assert digest(site / "output") == digest(clean / "output")


def test_add_then_remove_then_template_changes_equal_clean_builds(site_dir: Path,
                                                                    tmp_path: Path):
    build(site_dir)
    new = site_dir / "content/articles/2024/xishan-new.md"
    new.write_text(NEW, encoding="utf-8")
    build(site_dir)
    assert_equals_a_clean_build(site_dir, tmp_path)
    new.unlink()
    build(site_dir)
    assert embedded_manifest(site_dir / "output")["documents"] == 5
    assert_equals_a_clean_build(site_dir, tmp_path)
    build(site_dir)  # and again: the spare is now the output of the add
    assert_equals_a_clean_build(site_dir, tmp_path)

    page = site_dir / "templates/search.html"
    page.write_text(page.read_text(encoding="utf-8").replace("<h1>搜索</h1>", "<h1>站内搜索</h1>"),
                    encoding="utf-8")
    build(site_dir)
    assert "站内搜索" in (site_dir / "output/search/index.html").read_text(encoding="utf-8")
    assert_equals_a_clean_build(site_dir, tmp_path)
    base = site_dir / "templates/base.html"
    base.write_text(base.read_text().replace("<footer", "<footer data-x=\"1\""), encoding="utf-8")
    build(site_dir)
    new.write_text(NEW, encoding="utf-8")
    build(site_dir)
    assert_equals_a_clean_build(site_dir, tmp_path)
