"""A build deletes only what a build wrote (publish.guard, publish.staged_output).

Each test reproduces a data loss found by the attack run of issue 16: the output folder a
symbolic link, a folder of the editor's own, the project itself, or a previous output with
an editor's files added. The build refuses with a message saying how to go on, and every
file it did not write is still there, byte for byte.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.build import build_site
from site_builder.cli import cli
from site_builder.config import load_config

ONE_ARTICLE = "2025/quanzong.md"


def small_site(root: Path) -> Path:
    """The fixture site with one article: builds in about a second."""
    site = root / "site"
    (site / "content/articles/2025").mkdir(parents=True)
    shutil.copy(FIXTURES / "site/config.yaml", site / "config.yaml")
    shutil.copy(FIXTURES / "site/content/articles" / ONE_ARTICLE,
                site / "content/articles" / ONE_ARTICLE)
    shutil.copytree(REPO / "templates", site / "templates")
    return site


def files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def build(site: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(site / "config.yaml"), "build", "--quiet",
                                    *args], catch_exceptions=False)


def test_an_output_that_is_a_symbolic_link_is_refused(tmp_path):
    site = small_site(tmp_path)
    target = tmp_path / "v"
    target.mkdir()
    (target / "keep.txt").write_text("p", encoding="utf-8")
    (site / "output").symlink_to(target)
    for _ in range(2):
        result = build(site)
        assert result.exit_code == 1
        assert "output: error: is a symbolic link" in result.output
        assert "remove the link" in result.output
    assert files(target) == {"keep.txt": hashlib.sha256(b"p").hexdigest()}


def test_a_link_in_the_spare_slot_is_refused_too(tmp_path):
    site = small_site(tmp_path)
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "keep.txt").write_text("p", encoding="utf-8")
    (site / ".output.spare").symlink_to(target)
    result = build(site)
    assert result.exit_code == 1 and ".output.spare: error: is a symbolic link" in result.output
    assert sorted(p.name for p in target.iterdir()) == ["keep.txt"]


def test_a_folder_of_other_files_is_refused_and_kept(tmp_path):
    site = small_site(tmp_path)
    docs = site / "docs"
    docs.mkdir()
    (docs / "n.md").write_text("notes", encoding="utf-8")
    for _ in range(2):
        result = build(site, "--output", str(docs))
        assert result.exit_code == 1
        assert "docs: error: holds files no build of this project wrote (n.md)" in result.output
        assert "--output DIR" in result.output
    assert [p.name for p in docs.iterdir()] == ["n.md"]


@pytest.mark.parametrize("where", ["content", ".", "content/articles", "templates/static",
                                   ".site-builder", ".."])
def test_the_project_itself_is_never_an_output(tmp_path, where):
    site = small_site(tmp_path)
    before = files(tmp_path)
    result = build(site, "--output", str(site / where))
    assert result.exit_code == 1 and "error:" in result.output
    after = files(tmp_path)
    assert {k: v for k, v in after.items() if k in before} == before  # nothing removed or changed


def test_a_file_added_to_a_previous_output_stops_the_build_until_moved(tmp_path):
    site = small_site(tmp_path)
    assert build(site).exit_code == 0
    assert build(site).exit_code == 0  # a live output and a spare
    for rel in ("CNAME", "articles/mine/notes.txt"):
        (site / "output" / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / "output" / rel).write_text("editor", encoding="utf-8")
    for _ in range(2):
        result = build(site)
        assert result.exit_code == 1
        assert ("holds files no build wrote (CNAME, articles/mine/notes.txt)" in result.output)
        assert (site / "output/CNAME").read_text(encoding="utf-8") == "editor"
        assert (site / "output/articles/mine/notes.txt").read_text(encoding="utf-8") == "editor"
    shutil.rmtree(site / "output/articles/mine")
    (site / "output/CNAME").unlink()
    assert build(site).exit_code == 0


def test_a_previous_output_without_the_state_folder_is_still_a_build_s(tmp_path):
    site = small_site(tmp_path)
    assert build(site).exit_code == 0
    shutil.rmtree(site / ".site-builder")
    assert build(site).exit_code == 0


def test_an_output_that_is_a_file_is_refused(tmp_path):
    site = small_site(tmp_path)
    (site / "output").write_text("x", encoding="utf-8")
    result = build(site)
    assert result.exit_code == 1 and "is a file, not a folder" in result.output
    assert (site / "output").read_text(encoding="utf-8") == "x"


# --- the rule, over randomly prepared output folders ---------------------------------------

FOREIGN_PLACES = ["keep.txt", "CNAME", "articles/keep.txt", "regions/x/keep.html", "a/b/c.bin"]
PREPARATIONS = ["absent", "empty", "foreign", "link-to-folder", "link-to-parent",
                "previous", "previous+foreign", "spare-link", "file"]


def prepare(site: Path, kind: str, places: list[str]) -> dict[Path, str]:
    """Make ``output`` of the given kind; return every file no build wrote, with its digest."""
    out, outside = site / "output", site.parent / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "mine.txt").write_text("outside", encoding="utf-8")
    if kind == "empty":
        out.mkdir()
    elif kind == "foreign":
        for rel in places:
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            (out / rel).write_text(rel, encoding="utf-8")
    elif kind == "link-to-folder":
        out.symlink_to(outside)
    elif kind == "link-to-parent":
        out.symlink_to(site.parent)
    elif kind.startswith("previous"):
        assert build_site(load_config(site / "config.yaml"), quiet=True).ok
        if kind.endswith("foreign"):
            for rel in places:
                (out / rel).parent.mkdir(parents=True, exist_ok=True)
                (out / rel).write_text(rel, encoding="utf-8")
    elif kind == "spare-link":
        (site / ".output.spare").symlink_to(outside)
    elif kind == "file":
        out.write_text("a file", encoding="utf-8")
    theirs = {}
    for root, _dirs, names in os.walk(site.parent, followlinks=False):
        for name in names:
            path = Path(root) / name
            rel = path.relative_to(site.parent).as_posix()
            made_by_build = rel.startswith(("site/output/", "site/.output", "site/.site-builder/"))
            if not made_by_build and not path.is_symlink():
                theirs[path] = hashlib.sha256(path.read_bytes()).hexdigest()
    if kind.endswith("foreign"):
        theirs.update({out / rel: hashlib.sha256(rel.encode()).hexdigest() for rel in places})
    return theirs


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(kind=st.sampled_from(PREPARATIONS),
       places=st.lists(st.sampled_from(FOREIGN_PLACES), min_size=1, max_size=3, unique=True),
       builds=st.integers(min_value=1, max_value=3))
def test_no_file_a_build_did_not_write_is_ever_removed(tmp_path_factory, kind, places, builds):
    site = small_site(tmp_path_factory.mktemp("guard"))
    theirs = prepare(site, kind, places)
    config = load_config(site / "config.yaml")
    outcomes = [build_site(config, quiet=True).ok for _ in range(builds)]
    for path, digest in theirs.items():
        assert path.is_file(), f"{kind}: {path} was removed"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, f"{kind}: {path} changed"
    refused = kind in ("foreign", "link-to-folder", "link-to-parent", "previous+foreign",
                       "spare-link", "file")
    assert outcomes == [not refused] * builds


def _failing(error: int, where: str):
    def fail(*_args, **_kwargs):
        raise OSError(error, os.strerror(error), where)
    return fail


@pytest.mark.parametrize(("error", "patched"), [
    (28, "site_builder.render.replace_file"),  # ENOSPC while writing a page
    (30, "site_builder.publish.check_output"),  # EROFS: the output's folder is read-only
])
def test_a_full_disk_or_read_only_folder_is_one_clear_line(tmp_path, monkeypatch, error, patched):
    site = small_site(tmp_path)
    assert build(site).exit_code == 0
    before = files(site / "output")
    (site / "content/articles/2025/new.md").write_text(
        "---\ntitle: 新\ndate: 2025-01-07\nregion: 全国\n---\n正文\n", encoding="utf-8")
    monkeypatch.setattr(patched, _failing(error, str(site / "output/x")))
    result = build(site)
    assert result.exit_code == 1
    assert f"output/x: error: cannot write: {os.strerror(error)}" in result.output
    assert "Traceback" not in result.output
    assert files(site / "output") == before


def test_a_moved_project_keeps_its_incremental_build(tmp_path):
    """A CI runner checks the project out at another path each time, with the cached state
    and output: the next build starts from them instead of rendering every page again."""
    site = small_site(tmp_path / "a")
    assert build(site).exit_code == 0
    moved = tmp_path / "b" / "site"
    moved.parent.mkdir()
    shutil.move(str(site), moved)
    report = build_site(load_config(moved / "config.yaml"), quiet=True)
    assert report.ok and report.rendered == 0


def test_a_file_dropped_into_the_search_folder_is_carried_forward(tmp_path):
    """The output check does not walk search/ (the search stage's own folder, most of the
    files): a file someone put there is not reported, and it must not be lost either, by an
    edit build or by a build that writes the whole export anew."""
    site = small_site(tmp_path)
    assert build(site).exit_code == 0
    dropped = site / "output/search/notes.txt"
    dropped.write_text("an editor's note\n", encoding="utf-8")
    article = site / "content/articles" / ONE_ARTICLE
    article.write_text(article.read_text(encoding="utf-8") + "\n补记一段。\n", encoding="utf-8")
    assert build(site).exit_code == 0
    assert dropped.read_text(encoding="utf-8") == "an editor's note\n"
    shutil.rmtree(site / ".site-builder")  # the whole export is written anew
    assert build(site).exit_code == 0
    assert build(site).exit_code == 0
    assert dropped.read_text(encoding="utf-8") == "an editor's note\n"
