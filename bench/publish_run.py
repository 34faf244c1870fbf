"""A publish workflow run, simulated: what the cache in .github/workflows/publish.yml saves.

Each run is a fresh checkout at the same path (the content copied anew, so every file time is
new, and no output/), as on a CI runner, whose workspace path is the same on every run (the
build keeps its page fingerprints by the output folder's absolute path). Run 1 builds cold
and its ``.site-builder/`` and ``output/`` are archived with tar and zstd, as actions/cache
does. Run 2 is the next commit, one article added: the archive is restored and the site
built. The article is the newest, as a new report is (one dated among older ones renumbers
the search documents after it: the search stage then rewrites most of its files). For
comparison, the same commit is built cold, and with the state alone
(``.site-builder/`` without ``output/``). The sites are compared with the cold one.

    python bench/generate.py --n 10000 --out bench/work/n10000
    python bench/publish_run.py --project bench/work/n10000 --work bench/work/publish
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ARTICLE = """---
title: 市总工会春节前走访慰问一线职工
date: 2026-12-01
region: 江苏/无锡
tags: [送温暖]
---

春节前夕，市总工会走访慰问坚守岗位的一线职工，送去慰问金和年货。
"""
STATE = (".site-builder", "output")


def timed(args: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    for line in (result.stdout + result.stderr).splitlines():
        if line.startswith("built "):
            print(f"    {line}")
    return seconds


def checkout(project: Path, where: Path, extra_article: bool) -> Path:
    """A fresh checkout: content and config copied (new file times), nothing else."""
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    shutil.copytree(project / "content", where / "content", copy_function=shutil.copy)
    config = (project / "config.yaml").read_text(encoding="utf-8")
    lines = [line for line in config.splitlines() if not line.strip().startswith("templates:")]
    (where / "config.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")  # the theme
    if extra_article:
        target = where / "content/articles/2026/jiangsu-wuxi/xin-zeng-yi-pian.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(ARTICLE, encoding="utf-8")
    return where


def differing(a: Path, b: Path) -> list[str]:
    """Files that differ between two sites, or exist in one only (the stamp aside)."""
    out: list[str] = []
    compare = filecmp.dircmp(a, b, ignore=[".site-builder-stamp"])
    stack = [(compare, "")]
    while stack:
        node, prefix = stack.pop()
        out += [prefix + n for n in node.left_only + node.right_only + node.diff_files]
        out += [prefix + n for n in node.funny_files]
        stack += [(sub, f"{prefix}{name}/") for name, sub in node.subdirs.items()]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, required=True, help="a bench/generate.py project")
    parser.add_argument("--work", type=Path, required=True, help="scratch folder (emptied)")
    args = parser.parse_args()
    build = [sys.executable, "-m", "site_builder", "build", "--strict", "--quiet"]
    work = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    archive = work / "cache.tar.zst"
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    checkout_dir = work / "checkout"  # every run's workspace, as on a CI runner
    sites = work / "sites"  # each run's output, kept for the comparison

    def keep(name: str) -> Path:
        shutil.move(checkout_dir / "output", sites / name)
        return sites / name

    sites.mkdir()
    print("run 1: commit A, no cache (cold)")
    checkout(args.project, checkout_dir, extra_article=False)
    cold_a = timed(build, checkout_dir)
    saving = timed(["tar", "--zstd", "-cf", str(archive), *STATE], checkout_dir)
    print(f"  build {cold_a:.2f} s; cache saved in {saving:.2f} s, "
          f"{archive.stat().st_size / 1e6:.0f} MB")

    print("run 2: commit B (one article added), cache restored")
    checkout(args.project, checkout_dir, extra_article=True)
    restoring = timed(["tar", "--zstd", "-xf", str(archive)], checkout_dir)
    warm = timed(build, checkout_dir)
    print(f"  restore {restoring:.2f} s, build {warm:.2f} s")
    warm_site = keep("run2")

    print("commit B with the state alone (.site-builder/ restored, no output/)")
    checkout(args.project, checkout_dir, extra_article=True)
    subprocess.run(["tar", "--zstd", "-xf", str(archive), ".site-builder"], cwd=checkout_dir,
                   check=True)
    state_alone = timed(build, checkout_dir)
    print(f"  build {state_alone:.2f} s")
    state_site = keep("state-alone")

    print("commit B, no cache (what every run cost before)")
    checkout(args.project, checkout_dir, extra_article=True)
    cold_b = timed(build, checkout_dir)
    print(f"  build {cold_b:.2f} s")
    cold_site = keep("cold")

    for name, site in (("run 2", warm_site), ("state alone", state_site)):
        differ = differing(site, cold_site)
        print(f"{name} vs cold: {'the same site' if not differ else f'{len(differ)} differ: {differ[:5]}'}")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
