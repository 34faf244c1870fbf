"""The benchmark's own machinery: a deterministic valid corpus, honest measurements, a run.

No timing is asserted here (speed claims live in bench/run.py's output only).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
BULLETINS = REPO / "content" / "bulletins"
sys.path.insert(0, str(BENCH))

needs_bulletins = pytest.mark.skipif(
    not any(BULLETINS.glob("*.txt")),
    reason=f"sample bulletins not found at {BULLETINS} (the generator draws sentences from them)")


def _files(project: Path) -> dict[str, bytes]:
    root = project / "content" / "articles"
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.md"))}


@needs_bulletins
def test_generator_is_deterministic_and_article_i_does_not_depend_on_n(tmp_path):
    import generate

    generate.generate(tmp_path / "a", 50, seed=3)
    generate.generate(tmp_path / "b", 50, seed=3)
    generate.generate(tmp_path / "c", 20, seed=3)
    generate.generate(tmp_path / "d", 20, seed=4)
    a, b, c, d = (_files(tmp_path / x) for x in "abcd")
    assert len(a) == 50
    assert a == b
    assert c.items() <= a.items()
    assert c != d


@needs_bulletins
def test_generated_articles_load_with_no_diagnostics_and_look_like_news(tmp_path):
    import generate

    from site_builder.config import load_config
    from site_builder.content import load_library

    project = tmp_path / "corpus"
    generate.generate(project, 50, seed=6)
    config = load_config(project / "config.yaml")
    assert config.templates_dir == REPO / "templates"
    library = load_library(config.content_dir, project_root=project)
    assert library.diagnostics == []
    assert len(library.articles) == 50
    articles = library.articles
    assert {a.year for a in articles} <= set(range(2019, 2026))
    assert len({a.year for a in articles}) >= 5
    assert len({a.region.path.split("/")[0] for a in articles}) >= 10
    assert any(a.date is None for a in articles) and any(a.date for a in articles)
    assert all(a.tags and set(a.tags) <= set(config.ingest.tags) for a in articles)
    for a in articles:
        chars = len("".join(a.text.split()))
        assert 500 <= chars <= 1600, (a.source_path, chars)
        # every ancestor is listed, so Hugo's region taxonomy rolls up like our archive
        assert set(a.region.ancestors()) <= set(a.regions)
    # dictionary words, not only the ~400 sample sentences: the vocabulary keeps growing
    words = set()
    for a in articles:
        words.update(a.text[i:i + 2] for i in range(len(a.text) - 1))
    assert len(words) > 10_000


def test_measure_reports_peak_memory_of_the_child_and_its_exit_code():
    from measure import run

    m = run([sys.executable, "-c",
             "import time; b = bytearray(150 * 2**20); b[::4096] = b'x' * len(b[::4096]); "
             "time.sleep(0.5); raise SystemExit(3)"])
    assert m.returncode == 3
    assert m.peak >= 150 * 2**20
    assert m.peak_pss >= 150 * 2**20
    assert m.max_rss >= 150 * 2**20
    assert m.seconds >= 0.5


def test_a_command_past_the_memory_limit_is_stopped_and_says_so():
    from measure import run

    m = run([sys.executable, "-c",
             "import time; b = bytearray(300 * 2**20); b[::4096] = b'x' * len(b[::4096]); "
             "time.sleep(30)"], memory_limit=100 * 2**20)
    assert m.killed.startswith("over the memory limit")
    assert m.returncode != 0
    assert m.seconds < 20


def test_forked_workers_sharing_their_parents_pages_are_not_counted_twice():
    from measure import run

    m = run([sys.executable, "-c",
             "import os, time; b = bytearray(150 * 2**20); b[::4096] = b'x' * len(b[::4096])\n"
             "for _ in range(2):\n"
             "    if os.fork() == 0:\n"
             "        time.sleep(0.8); os._exit(0)\n"
             "time.sleep(0.8); os.wait(); os.wait()"])
    assert m.returncode == 0
    assert m.peak_rss >= 3 * 140 * 2**20  # three processes each map the 150 MB
    assert 140 * 2**20 <= m.peak_pss < 2 * 150 * 2**20  # but it exists once


def test_browser_byte_rule_skips_the_shared_page_and_stylesheets():
    from browser import _counted

    sent = [("/search/?q=%E6%9A%96", 900), ("/static/style.css", 300), ("/search/index.html", 9),
            ("/static/search.css", 700), ("/static/search.js", 4000), ("/search/shard-3.json", 12000),
            ("/favicon.ico", 50)]
    assert _counted(sent, {"/static/style.css"}) == [
        ("/static/search.css", 700), ("/static/search.js", 4000), ("/search/shard-3.json", 12000)]


def test_shared_stylesheets_are_those_the_home_page_links(tmp_path):
    from browser import shared_stylesheets

    (tmp_path / "index.html").write_text(
        '<link rel="icon" href="data:,"><link rel="stylesheet" href="static/style.css">'
        '<link rel="alternate" href="feed.xml">', encoding="utf-8")
    assert shared_stylesheets(tmp_path) == {"/static/style.css"}


def test_build_stage_timings_are_read_from_the_summary_line():
    from run import build_stages

    err = ("warning: x\n"
           "built 30 articles, 90 pages (90 rendered) into output in 4.06 s (load 2.86, plan 0.46)\n")
    assert build_stages(err) == {"load": 2.86, "plan": 0.46}
    assert build_stages("build failed: 1 error(s)") == {}


@pytest.mark.browser
def test_browser_measurement_sees_results_on_our_strict_csp_search_page(built_site):
    """Our pages forbid eval (CSP): the timing must not depend on Playwright's eval helpers."""
    import browser

    reason = browser.unavailable()
    if reason:
        if os.environ.get("SITE_BUILDER_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser required but unavailable: {reason}")
        pytest.skip(f"BROWSER TESTS SKIPPED: {reason}")
    from run import OUR_RESULT_SELECTOR

    (result,) = browser.measure_queries(built_site, ["送温暖"], OUR_RESULT_SELECTOR)
    assert result.fresh.results >= 1
    assert result.fresh.first_ms is not None and result.fresh.first_ms > 0
    assert result.fresh.painted_ms is not None and result.fresh.painted_ms >= result.fresh.first_ms
    assert result.fresh.bytes > 0 and result.fresh.requests >= 2
    assert not any(url.startswith("/search/index.html") for url in result.fresh.urls)
    assert result.warm.first_ms is not None
    assert result.warm.bytes < result.fresh.bytes  # the cache did its work


