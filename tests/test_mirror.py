"""fs.mirror: the spare output's search folder made to hold exactly the live one's files,
as hard links, touching only what differs (issue 6: it runs before every edit build)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from site_builder import fs


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_mirror_links_what_differs_and_removes_what_is_gone(tmp_path: Path):
    live, spare = tmp_path / "live", tmp_path / "spare"
    for rel, data in {"manifest.json": b"{}", "g/0.bin": b"g0", "g/1.bin": b"g1",
                      "doc/7.json": b"d7"}.items():
        (live / rel).parent.mkdir(parents=True, exist_ok=True)
        (live / rel).write_bytes(data)
    (spare / "g").mkdir(parents=True)
    os.link(live / "g/0.bin", spare / "g/0.bin")  # the same file already
    (spare / "g/1.bin").write_bytes(b"old")  # another file under the same name
    reader = open(spare / "g/1.bin", "rb")  # noqa: SIM115 (a reader of the old file)
    (spare / "old").mkdir()
    (spare / "old/x.bin").write_bytes(b"gone")
    pid_tmp = spare / "doc" / f".7.json.{os.getpid()}.link"  # left by a build that died
    pid_tmp.parent.mkdir()
    pid_tmp.write_bytes(b"stale")
    inode_before = (spare / "g/0.bin").stat().st_ino

    fs.mirror(live, spare)

    assert tree(spare) == tree(live)
    assert all((spare / rel).stat().st_ino == (live / rel).stat().st_ino for rel in tree(live))
    assert (spare / "g/0.bin").stat().st_ino == inode_before
    assert not (spare / "old").exists()  # emptied folders go too
    assert reader.read() == b"old"  # replaced, never written in place
    reader.close()


def test_mirror_copies_where_links_are_refused(tmp_path: Path, monkeypatch):
    live, spare = tmp_path / "live", tmp_path / "spare"
    (live / "p").mkdir(parents=True)
    (live / "p/3.bin").write_bytes(b"p3")

    def refuse(*args, **kwargs):
        raise OSError(errno.EXDEV, "cross-device link")

    monkeypatch.setattr(os, "link", refuse)
    fs.mirror(live, spare)
    assert tree(spare) == {"p/3.bin": b"p3"}
    assert (spare / "p/3.bin").stat().st_ino != (live / "p/3.bin").stat().st_ino


def test_a_mirror_where_most_files_differ_makes_the_target_anew(tmp_path: Path, monkeypatch):
    """After a build that encoded everything, every file of the spare's export differs: it
    is emptied and filled with links (faster than renaming a link over each old file).
    The result is the same; a reader of an old file keeps it; nothing is left beside."""
    monkeypatch.setattr(fs, "MIRROR_ANEW_MIN", 3)
    live, spare = tmp_path / "live", tmp_path / "spare"
    for i in range(6):
        (live / f"w/{i}.bin").parent.mkdir(parents=True, exist_ok=True)
        (live / f"w/{i}.bin").write_bytes(f"new {i}".encode())
        (spare / f"w/{i}.bin").parent.mkdir(parents=True, exist_ok=True)
        (spare / f"w/{i}.bin").write_bytes(f"old {i}".encode())
    (spare / "g").mkdir()
    (spare / "g/gone.bin").write_bytes(b"gone")
    reader = open(spare / "w/0.bin", "rb")  # noqa: SIM115
    calls = []
    real = fs._mirror_anew
    monkeypatch.setattr(fs, "_mirror_anew", lambda *a: (calls.append(a[1]), real(*a)))

    fs.mirror(live, spare)

    assert calls == [spare]
    assert tree(spare) == tree(live)
    assert all((spare / rel).stat().st_ino == (live / rel).stat().st_ino for rel in tree(live))
    assert reader.read() == b"old 0"
    reader.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["live", "spare"]
    fs.mirror(live, spare)  # nothing differs now: a walk, no new tree
    assert calls == [spare]
