"""Rebuild times of the dev server (``site-builder serve``) on a benchmark corpus.

    python bench/server_rebuilds.py bench/work/n10000 --n 10000 --reps 5

An editor previews with ``serve``: one process that keeps its builder (parsed articles,
templates, the last plan) between rebuilds. This drives the server's own ``Preview``, the
object a saved file triggers, without the HTTP side: a first build, a no-op, then ``--reps``
edits of one article's body (each puts a different paragraph in place of the last one's,
``generate.edit_paragraph``), an article dated today (the
newest) added and then deleted. Prints one JSON object: seconds of each rebuild, with the stage timings of
each. Leaves the corpus as it found it. Used by bench/run.py (a subprocess per run, so its
memory and imports are its own).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402

TODAY_ARTICLE = """---
title: 江阴市总工会开展新春送温暖活动
date: {date}
region: 江苏/无锡/江阴
tags: [送温暖, 困难职工]
---

江阴市总工会走访慰问困难职工，送去慰问金和年货，并了解职工生产生活情况。
"""


def main(argv: list[str] | None = None) -> int:
    from site_builder.config import load_config
    from site_builder.serve import Preview

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)
    config_path = args.project / "config.yaml"
    preview = Preview(load_config(config_path), config_path, drafts=False)
    articles = args.project / "content" / "articles"
    rel, text = generate.article(args.n // 2, args.seed, str(generate.DEFAULT_BULLETINS))
    edited = articles / rel
    today = articles / "2026" / "bench-today.md"
    out: dict = {}

    def build(step: str) -> None:
        started = time.perf_counter()
        state = preview.build()
        seconds = time.perf_counter() - started
        if state.failed:
            raise SystemExit(f"{step}: the build failed: {state.diagnostics[:3]}")
        out.setdefault(step, []).append(
            {"seconds": seconds, "stages": dict(preview.builder.last_report.timings),
             "search": preview.builder.last_report.search.get("mode")})
        print(f"  server  {step:7} {seconds:6.2f} s", file=sys.stderr, flush=True)

    try:
        build("first")
        build("noop")
        for i in range(args.reps):
            paragraph = generate.edit_paragraph(i, args.seed, str(generate.DEFAULT_BULLETINS))
            edited.write_text(f"{text}\n{paragraph}\n", encoding="utf-8")
            build("edit")
        today.parent.mkdir(exist_ok=True)
        today.write_text(TODAY_ARTICLE.format(date="2026-11-23"), encoding="utf-8")
        build("add")
        today.unlink()
        build("delete")
    finally:
        edited.write_text(text, encoding="utf-8")
        today.unlink(missing_ok=True)
        if today.parent.exists() and not any(today.parent.iterdir()):
            today.parent.rmdir()
        preview.build()  # leave the preview output matching the corpus
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
