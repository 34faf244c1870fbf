"""A build's processes: the search stage beside the pages, what a one-off build process keeps,
and the cheap start a new process gets (source walk, saved plan, compiled templates)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from builds import assert_same_as_clean_build

import site_builder.search.stage as search_stage
from site_builder import fs, publish
from site_builder.build import Builder, build_site
from site_builder.config import load_config
from site_builder.content.loader import _article_entries, article_files
from site_builder.procs import ForkedJob


def _answer(channel, value):
    channel.note("starting")
    channel.note("halfway")
    return value * channel.hear()


def _fail(channel, message):
    channel.note("about to fail")
    raise ValueError(message)


def _die(channel):
    os._exit(7)


def _waiting(channel):
    channel.note("waiting")
    return channel.hear()  # what it was told: it ran to its end


def test_beside_brings_back_notes_results_and_errors():
    job = ForkedJob(_answer, 21)
    assert job.note() == "starting"
    job.tell(2)
    assert job.result() == 42
    with pytest.raises(ValueError, match="bad front-matter"):
        ForkedJob(_fail, "bad front-matter").result()
    died = ForkedJob(_die)
    assert died.note() is None  # no word before it ended
    with pytest.raises(RuntimeError, match="exit code 7"):
        died.result()
    assert not multiprocessing.active_children()


@pytest.fixture
def interruptible():
    """Ctrl+C raises KeyboardInterrupt in this process, as in a build run from a terminal,
    whatever the test run inherited: one started in the background by a non-interactive
    shell ignores SIGINT, and so does every process it forks (ForkedJob.interrupt sends SIGINT)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_an_interrupt_stops_the_process_beside_instead_of_waiting_for_it(interruptible):
    """Ctrl+C on a build: the search process stops too, as the build process does."""
    job = ForkedJob(_waiting)
    assert job.note() == "waiting"
    job.interrupt()
    # The word to go on is sent after the interrupt, which is pending in the process before
    # the word can reach it: a process that stops on the interrupt never acts on the word,
    # one that ignores it returns the word at once (no sleep, no clock).
    job.tell("ran to its end")
    with pytest.raises(KeyboardInterrupt):
        job.result()
    assert not multiprocessing.active_children()


def test_a_failing_search_stage_fails_the_build_and_keeps_the_live_site(
        site_dir: Path, monkeypatch):

    config = load_config(site_dir / "config.yaml")
    assert build_site(config, quiet=True).ok
    live = site_dir / "output/index.html"
    before = live.read_bytes()

    def broken(channel, articles, config, out_dir, live=None):
        channel.note("patched")
        raise OSError("disk full while writing the index")

    monkeypatch.setattr(search_stage, "_run", broken)
    article = site_dir / "content/articles/2021/haishu.md"
    article.write_text(article.read_text() + "\n补记一句。\n", encoding="utf-8")
    report = build_site(config, quiet=True)
    assert not report.ok and [d.message for d in report.diagnostics] == [
        "cannot write: disk full while writing the index"]
    assert live.read_bytes() == before  # not swapped in
    assert not multiprocessing.active_children()  # nothing left running
    monkeypatch.undo()
    assert build_site(config, quiet=True).ok  # the next build recovers
    assert "补记一句" in (site_dir / "output/articles/2021/haishu/index.html").read_text()


def test_a_full_search_stage_runs_alone_before_the_pages(site_dir: Path, monkeypatch):
    """Encoding every article is most of a cold build's memory: pages wait for it."""
    import site_builder.state as build_module

    index = site_dir / ".site-builder/index/browser/manifest.json"
    seen = []
    real_plan_site = build_module.plan_site

    def plan_site(*args, **kwargs):
        seen.append(index.is_file())
        return real_plan_site(*args, **kwargs)

    monkeypatch.setattr(build_module, "plan_site", plan_site)
    report = build_site(load_config(site_dir / "config.yaml"), quiet=True)
    assert report.ok and report.search["mode"] == "full"
    assert seen == [True]


