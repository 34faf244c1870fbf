"""site-builder as users get it: a wheel that holds the theme and the init scaffold, installed in
a fresh venv outside the repository, starts a project that builds and searches; the dependency
ranges and the locks agree."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from conftest import REPO
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from site_builder.render.minify import minified

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
LOCKS = {"run": REPO / "requirements" / "run.txt", "ci": REPO / "requirements" / "ci.txt"}


def test_every_package_folder_is_listed_for_the_wheel():
    """pyproject.toml lists packages (the theme is mapped in from templates/), so a new
    sub-package must be added there: a wheel without it would fail only when installed."""
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    package = REPO / "site_builder"
    on_disk = {"site_builder"} | {
        "site_builder." + ".".join(p.relative_to(package).parts)
        for p in package.rglob("*") if p.is_dir() and "__pycache__" not in p.parts}
    on_disk |= {"site_builder.templates." + ".".join(p.relative_to(REPO / "templates").parts)
                for p in (REPO / "templates").rglob("*") if p.is_dir()}
    assert on_disk <= listed, f"add to [tool.setuptools] packages: {sorted(on_disk - listed)}"
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == {"site_builder.templates": "templates"}
    assert not (package / "templates").exists()  # the theme's only copy is the top-level one


def locked(lock: Path) -> dict[str, list[tuple[str, str]]]:
    """name → [(version, marker)] of a lock written by `uv pip compile`."""
    pins: dict[str, list[tuple[str, str]]] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$", line)
        if match:
            name, version, marker = match.groups()
            pins.setdefault(canonicalize_name(name), []).append((version, marker or ""))
    return pins


@pytest.mark.parametrize("which", sorted(LOCKS))
def test_the_lock_pins_what_pyproject_allows_with_hashes(which):
    lock = LOCKS[which]
    text = lock.read_text(encoding="utf-8")
    assert "uv pip compile" in text.splitlines()[1]  # says how it was made
    pins = locked(lock)
    wanted = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
    if which == "ci":
        wanted += [Requirement(r) for r in PYPROJECT["project"]["optional-dependencies"]["test"]]
    for requirement in wanted:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{lock.name} lacks {name}: compile it again"
        for version, _marker in pins[name]:
            assert requirement.specifier.contains(version, prereleases=True), (
                f"{lock.name} pins {name}=={version}, outside pyproject's {requirement}")
    # every pin carries hashes (pip --require-hashes refuses a lock without them)
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    for block in blocks:
        if "==" in block.split("\n", 1)[0]:
            assert "--hash=sha256:" in block, block.split("\n", 1)[0]


def run(args: list[str], cwd: Path, env: dict[str, str], timeout: int = 600) -> str:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, (args, result.stdout[-3000:], result.stderr[-3000:])
    return result.stdout


@pytest.mark.slow
def test_a_wheel_in_a_fresh_venv_inits_builds_and_searches_a_project(tmp_path):
    """What a union branch does: install the wheel, `site-builder init demo`, `new`, `build`,
    `search` — in a folder outside the repository, with no repository on any path."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "NO_COLOR")}
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO)],
        cwd=tmp_path, env=env)
    (wheel,) = dist.glob("site_builder-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    theme = {f"site_builder/templates/{p.relative_to(REPO / 'templates').as_posix()}"
             for p in (REPO / "templates").rglob("*") if p.is_file()}
    assert theme <= names, sorted(theme - names)
    assert {"site_builder/scaffold/config.yaml", "site_builder/scaffold/workflows/publish.yml",
            "site_builder/data/region_slugs.json"} <= names
    assert not [n for n in names if n.startswith(("tests/", "content/", "templates/"))]
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path, env=env)
    python = str(venv / "bin" / "python")
    run([python, "-m", "pip", "install", "-q", "--require-hashes", "-r", str(LOCKS["run"])],
        cwd=tmp_path, env=env, timeout=900)
    run([python, "-m", "pip", "install", "-q", "--no-deps", str(wheel)], cwd=tmp_path, env=env)
    run([python, "-m", "pip", "check"], cwd=tmp_path, env=env)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    where = run([python, "-c", "import site_builder; print(site_builder.__file__)"],
                cwd=tmp_path, env=env)
    assert Path(where.strip()).is_relative_to(venv), where

    work = tmp_path / "work"
    work.mkdir()
    run(["site-builder", "init", "demo"], cwd=work, env=env)
    demo = work / "demo"
    made = run(["site-builder", "new", "--title", "区总工会送温暖慰问环卫工人", "--region",
                "江苏/无锡/江阴", "--date", "2025-01-23", "--tags", "送温暖"], cwd=demo, env=env)
    article = demo / made.strip()
    with article.open("a", encoding="utf-8") as handle:
        handle.write("\n春节前夕，区总工会为环卫工人送温暖。\n")
    run(["site-builder", "check"], cwd=demo, env=env)
    run(["site-builder", "build", "--strict", "--quiet"], cwd=demo, env=env)
    out = demo / "output"
    assert (out / "index.html").is_file()
    style = (out / "static" / "style.css").read_bytes()
    assert style == minified("style.css", (REPO / "templates" / "static" / "style.css").read_bytes())
    hits = json.loads(run(["site-builder", "search", "送温暖", "--json"], cwd=demo, env=env))
    titles = {hit["title"] for hit in hits}
    assert "区总工会送温暖慰问环卫工人" in titles, hits
    assert any(t.startswith("示例") for t in titles), hits  # init's example article
    for hit in hits:
        assert (out / hit["url"] / "index.html").is_file(), hit
    assert "usage" in run([python, "-m", "site_builder", "--help"], cwd=demo, env=env).lower()
