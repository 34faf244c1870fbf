"""The archive that ships in content/ builds strictly, links soundly and stands alone."""

from __future__ import annotations

import shutil
from pathlib import Path

from builds import broken_links
from click.testing import CliRunner
from conftest import REPO

from site_builder.cli import cli


def test_bundled_archive_builds_strictly_with_sound_links(tmp_path: Path):
    site = tmp_path / "site"
    for part in ("content", "templates"):
        shutil.copytree(REPO / part, site / part)
    shutil.copy(REPO / "config.yaml", site / "config.yaml")
    result = CliRunner().invoke(
        cli, ["--config", str(site / "config.yaml"), "build", "--strict", "--quiet"], obj={})
    assert result.exit_code == 0, result.output
    out = site / "output"
    articles = list((REPO / "content/articles").rglob("*.md"))
    assert len(articles) >= 30
    assert len(list((out / "articles").rglob("index.html"))) == len(articles)
    broken, checked = broken_links(out)
    assert broken == [] and checked > 1000
    # Every bulletin has its page, linking the articles cut from it.
    for txt in (REPO / "content/bulletins").glob("*.txt"):
        stem = txt.stem.replace("_", "-")
        page = (out / "bulletins" / stem / "index.html").read_text(encoding="utf-8")
        assert page.count('class="article-link"') >= 1, txt.name


def test_bundled_archive_does_not_depend_on_shared():
    """content/ must build on a static host's CI without ../shared beside it."""
    for path in [*(REPO / "content").rglob("*"), REPO / "config.yaml"]:
        if path.is_file():
            assert "../shared" not in path.read_text(encoding="utf-8", errors="replace"), path