def test_only_a_patch_starts_from_the_last_export_linked_into_the_output(
        site_dir: Path, tmp_path: Path, monkeypatch):
    """An edit is patched over the last export, which the build process links into the
    output, all but the files the patch replaces; an article dated long ago renumbers every
    document, so the export is written anew and linking the last one first would be 27,000
    links for nothing at 10k: that build links it into the spare after the swap instead, so
    the next edit starts from it. Either way the output is a clean build's."""
    config = load_config(site_dir / "config.yaml")
    assert build_site(config, quiet=True).ok
    assert build_site(config, quiet=True).ok  # now there is a live output and a spare
    log = tmp_path / "mirrored.log"  # (the search stage runs in another process)
    real_mirror = fs.mirror

    def mirror(source, target, keep=frozenset()):
        with log.open("a", encoding="utf-8") as fh:
            fh.write(f"{source.name}\t{' '.join(sorted(keep))}\n")
        real_mirror(source, target, keep)

    def searches_mirrored() -> list[set[str]]:
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        log.unlink(missing_ok=True)
        return [set(line.split("\t")[1].split()) for line in lines
                if line.startswith("search\t")]

    monkeypatch.setattr(search_stage, "mirror", mirror)
    monkeypatch.setattr(publish, "mirror", mirror)
    old = site_dir / "content/articles/1999/old.md"
    old.parent.mkdir(parents=True)
    old.write_text("---\ntitle: 旧档案补录\ndate: 1999-01-05\nregion: 江苏/无锡\n---\n\n"
                   "无锡市总工会补录一九九九年龘龘送温暖档案。\n", encoding="utf-8")
    from site_builder.search import export

    patch_slots = export.PATCH_SLOTS
    monkeypatch.setattr(export, "PATCH_SLOTS", 0)  # as at 10k: more slots than a patch takes
    report = build_site(config, quiet=True)
    assert report.ok and report.search["mode"] == "full"
    live_search = site_dir / "output" / "search"
    spare_search = publish.spare_path(site_dir / "output") / "search"
    # not before the export (nothing to patch), but after the swap: both copies hold it
    assert searches_mirrored() == [set()]
    assert fs.inventory(spare_search) == fs.inventory(live_search)
    monkeypatch.setattr(export, "PATCH_SLOTS", patch_slots)
    article = site_dir / "content/articles/2021/haishu.md"
    article.write_text(article.read_text() + "\n海曙区职工书屋靐靐新到一批图书。\n",
                       encoding="utf-8")
    report = build_site(config, quiet=True)
    assert report.ok and report.search["mode"] == "patched"
    [kept] = searches_mirrored()
    assert any(rel.startswith("doc/") for rel in kept)  # the edited article's record
    assert len(kept) < report.search["files"] and "manifest.json" not in kept
    for phrase, url in (("龘龘", "articles/1999/old/"), ("靐靐", "articles/2021/haishu/")):
        found = subprocess.run(
            [sys.executable, "-m", "site_builder", "--config", str(site_dir / "config.yaml"),
             "search", "--json", phrase], capture_output=True, text=True, check=True)
        assert url in found.stdout
    monkeypatch.undo()
    assert_same_as_clean_build(site_dir, tmp_path)


