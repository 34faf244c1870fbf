"""The default theme ships with site_builder and a project's templates/ overrides it file by file."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from conftest import FIXTURES, REPO

from site_builder.build import build_site
from site_builder.cli import cli
from site_builder.config import load_config
from site_builder.render.minify import minified
from site_builder.theme import default_theme, template_dirs, theme_files


def bare_site(tmp_path: Path) -> Path:
    """The fixture site without any templates of its own."""
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "site", site)
    assert not (site / "templates").exists()
    return site


def build(site: Path) -> Path:
    report = build_site(load_config(site / "config.yaml"), quiet=True)
    assert report.ok, report.diagnostics
    return site / "output"


def test_the_default_theme_is_the_repositorys_templates_folder():
    """From a source checkout (editable install) the theme is read where it is kept; a wheel
    carries the same files as site_builder/templates (tests/test_packaging.py)."""
    assert default_theme().resolve() == (REPO / "templates").resolve()
    assert {"base.html", "index.html", "article.html", "static/style.css"} <= set(
        theme_files(load_config(REPO / "config.yaml")))


def test_this_repository_reads_its_templates_once():
    config = load_config(REPO / "config.yaml")
    assert template_dirs(config) == [default_theme()]


def test_a_project_without_templates_builds_with_the_default_theme(tmp_path):
    site = bare_site(tmp_path)
    out = build(site)
    theme = default_theme()
    for name in ("style.css", "search.js", "search.css"):
        assert (out / "static" / name).read_bytes() == minified(name, (theme / "static" / name).read_bytes())
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "static/style.css" in index and "<html" in index


def test_a_project_file_replaces_the_themes_file_of_the_same_name_only(tmp_path):
    site = bare_site(tmp_path)
    theme = default_theme()
    own = site / "templates"
    (own / "static").mkdir(parents=True)
    base = (theme / "base.html").read_text(encoding="utf-8")
    assert "</footer>" in base
    (own / "base.html").write_text(base.replace("</footer>", "<p>本会自己的页脚</p></footer>"),
                                   encoding="utf-8")
    (own / "static" / "style.css").write_text("body { color: #123456 }\n", encoding="utf-8")
    (own / "static" / "logo.svg").write_text("<svg/>\n", encoding="utf-8")
    out = build(site)
    # overridden: base.html (so every page that extends it) and the stylesheet
    assert "本会自己的页脚" in (out / "index.html").read_text(encoding="utf-8")
    assert (out / "static" / "style.css").read_text(encoding="utf-8") == "body{color:#123456}"
    # added beside the theme's files
    assert (out / "static" / "logo.svg").is_file()
    # the rest still from the theme
    assert (out / "static" / "search.js").read_bytes() == minified(
        "search.js", (theme / "static/search.js").read_bytes())
    assert "<article" in next((out / "articles").rglob("index.html")).read_text(encoding="utf-8")


def test_editing_an_override_rebuilds_the_pages(tmp_path):
    """The project's templates are part of what every page depends on, as the theme's are."""
    site = bare_site(tmp_path)
    build(site)
    own = site / "templates"
    own.mkdir()
    base = (default_theme() / "base.html").read_text(encoding="utf-8")
    (own / "base.html").write_text(base.replace("</footer>", "<p>第二版</p></footer>"),
                                   encoding="utf-8")
    out = build(site)
    assert "第二版" in (out / "index.html").read_text(encoding="utf-8")
    (own / "base.html").unlink()
    out = build(site)
    assert "第二版" not in (out / "index.html").read_text(encoding="utf-8")


def test_a_broken_override_is_reported_at_its_own_file_and_line(tmp_path):
    site = bare_site(tmp_path)
    own = site / "templates"
    own.mkdir()
    (own / "tags.html").write_text('{% extends "base.html" %}\n\n{% block content %}\n{% if %}\n',
                                   encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(site / "config.yaml"), "build", "--quiet"],
                                obj={})
    assert result.exit_code == 1
    assert "templates/tags.html:4: error: template syntax" in result.output


def test_links_to_theme_assets_pass_check(tmp_path):
    """`check` knows the static files the build will copy, the theme's included."""
    site = bare_site(tmp_path)
    article = next(p for p in sorted((site / "content" / "articles").rglob("*.md"))
                   if "draft: true" not in p.read_text(encoding="utf-8"))
    with article.open("a", encoding="utf-8") as handle:
        handle.write("\n[样式](/static/style.css)\n")
    result = CliRunner().invoke(cli, ["--config", str(site / "config.yaml"), "check"], obj={})
    assert result.exit_code == 0, result.output
    with article.open("a", encoding="utf-8") as handle:
        handle.write("\n[没有](/static/missing.css)\n")
    result = CliRunner().invoke(cli, ["--config", str(site / "config.yaml"), "check"], obj={})
    assert result.exit_code == 1 and "static/missing.css" in result.output
