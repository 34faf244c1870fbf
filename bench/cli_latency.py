"""Wall time of ``site-builder search --json`` processes, one per query of bench/queries.txt.

Two installs are timed, interleaved query by query so machine load falls on both alike:

* ``editable``: this venv's console script. The venv holds the repository as an editable
  install (``pip install -e .``), whose import finder runs in ``site`` at every interpreter
  start (~10 ms: it imports pathlib, re, importlib.util ...): a developer's cost.
* ``wheel``: the package as ``pip install site-builder`` puts it, i.e. a regular install:
  the working tree's package (site_builder/, templates/, pyproject.toml, README.md, LICENSE)
  installed with pip into a throwaway venv (no pip or setuptools inside it). Its dependencies are this venv's,
  reached through one ``.pth`` path line; its editable finder is not loaded. (pip builds the
  wheel in an isolated environment: it fetches setuptools and wheel from the index once.)

Bytecode is compiled for both, as pip compiles it for an installed copy (this environment
sets PYTHONDONTWRITEBYTECODE=1, which would otherwise make every process recompile the
editable tree). Median, p95 and min per install, of the wall time (what a user waits) and of
the process's CPU time (user + system: less disturbed by other work on a shared machine, so
better for comparing two versions), and the load average before and after.

    python bench/cli_latency.py PROJECT [--reps 3] [--install both|editable|wheel]
    python bench/cli_latency.py PROJ_A PROJ_B --command A --command B  # two trees, interleaved

bench/run.py's ``cli_latency`` times the editable install the same way; ``measure`` here can
be called with any commands.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PACKAGE_FILES = ("site_builder", "templates", "pyproject.toml", "README.md", "LICENSE")


def read_queries(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [q.strip() for q in lines if q.strip() and not q.startswith("#")]


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one process, blocking until it ends."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, command)
    return wall, usage.ru_utime + usage.ru_stime


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def summary(samples: list[float]) -> str:
    return (f"median {1000 * statistics.median(samples):.0f} ms, "
            f"p95 {1000 * p95(samples):.0f} ms, min {1000 * min(samples):.0f} ms")


def editable_command() -> list[str]:
    """This venv's console script, with the tree's bytecode compiled (as run.py does)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "site_builder")],
                   capture_output=True, check=False)
    return [str(Path(sys.executable).with_name("site-builder"))]


@contextmanager
def wheel_install():
    """The console script of a regular (non-editable) install of the working tree, in a
    throwaway venv removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="cli-latency-") as temp:
        source, venv = Path(temp) / "source", Path(temp) / "venv"
        source.mkdir()
        for name in PACKAGE_FILES:
            path = REPO / name
            if path.is_dir():
                shutil.copytree(path, source / name,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy2(path, source / name)
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        python = venv / "bin" / "python"
        done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                               "--no-deps", str(source)], capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"pip install failed:\n{done.stdout}{done.stderr}")
        site_packages = subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True, text=True, check=True).stdout.strip()
        # the dependencies: this venv's site-packages as a plain path (its .pth files,
        # hence the editable finder, are not processed from there)
        deps = sysconfig.get_path("purelib")
        (Path(site_packages) / "zz-site-builder-deps.pth").write_text(deps + "\n")
        found = subprocess.run([str(python), "-c", "import site_builder; print(site_builder.__file__)"],
                               cwd=temp, capture_output=True, text=True, check=True).stdout.strip()
        if not found.startswith(site_packages):
            raise SystemExit(f"the throwaway venv imports site_builder from {found}")
        yield [str(venv / "bin" / "site-builder")]


def measure(commands: dict[str, list[str]], projects: dict[str, Path], queries: list[str],
            reps: int) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) seconds per query process for each command (run in its project),
    interleaved: the order of the commands alternates from one round to the next, so
    neither always runs first."""
    names = list(commands)

    def run(name: str, query: str) -> tuple[float, float]:
        config = projects[name] / "config.yaml"
        return timed([*commands[name], "--config", str(config), "search", "--json", "--",
                      query], projects[name])

    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for name in names:  # untimed: the first run brings the index into the page cache
        run(name, queries[0])
    round_number = 0
    for q in queries:
        for _ in range(reps):
            order = names if round_number % 2 == 0 else names[::-1]
            round_number += 1
            for name in order:
                samples[name].append(run(name, q))
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("project", type=Path, nargs="+",
                        help="a built project; several: one per --command (versions whose "
                             "CLI caches differ must not share one)")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--queries", type=Path, default=BENCH / "queries.txt")
    parser.add_argument("--install", choices=("both", "editable", "wheel"), default="both")
    parser.add_argument("--command", action="append",
                        help="time this command instead (repeat to compare, e.g. two trees)")
    args = parser.parse_args()
    queries = read_queries(args.queries)
    with wheel_install() if args.install != "editable" and not args.command else _none() as wheel:
        commands: dict[str, list[str]] = {}
        for number, command in enumerate(args.command or (), 1):
            commands[f"command{number}"] = shlex.split(command)
            print(f"command{number}: {command}")
        if not args.command:
            if args.install != "wheel":
                commands["editable"] = editable_command()
            if wheel is not None:
                commands["wheel"] = wheel
        if len(args.project) not in (1, len(commands)):
            raise SystemExit("give one project, or one per --command")
        paths = [p.resolve() for p in args.project] * (len(commands) if len(args.project) == 1 else 1)
        projects = dict(zip(commands, paths, strict=True))
        load_before = os.getloadavg()
        samples = measure(commands, projects, queries, args.reps)
        load_after = os.getloadavg()
    for name, values in samples.items():
        print(f"{name:9s} {len(values)} runs ({len(queries)} queries x {args.reps}): "
              f"wall {summary([w for w, _ in values])}; "
              f"CPU {summary([c for _, c in values])}")
    print("load average before {:.2f} {:.2f} {:.2f}, after {:.2f} {:.2f} {:.2f}".format(
        *load_before, *load_after))


@contextmanager
def _none():
    yield None


if __name__ == "__main__":
    main()
