"""publish/swap.py: the staged folder and the output change places (the old output ends up
where the staged one was), atomically where Linux offers it, else in three renames that a
later build recovers from."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.publish import swap


def folder(path: Path, content: str) -> Path:
    path.mkdir()
    (path / "index.html").write_text(content)
    return path


def content(path: Path) -> str:
    return (path / "index.html").read_text()


@pytest.mark.parametrize("atomic", [True, False])
def test_the_staged_folder_and_the_output_change_places(tmp_path: Path, monkeypatch, atomic):
    if not atomic:
        monkeypatch.setattr(swap, "_exchange", lambda a, b: False)
    out = folder(tmp_path / "output", "old")
    staged = folder(tmp_path / ".output.spare", "new")
    swap.swap_in(staged, out)
    assert content(out) == "new" and content(staged) == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".output.spare", "output"]


def test_a_first_build_moves_the_staged_folder_into_place(tmp_path: Path):
    out = tmp_path / "output"
    staged = folder(tmp_path / ".output.spare", "new")
    swap.swap_in(staged, out)
    assert content(out) == "new" and not staged.exists()


def test_the_atomic_exchange_is_used_where_linux_offers_it(tmp_path: Path, monkeypatch):
    a, b = folder(tmp_path / "a", "a"), folder(tmp_path / "b", "b")
    if not swap._exchange(a, b):
        pytest.skip("renameat2(RENAME_EXCHANGE) is not offered here")
    assert content(a) == "b" and content(b) == "a"

    def no_renames(self, target):
        raise AssertionError("renamed instead of exchanged")

    monkeypatch.setattr(Path, "rename", no_renames)
    swap.swap_in(a, b)
    assert content(a) == "a" and content(b) == "b"


def test_a_swap_stopped_between_its_renames_is_recovered(tmp_path: Path):
    out = tmp_path / "output"
    old = swap.old_path(out)
    assert old == tmp_path / ".output.old"
    folder(old, "old")  # stopped after the output was moved aside, before the new one came
    swap.remove_stale(out)
    assert content(out) == "old" and not old.exists()

    folder(old, "older")  # stopped after the new output came, before the old one left
    swap.remove_stale(out)
    assert content(out) == "old" and not old.exists()


def test_the_spare_and_old_folders_sit_beside_the_output_as_hidden_folders(tmp_path: Path):
    out = tmp_path / "site" / "output"
    assert swap.spare_path(out) == tmp_path / "site" / ".output.spare"
    assert swap.old_path(out) == tmp_path / "site" / ".output.old"