def test_a_patch_that_rewrote_many_files_links_them_into_the_spare_after_the_swap(
        site_dir: Path, monkeypatch):
    """An old-dated article added or removed renumbers thousands of documents at 10k: the
    patch rewrites ~17,000 files, and the edit after it would link them all into the spare
    first (2-3 s). The build that rewrote them links them after its swap; one that rewrote a
    few leaves that to the next build, which skips the files it replaces anyway."""
    import site_builder.build as build_module

    config = load_config(site_dir / "config.yaml")
    assert build_site(config, quiet=True).ok
    assert build_site(config, quiet=True).ok  # a live output and a spare
    live = fs.inventory(site_dir / "output" / "search")
    spare_search = publish.spare_path(site_dir / "output") / "search"
    article = site_dir / "content/articles/2021/haishu.md"
    text = article.read_text(encoding="utf-8")

    monkeypatch.setattr(build_module, "CATCH_UP_MIN", 10**9)
    article.write_text(text + "\n海曙区职工书屋新到一批图书。\n", encoding="utf-8")
    report = build_site(config, quiet=True)
    assert report.ok and report.search["mode"] == "patched"
    live = fs.inventory(site_dir / "output" / "search")
    assert fs.inventory(spare_search) != live  # the export before this one

    monkeypatch.setattr(build_module, "CATCH_UP_MIN", 1)
    article.write_text(text + "\n海曙区职工书屋又到一批图书。\n", encoding="utf-8")
    report = build_site(config, quiet=True)
    assert report.ok and report.search["mode"] == "patched"
    assert fs.inventory(spare_search) == fs.inventory(
        site_dir / "output" / "search")


def test_a_build_that_stops_leaves_no_search_process_behind(site_dir: Path, monkeypatch):
    """The search process starts before the articles load: a build that fails in planning
    waits for it, and a strict build stopped by a bad article tells it to stop."""
    import threading

    config = load_config(site_dir / "config.yaml")
    assert build_site(config, quiet=True).ok
    assert build_site(config, quiet=True).ok
    article = site_dir / "content/articles/2021/haishu.md"
    text = article.read_text()
    article.write_text(text + "\n补记一句。\n", encoding="utf-8")

    def broken_plan(self, articles, bulletins):
        raise RuntimeError("the saved plan could not be read")

    monkeypatch.setattr(Builder, "reused_plan", broken_plan)
    outcome = []

    def run():
        try:
            build_site(config, quiet=True)
        except RuntimeError as exc:
            outcome.append(str(exc))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(120)
    assert outcome == ["the saved plan could not be read"]
    assert not multiprocessing.active_children()
    monkeypatch.undo()
    article.write_text(text.replace("title:", "titel:", 1), encoding="utf-8")
    thread = threading.Thread(target=lambda: outcome.append(
        build_site(config, quiet=True, strict=True).ok), daemon=True)
    thread.start()
    thread.join(120)
    assert outcome[1:] == [False]
    assert not multiprocessing.active_children()


def test_an_edit_in_a_new_process_patches_the_search_beside_the_pages(site_dir: Path):
    config = load_config(site_dir / "config.yaml")
    assert build_site(config, quiet=True, builder=Builder(config)).ok
    article = site_dir / "content/articles/2021/haishu.md"
    article.write_text(article.read_text() + "\n海曙区职工书屋新到一批图书。\n", encoding="utf-8")
    report = build_site(config, quiet=True, builder=Builder(config))
    assert report.ok and report.search["mode"] == "patched"
    found = subprocess.run(
        [sys.executable, "-m", "site_builder", "--config", str(site_dir / "config.yaml"),
         "search", "--json", "职工书屋"], capture_output=True, text=True, check=True)
    assert "articles/2021/haishu/" in found.stdout


