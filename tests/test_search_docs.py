"""docs/search.md's Python example, run as written in a built project: Whoosh, opened by a
Python user, gives exactly the hits of ``site-builder search``."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from sites import index_site, write_site

REPO = Path(__file__).resolve().parent.parent


def example() -> str:
    text = (REPO / "docs" / "search.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, "docs/search.md has no python example"
    return blocks[0]


def test_the_documented_python_example_returns_the_cli_hits(tmp_path):
    root = write_site(tmp_path, 90, seed=9)
    index_site(root)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-c", example()], cwd=root, capture_output=True,
                          text=True, encoding="utf-8", env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 3
    found_any = False
    for line in lines:
        query, _, listed = line.partition(" [")
        urls = ast.literal_eval("[" + listed)
        cli = subprocess.run(
            [sys.executable, "-m", "site_builder", "--config", str(root / "config.yaml"),
             "search", "--json", "--", query],
            capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
        assert cli.returncode == 0, cli.stderr
        assert urls == [hit["url"] for hit in json.loads(cli.stdout)], query
        found_any = found_any or bool(urls)
    assert found_any
