"""The fixture site's output, file by file, against the committed golden tree (tests/golden/).

Every page, feed, sitemap, static file and image is kept as it is; the search index's files
(binary, several hundred) are kept as one list of SHA-256 digests (``search.sha256``). The
build stamp is left out: it names the code that made the pages.

After a change that is meant to change the output, refresh the tree and review the diff:

    SITE_BUILDER_REFRESH_GOLDEN=1 python -m pytest tests/test_golden.py
    git diff --stat tests/golden
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from conftest import make_site

from site_builder.build import build_site
from site_builder.config import load_config
from site_builder.publish import STAMP_FILE

GOLDEN = Path(__file__).parent / "golden" / "site"
SEARCH_DIGESTS = "search.sha256"
TODAY = "2026-01-01"  # scheduled publishing reads the date: fixed, so the tree is too


def expected_tree(output: Path) -> dict[str, bytes]:
    """What the golden tree holds for a built ``output``."""
    tree: dict[str, bytes] = {}
    digests = []
    for path in sorted(output.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(output).as_posix()
        if rel == STAMP_FILE:
            continue
        if rel.startswith("search/") and rel != "search/index.html":
            digests.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {rel}\n")
        else:
            tree[rel] = path.read_bytes()
    tree[SEARCH_DIGESTS] = "".join(digests).encode()
    return tree


def golden_tree() -> dict[str, bytes]:
    return {p.relative_to(GOLDEN).as_posix(): p.read_bytes()
            for p in sorted(GOLDEN.rglob("*")) if p.is_file()}


def test_the_fixture_site_builds_the_golden_tree(tmp_path, monkeypatch):
    monkeypatch.setenv("SITE_BUILDER_TODAY", TODAY)
    site = make_site(tmp_path)
    assert build_site(load_config(site / "config.yaml"), quiet=True).ok
    built = expected_tree(site / "output")
    if os.environ.get("SITE_BUILDER_REFRESH_GOLDEN") == "1":
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, data in built.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_bytes(data)
        pytest.skip(f"golden tree written to {GOLDEN}: review it with git diff")
    golden = golden_tree()
    assert sorted(built) == sorted(golden), "files added or missing (refresh: see the docstring)"
    differ = [rel for rel in built if built[rel] != golden[rel]]
    assert differ == [], f"{len(differ)} files differ from tests/golden/site (refresh: see the docstring)"
