"""fs.py's single-file steps: a file is replaced, never written into, so a second name for the
old file (the previous output's hard link) keeps the old bytes. fs.mirror: test_mirror.py."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from site_builder import fs


def test_replace_file_renames_a_new_file_over_the_target_and_leaves_other_names_alone(
        tmp_path: Path):
    target = tmp_path / "page.html"
    target.write_bytes(b"old")
    other_name = tmp_path / "previous-output.html"
    other_name.hardlink_to(target)
    fs.replace_file(target, b"new")
    assert target.read_bytes() == b"new"
    assert other_name.read_bytes() == b"old"  # not written into
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html", "previous-output.html"]


def test_replace_file_leaves_an_equal_file_as_it_is(tmp_path: Path):
    target = tmp_path / "page.html"
    target.write_bytes(b"same")
    inode = target.stat().st_ino
    fs.replace_file(target, b"same")
    assert target.stat().st_ino == inode
    fs.replace_file(tmp_path / "new.html", b"made")  # no target yet
    assert (tmp_path / "new.html").read_bytes() == b"made"


def test_link_over_makes_dest_the_same_file_even_over_a_leftover_temporary(tmp_path: Path):
    source, dest = tmp_path / "a", tmp_path / "b"
    source.write_bytes(b"source")
    dest.write_bytes(b"dest")
    (tmp_path / ".b.tmp").write_bytes(b"left by a process that died")
    fs.link_over(str(source), str(dest), ".tmp")
    assert os.path.samefile(source, dest)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]


def test_link_or_copy_links_or_copies_where_links_are_refused(tmp_path: Path, monkeypatch):
    source = tmp_path / "a"
    source.write_bytes(b"source")
    (tmp_path / "left").write_bytes(b"left by a build that died")
    fs.link_or_copy(str(source), str(tmp_path / "left"))
    assert os.path.samefile(source, tmp_path / "left")

    def refused(src, dst):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", refused)
    fs.link_or_copy(str(source), str(tmp_path / "copy"))
    assert (tmp_path / "copy").read_bytes() == b"source"
    assert not os.path.samefile(source, tmp_path / "copy")


def test_inventory_lists_files_and_links_by_relative_path_without_following_links(
        tmp_path: Path):
    root = tmp_path / "out"
    (root / "a/b").mkdir(parents=True)
    (root / "a/b/c.txt").write_text("c")
    (root / "top.txt").write_text("t")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere/secret.txt").write_text("s")
    (root / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    found = fs.inventory(root)
    assert sorted(found) == ["a/b/c.txt", "linked", "top.txt"]
    assert found["top.txt"] == (root / "top.txt").stat().st_ino
    assert fs.inventory(tmp_path / "missing") == {}


def test_remove_file_removes_the_folders_it_empties_up_to_the_root(tmp_path: Path):
    root = tmp_path / "out"
    (root / "a/b/c").mkdir(parents=True)
    (root / "a/b/c/page.html").write_text("x")
    (root / "a/keep.html").write_text("k")
    fs.remove_file(root, "a/b/c/page.html")
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == ["a", "a/keep.html"]
    fs.remove_file(root, "a/keep.html")
    assert root.is_dir() and list(root.iterdir()) == []  # the root itself stays
    fs.remove_file(root, "never/was.html")  # nothing to remove is no error
    assert root.is_dir()


def test_inventory_leaves_out_the_named_top_level_folders_only(tmp_path: Path):
    root = tmp_path / "out"
    for rel in ("search/doc/1.json", "articles/search/index.html", "index.html"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x")
    assert sorted(fs.inventory(root, frozenset({"search"}))) == [
        "articles/search/index.html", "index.html"]
