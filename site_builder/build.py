"""``build_site(config)``: the whole build, one timed step per stage.

    load content → plan (archive and pages) → render → search index → publish

Each stage is a call into its package; plain data goes forward (articles, a plan, page
fingerprints). The build writes into a staged copy of the output and swaps it in only when
every stage succeeded (``publish``). What carries over between builds of one site — parsed
articles, compiled templates, the last plan — is kept by a :class:`Builder`, in memory for
the dev server and in ``.site-builder/`` between processes.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .archive import build_archive
from .config import Config
from .console import Console, print_report
from .content import Library, load_library
from .content.bulletins import Bulletin, load_bulletins
from .content.cache import ArticleCache
from .errors import Diagnostic, SiteError, display_path
from .publish import BuildLocked, OutputRefused, Stage, build_lock, catch_up_search, staged_output
from .render import make_environment, plan_site, reuse
from .render.site import link_changed_pages, render_search_page, render_site
from .search.stage import SearchStage, preload

STATE_DIR = ".site-builder"
FEW_PARSED = 256  # articles parsed again that make a small change: the search stage patches
CATCH_UP_MIN = 1000  # export files rewritten past which the build links them into the spare


@dataclass
class BuildReport:
    ok: bool
    output: Path
    diagnostics: list[Diagnostic] = field(default_factory=list)
    articles: int = 0
    pages: int = 0
    rendered: int = 0  # pages written this time (the rest were unchanged)
    linked: int = 0  # pages due that the live output held as they are now: linked from it
    planned: bool = False  # the site was planned anew (not only bodies edited)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    search: dict = field(default_factory=dict)


class Builder:
    """One site's builds: its settings and what carries over from one build to the next."""

    def __init__(self, config: Config, *, strict: bool = False, drafts: bool = False,
                 future: bool = False, workers: int | None = None,
                 save_cache: bool = True) -> None:
        self.config, self.strict, self.drafts, self.future = config, strict, drafts, future
        self.workers = workers or os.cpu_count() or 1
        # False: a long-lived caller (the dev server) keeps the plan in memory and saves the
        # parse cache and plan itself (Builder.save, on exit)
        self.save_cache = save_cache
        self.state = config.root / STATE_DIR
        self.cache = ArticleCache(self.state / "cache" / "articles.pickle",
                                  trusted_html=config.trusted_html)
        self.env = make_environment(config, self.state / "cache" / "templates")
        self.plan_file = self.state / "cache" / "plan.pickle"
        self.plan: reuse.Plan | None = None  # the last build's, reused when only bodies changed
        self._saved_plan: reuse.Plan | None = None
        self.last_report: BuildReport | None = None
        if not save_cache:
            preload(config)  # each rebuild's search process inherits its code

    def load(self) -> tuple[Library, list[Bulletin], list[Diagnostic]]:
        config = self.config
        library = load_library(config.content_dir, project_root=config.root, drafts=self.drafts,
                               future=self.future, trusted_html=config.trusted_html,
                               cache=self.cache, workers=self.workers)
        bulletins, problems = load_bulletins(config.content_dir, config.root)
        return library, bulletins, self._grade(library.diagnostics + problems)

    def reused_plan(self, articles: list, bulletins: list[Bulletin]) -> reuse.Plan | None:
        """The last build's plan brought up to date, when only article bodies changed."""
        if self.plan is None:  # this process has none: the last build's, if it was kept
            self.plan = self._saved_plan = reuse.load(self.plan_file, self.site_key(), articles)
        return self.plan.updated(articles, bulletins) if self.plan else None

    def new_plan(self, articles: list, bulletins: list[Bulletin]) -> reuse.Plan:
        archive = build_archive(articles)
        return reuse.Plan.make(archive, plan_site(archive, bulletins, self.config), bulletins)

    def save(self) -> None:
        """Keep what the next build process can reuse: parsed articles and the plan."""
        self.cache.save()
        if self.plan is not None and self.plan is not self._saved_plan:
            reuse.save(self.plan, self.plan_file, self.site_key())
            self._saved_plan = self.plan

    def site_key(self) -> str:
        return reuse.site_key(self.config, self.drafts, self.future)

    def _grade(self, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        """Content problems skip a file (a warning) unless the build is strict (an error)."""
        if self.strict:
            return [Diagnostic(d.path, d.line, d.message, d.col, "error") for d in diagnostics]
        return [Diagnostic(d.path, d.line, f"{d.message} (skipped)", d.col, "warning")
                if d.severity == "error" else d for d in diagnostics]


def build_site(config: Config, *, output: Path | None = None, strict: bool = False,
               drafts: bool = False, future: bool = False, quiet: bool = False,
               workers: int | None = None, builder: Builder | None = None) -> BuildReport:
    """Build the whole site into ``output`` (default: the configured folder).

    A long-lived caller (the dev server) passes the same ``builder`` every time, so parsed
    articles and compiled templates stay in memory between builds.
    """
    out_dir = Path(output) if output else config.output_dir
    builder = builder or Builder(config, strict=strict, drafts=drafts, future=future,
                                 workers=workers)
    report = BuildReport(ok=False, output=out_dir)
    console, started = Console(), time.perf_counter()
    sources = [config.content_dir, config.templates_dir]
    project = [config.root / "config.yaml", builder.state, *sources]
    try:
        with build_lock(builder.state, console.print), \
                staged_output(out_dir, builder.state, builder.site_key(), project=project,
                              sources=sources, root=config.root) as stage, \
                console.progress(quiet) as progress:
            report.timings.update(stage.timings)
            _run_stages(builder, stage, report, progress)
    except SiteError as exc:
        report.diagnostics.extend(exc.diagnostics)
    except OutputRefused as exc:
        report.diagnostics.append(exc.diagnostic)
    except BuildLocked as exc:
        console.print(f"[red]error:[/] {exc}")
    except OSError as exc:  # disk full, a read-only folder: one line, and the old site stays
        where = display_path(exc.filename, config.root) if exc.filename else str(out_dir)
        report.diagnostics.append(Diagnostic(where, None, f"cannot write: {exc.strerror or exc}"))
    report.seconds = time.perf_counter() - started
    builder.last_report = report
    linked = f", {report.linked} linked" if report.linked else ""
    print_report(console, report.diagnostics, report.ok, out_dir, config.root,
                 f"built {report.articles} articles, {report.pages} pages ({report.rendered} "
                 f"rendered{linked}) into {{where}} in {report.seconds:.2f} s",
                 report.timings, quiet)
    return report


def _run_stages(builder: Builder, stage: Stage, report: BuildReport,
                progress: Callable[[int, int], None] | None) -> None:
    config, timings, t = builder.config, report.timings, [time.perf_counter()]

    def lap(name: str) -> None:
        now = time.perf_counter()
        timings[name] = timings.get(name, 0.0) + now - t[0]
        t[0] = now

    # The search stage runs beside the others, in a process started now (search.stage).
    search = SearchStage(config, stage.path, stage.live, builder.cache.entries or None)
    try:
        library, bulletins, problems = builder.load()
    except BaseException as exc:
        search.cancel(interrupted=isinstance(exc, KeyboardInterrupt))
        raise
    report.diagnostics.extend(problems)
    if builder.strict and problems:
        search.cancel()
        return
    search.send(library.articles, builder.cache.changed)
    lap("load")
    try:
        plan = builder.reused_plan(library.articles, bulletins)
        report.planned = plan is None
        if (plan is None or library.parsed > FEW_PARSED) and search.mode() == "full":
            report.search = search.result()  # alone: its memory is most of a cold build's
            lap("search")
        plan = plan or builder.new_plan(library.articles, bulletins)
        builder.plan = plan
        lap("plan")
        live = (stage.live, stage.live_pages) if stage.live and stage.live_pages else None
        rendered = render_site(plan, builder.env, config, stage.path, stage.previous,
                               workers=builder.workers, progress=progress, live=live)
        report.articles, report.pages = len(library.articles), len(plan.pages)
        report.rendered, report.linked = rendered.rendered, rendered.linked
        del plan, library
        if builder.save_cache:  # a one-off build: keep what the next one reuses, drop the plan
            builder.save()
            builder.plan = builder._saved_plan = None
        lap("render")
        if search.share_export():
            lap("search")
    except BaseException as exc:
        search.abandon(interrupted=isinstance(exc, KeyboardInterrupt))
        raise
    report.search = report.search or search.result()
    lap("search")  # what it took beyond the pages
    search_page, written = render_search_page(builder.env, config, stage.path, stage.previous)
    report.rendered += written
    stage.publish(rendered.fingerprints | search_page)
    report.ok = True
    _prepare_next(stage, report, rendered.fingerprints | search_page)
    lap("publish")


def _prepare_next(stage: Stage, report: BuildReport, fingerprints: dict[str, str]) -> None:
    """Bring the spare, which the next build starts from, forward by what this build made
    that it lacks: a whole new search export, or the pages a re-planned site changed."""
    if report.search.get("mode") == "full" or report.search.get("rewritten_files", 0) >= CATCH_UP_MIN:
        catch_up_search(stage)
    if report.planned:
        with contextlib.suppress(OSError):
            stage.update_spare(lambda spare, pages: link_changed_pages(
                spare, pages, stage.output, fingerprints))
