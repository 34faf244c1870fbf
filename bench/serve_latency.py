"""Seconds from saving an article to ``site-builder serve`` serving the changed page.

    python bench/serve_latency.py bench/work/n10000 --n 10000 [--reps 5] [--port 8799]

Starts the real server on 127.0.0.1 over a benchmark corpus (a first build of its own), then
``--reps`` times appends a distinct paragraph to one article and polls the article's page
over HTTP every 20 ms until the paragraph is there: the watcher noticing the save, the
rebuild and the serving, everything but the browser's own reload. Prints the times and their
median; puts the article back and stops the server.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--port", type=int, default=8799)
    args = parser.parse_args(argv)
    rel, text = generate.article(args.n // 2, args.seed, str(generate.DEFAULT_BULLETINS))
    path = args.project / "content" / "articles" / rel
    url = f"http://127.0.0.1:{args.port}/articles/{rel.removesuffix('.md')}/"
    exe = Path(sys.executable).with_name("site-builder")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "site_builder"]
    server = subprocess.Popen([*command, "--config", str(args.project / "config.yaml"), "serve",
                               "--port", str(args.port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    took: list[float] = []
    try:
        deadline = time.monotonic() + 600
        while "<html" not in fetch(url):
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not come up")
            time.sleep(0.2)
        for i in range(args.reps + 1):  # the first edit pays for bringing the spare tree up
            mark = f"基准测试第{i + 1}次补记"
            path.write_text(f"{text}\n\n{mark}。\n", encoding="utf-8")
            started = time.perf_counter()
            while mark not in fetch(url):
                time.sleep(0.02)
            if i:
                took.append(time.perf_counter() - started)
            time.sleep(1.0)
    finally:
        path.write_text(text, encoding="utf-8")
        server.terminate()
        server.wait(60)
    print(f"save -> served (s): {[round(t, 2) for t in took]}, "
          f"median {statistics.median(took):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