def test_the_source_walk_lists_markdown_files_as_pathlib_sorted_them(tmp_path: Path):
    articles = tmp_path / "content/articles"
    for rel in ["a/y.md", "a-b/x.md", "a.b.md", "b/c/d.md", "b/c.md", "b/notes.txt",
                ".hidden.md", "z/UPPER.MD"]:
        (articles / rel).parent.mkdir(parents=True, exist_ok=True)
        (articles / rel).write_text("x", encoding="utf-8")
    (articles / "folder.md").mkdir()  # a folder named like a file
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere/outside.md").write_text("x", encoding="utf-8")
    (articles / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (articles / "link.md").symlink_to(tmp_path / "elsewhere/outside.md")
    content = tmp_path / "content"
    expected = sorted(p for p in (content / "articles").rglob("*.md")
                      if p.is_file() or p.is_symlink())
    assert article_files(content) == expected
    assert [Path(p).relative_to(articles).as_posix() for p, _ in _article_entries(content)] == [
        ".hidden.md", "a/y.md", "a-b/x.md", "a.b.md", "b/c/d.md", "b/c.md", "link.md"]
    assert article_files(tmp_path / "nowhere") == []


def test_a_reused_plan_makes_article_pages_only_when_read(site_dir: Path):
    from site_builder.render import plan as plan_module
    from site_builder.render import reuse

    config = load_config(site_dir / "config.yaml")
    builder = Builder(config)
    assert build_site(config, quiet=True, builder=builder).ok
    fresh = Builder(config)
    from site_builder.content import load_library

    articles = load_library(config.content_dir, project_root=config.root,
                            cache=fresh.cache).articles
    plan = reuse.load(fresh.plan_file, fresh.site_key(), articles)
    assert plan is not None
    later = [p for p in plan.pages if isinstance(p, plan_module.LaterArticlePage)]
    assert len(later) == len(articles)
    assert all("_context" not in p.__dict__ for p in later)
    tag_urls = {t.name: t.url for t in plan.archive.tags}
    bulletins = {b.name: b for b in plan.bulletins}
    for page in later:
        article = next(a for a in articles if a.url == page.url)
        made = plan_module.article_page(article, plan.archive, tag_urls, bulletins)
        assert (page.url, page.template) == (made.url, made.template)
        assert page.context == made.context


def test_templates_compiled_by_one_process_are_kept_and_checked_by_the_next(site_dir: Path):
    config = load_config(site_dir / "config.yaml")
    assert build_site(config, quiet=True, builder=Builder(config)).ok
    kept = site_dir / ".site-builder/cache/templates"
    assert any(kept.iterdir())
    base = site_dir / "templates/base.html"
    base.write_text(base.read_text().replace("</footer>", "<p>第二版页脚</p></footer>"),
                    encoding="utf-8")
    assert build_site(config, quiet=True, builder=Builder(config)).ok
    assert "第二版页脚" in (site_dir / "output/index.html").read_text()


def test_a_settled_process_keeps_what_it_loads_out_of_the_collector():
    """settle() is for a process that ends with its build (the CLI's `build`)."""
    code = textwrap.dedent("""
        import gc, pickle
        from site_builder import procs
        data = pickle.dumps([[i] for i in range(50_000)])  # lists: tracked by the collector
        with procs.collector_paused():
            pickle.loads(data)
        assert gc.get_freeze_count() == 0  # not settled: the collector sees everything
        procs.settle()
        frozen = gc.get_freeze_count()
        with procs.collector_paused():
            kept = pickle.loads(data)
        assert gc.get_freeze_count() >= frozen + 50_000, gc.get_freeze_count()
        with procs.worker_pool(1) as pool:
            assert list(pool.map(abs, [-1])) == [1]
        assert gc.get_freeze_count() >= frozen + 50_000  # a pool does not unfreeze it
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "ok", done.stderr


def test_a_build_process_ends_with_its_exit_code_and_all_of_its_output(site_dir: Path):
    """A one-off build process ends without freeing what it loaded (cli._end_settled):
    what it printed still reaches a pipe in full, and its exit code is the build's."""
    def build(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "site_builder", "--config", str(site_dir / "config.yaml"),
             "build", *args], capture_output=True, text=True, cwd=site_dir)

    done = build()
    assert done.returncode == 0, done.stderr
    assert done.stderr.rstrip().splitlines()[-1].startswith("built ")
    article = site_dir / "content/articles/2021/haishu.md"
    article.write_text(article.read_text().replace("title:", "titel:", 1), encoding="utf-8")
    failed = build("--strict")
    assert failed.returncode == 1
    assert "content/articles/2021/haishu.md:2:" in failed.stderr + failed.stdout
    assert "unknown field 'titel'" in failed.stderr + failed.stdout