@needs_bulletins
@needs_bulletins
def test_each_edit_paragraph_is_new_text():
    import generate

    bulletins = str(generate.DEFAULT_BULLETINS)
    paragraphs = [generate.edit_paragraph(i, 6, bulletins) for i in range(5)]
    assert len(set(paragraphs)) == 5
    assert all(20 <= len(p) <= 160 and p.endswith("。") and "\n" not in p for p in paragraphs)
    assert paragraphs == [generate.edit_paragraph(i, 6, bulletins) for i in range(5)]


def test_run_end_to_end_at_tiny_n(tmp_path):
    """The whole runner on 30 articles; Hugo and Pagefind run only where installed."""
    work = tmp_path / "work"
    proc = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--n", "30", "--work", str(work), "--reps", "1",
         "--no-browser", "--ref-steps", "cold"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "| cold full build (s) |" in proc.stdout
    results = json.loads((work / "results-n30.json").read_text(encoding="utf-8"))
    assert set(results["builds"]) == {"cold", "noop", "edit", "add", "delete"}
    for step, row in results["builds"].items():
        assert row["ours"]["returncode"] == 0, (step, row["ours"]["stderr"])
        assert row["ours"]["peak_pss"] > 0 or row["ours"]["max_rss"] > 0
        assert row["problems"] == [], step  # the runner checked each step's pages
    assert (work / "n30" / "output" / "index.html").exists()
    server = results["server"]  # the dev server's rebuilds, through serve's own Preview
    assert len(server["edit"]) == 5 and server["add"] and server["delete"]
    assert "| dev server rebuild, 1 edited, median of 5 (s) |" in proc.stdout
    repeats = results["cli_edits"]  # five more CLI builds, each after another paragraph
    assert len(repeats) == 5 and all(m["returncode"] == 0 for m in repeats)
    assert all("built 30 articles" in m["stderr"] for m in repeats)
    assert "| rebuild, 1 edited, 5 more edits, median (s) |" in proc.stdout
    # the run leaves the corpus as generated: edits undone, the added article gone
    fresh = tmp_path / "fresh"
    import generate

    generate.generate(fresh, 30, seed=6)
    assert _files(work / "n30") == _files(fresh)


@needs_bulletins
def test_serve_latency_times_saves_through_the_real_server(tmp_path):
    """bench/serve_latency.py drives `site-builder serve` and leaves the corpus as it was."""
    import socket

    import generate

    project = tmp_path / "n30"
    generate.generate(project, 30, seed=6)
    before = _files(project)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.run(
        [sys.executable, str(BENCH / "serve_latency.py"), str(project), "--n", "30",
         "--reps", "2", "--port", str(port)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "save -> served (s): [" in proc.stdout and "median" in proc.stdout
    assert _files(project) == before
