"""Wall time of ``site-builder search --json`` processes, one per query of bench/queries.txt.

bench/run.py's ``cli_latency`` samples each process's memory every 50 ms and notices the exit
at the next sample, so it cannot resolve a command that should take under 50 ms. This times
the same commands with a blocking wait (nothing else running in this process) and reports
median, p95 and min, with the load average before and after (the machine may be shared).

    python bench/cli_latency.py /tmp/perf/s10k [--reps 3] [--cold]
    python bench/cli_latency.py /tmp/perf/s10k --command "python -m site_builder"  # another tree

``--cold`` first deletes the CLI's caches beside the index (docstore, config stamp) and times
the first query on its own: the cost paid once after each build.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
CACHES = ("cli-docs.bin", "cli-config-ok")


def read_queries(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [q.strip() for q in lines if q.strip() and not q.startswith("#")]


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   stdin=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--queries", type=Path, default=BENCH / "queries.txt")
    parser.add_argument("--command", default=str(Path(sys.executable).with_name("site-builder")),
                        help="how to run site-builder (default: this venv's console script)")
    parser.add_argument("--cold", action="store_true",
                        help="delete the CLI caches first and time the first query apart")
    args = parser.parse_args()
    project = args.project.resolve()
    base = [*shlex.split(args.command), "--config", str(project / "config.yaml"), "search",
            "--json", "--"]
    queries = read_queries(args.queries)
    load_before = os.getloadavg()
    if args.cold:
        for name in CACHES:
            (project / ".site-builder" / "index" / name).unlink(missing_ok=True)
        print(f"first query, cold caches: {1000 * timed([*base, queries[0]], project):.0f} ms")
    samples = [timed([*base, q], project) for q in queries for _ in range(args.reps)]
    load_after = os.getloadavg()
    print(f"{len(samples)} runs ({len(queries)} queries x {args.reps}): "
          f"median {1000 * statistics.median(samples):.0f} ms, "
          f"p95 {1000 * p95(samples):.0f} ms, min {1000 * min(samples):.0f} ms")
    print("load average before {:.2f} {:.2f} {:.2f}, after {:.2f} {:.2f} {:.2f}".format(
        *load_before, *load_after))


if __name__ == "__main__":
    main()
