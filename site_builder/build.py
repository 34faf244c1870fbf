"""``build_site(config)``: the whole build, one timed step per stage.

    load content → plan (archive and pages) → render → search index → publish

Each stage is a call into its package; plain data goes forward (articles, a plan, page
fingerprints). The build writes into a staged copy of the output and swaps it in only when
every stage succeeded (``publish``). What carries over between builds of one site — parsed
articles, compiled templates, the last plan — is kept by a :class:`Builder` (state.py), in memory for
the dev server and in ``.site-builder/`` between processes.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config
from .console import Console, print_report
from .errors import Diagnostic, SiteError, display_path
from .publish import BuildLocked, OutputRefused, Stage, build_lock, catch_up_search, staged_output
from .render.site import link_changed_pages, render_search_page, render_site
from .search.stage import SearchStage
from .state import STATE_DIR, Builder

__all__ = ["STATE_DIR", "BuildReport", "Builder", "build_site"]

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
