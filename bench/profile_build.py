"""Profile one build of a benchmark corpus with cProfile, in one process where it can be.

    python bench/profile_build.py bench/work/n10000 --cold

Loads and renders with ``workers=1`` so their time is in the profile (the search stage may
still fork; its workers then show as lock waits). Writes <out>.prof (for snakeviz/pstats) and
the top functions by cumulative and by own time as text, and prints the build's stage timings.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path, help="a folder written by bench/generate.py")
    parser.add_argument("--cold", action="store_true",
                        help="remove output/, .site-builder/ and the spare trees first")
    parser.add_argument("--out", type=Path, default=Path("bench/work/profile"),
                        help="prefix of the files written")
    parser.add_argument("--top", type=int, default=70)
    args = parser.parse_args(argv)

    from site_builder.build import build_site
    from site_builder.config import load_config

    if args.cold:
        for path in args.project.iterdir():
            if path.name in ("content", "config.yaml", "bench-manifest.json"):
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink()
    config = load_config(args.project / "config.yaml")
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    report = build_site(config, workers=1)
    profile.disable()
    print(f"wall {time.perf_counter() - started:.1f} s, ok={report.ok}, "
          + ", ".join(f"{k} {v:.1f}" for k, v in report.timings.items()), file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    profile.dump_stats(f"{args.out}.prof")
    for order in ("cumulative", "tottime"):
        with open(f"{args.out}-{order}.txt", "w", encoding="utf-8") as fh:
            pstats.Stats(profile, stream=fh).sort_stats(order).print_stats(args.top)
    print(f"wrote {args.out}.prof, {args.out}-cumulative.txt, {args.out}-tottime.txt",
          file=sys.stderr)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
