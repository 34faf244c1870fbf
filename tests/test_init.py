"""``site-builder init``: a new project that checks, builds, serves and searches, and never
overwrites a file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from site_builder.cli import cli
from site_builder.init import project_files


def run(*args: str, cwd: Path) -> object:
    """The CLI as an editor runs it, from ``cwd``."""
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, list(args), obj={})
    finally:
        os.chdir(old)


EXPECTED = {"config.yaml", ".gitignore", "requirements.txt", ".github/workflows/publish.yml",
            ".github/workflows/pull-request.yml"}


def test_init_writes_a_project_that_checks_builds_and_searches(tmp_path):
    result = run("init", "demo", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    demo = tmp_path / "demo"
    written = {p.relative_to(demo).as_posix() for p in demo.rglob("*") if p.is_file()}
    assert written >= EXPECTED
    articles = [p for p in written if p.startswith("content/articles/")]
    assert len(articles) == 1 and articles[0].endswith(".md")
    assert not (demo / "templates").exists()  # the theme comes from the package
    config = (demo / "config.yaml").read_text(encoding="utf-8")
    assert config.count("#") >= 10  # commented
    ignored = (demo / ".gitignore").read_text(encoding="utf-8").split()
    assert {"/output/", "/.site-builder/"} <= set(ignored)
    assert "cd demo && site-builder serve" in result.output

    check = run("check", cwd=demo)
    assert check.exit_code == 0, check.output
    assert "0 error(s), 0 warning(s)" in check.output
    build = run("build", "--strict", "--quiet", cwd=demo)
    assert build.exit_code == 0, build.output
    assert (demo / "output" / "index.html").is_file()
    assert (demo / "output" / "static" / "style.css").is_file()
    search = run("search", "送温暖", "--json", cwd=demo)
    assert search.exit_code == 0, search.output
    assert "jiangsu-wuxi" in search.output


def test_init_in_the_current_folder(tmp_path):
    (tmp_path / "README.md").write_text("本会档案\n", encoding="utf-8")
    result = run("init", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "config.yaml").is_file()
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "本会档案\n"
    assert "next: site-builder serve" in result.output


@pytest.mark.parametrize("existing", sorted(project_files()))
def test_init_overwrites_nothing_and_writes_nothing_when_a_file_exists(tmp_path, existing):
    demo = tmp_path / "demo"
    mine = demo / existing
    mine.parent.mkdir(parents=True)
    mine.write_bytes(b"editor's own\n")
    result = run("init", "demo", cwd=tmp_path)
    assert result.exit_code == 1
    assert f"{existing} already exists" in result.output
    assert "nothing was written" in result.output
    assert mine.read_bytes() == b"editor's own\n"
    assert [p for p in demo.rglob("*") if p.is_file()] == [mine]


def test_init_into_a_file_is_refused(tmp_path):
    (tmp_path / "demo").write_text("x", encoding="utf-8")
    result = run("init", "demo", cwd=tmp_path)
    assert result.exit_code == 2
    assert (tmp_path / "demo").read_text(encoding="utf-8") == "x"


def test_init_quiet_prints_nothing(tmp_path):
    result = run("init", "--quiet", "demo", cwd=tmp_path)
    assert result.exit_code == 0
    assert result.output == ""


def test_the_example_article_and_new_articles_sit_side_by_side(tmp_path):
    assert run("init", "demo", cwd=tmp_path).exit_code == 0
    demo = tmp_path / "demo"
    new = run("new", "--title", "区总工会走访慰问快递小哥", "--region", "江苏/无锡",
              "--date", "2025-01-22", "--tags", "送温暖", cwd=demo)
    assert new.exit_code == 0, new.output
    made = demo / new.output.strip()
    example = next(p for p in (demo / "content/articles").rglob("*.md") if p != made)
    assert made.parent == example.parent
