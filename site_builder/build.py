"""``build(config)``: the one readable list of stages, timed, written atomically.

load content → archive → plan → render pages, feeds, static → search index → swap into place.
The site is built in a temporary folder beside the output and swapped in only when every
stage succeeded, under a lock, so a failed, interrupted or concurrent build never leaves a
broken site behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout
from rich.console import Console

from .archive import build_archive
from .config import Config
from .content import load_library
from .content.bulletins import load_bulletins
from .errors import Diagnostic, SiteError, display_path
from .render import make_environment, plan_site, render_pages, write_extras

STATE_DIR = ".site-builder"
LOCK_WAIT_SECONDS = 120


@dataclass
class BuildReport:
    ok: bool
    output: Path
    diagnostics: list[Diagnostic] = field(default_factory=list)
    articles: int = 0
    pages: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    search: dict = field(default_factory=dict)


def build_site(config: Config, *, output: Path | None = None, strict: bool = False,
               drafts: bool = False, quiet: bool = False) -> BuildReport:
    """Build the whole site into ``output`` (default: the configured folder)."""
    out_dir = Path(output) if output else config.output_dir
    console = Console(stderr=True, soft_wrap=True)
    report = BuildReport(ok=False, output=out_dir)
    started = time.perf_counter()
    state = config.root / STATE_DIR
    state.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(state / "build.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        console.print(f"another build is running (lock {display_path(lock.lock_file)}); "
                      f"waiting up to {LOCK_WAIT_SECONDS} s")
        try:
            lock.acquire(timeout=LOCK_WAIT_SECONDS)
        except Timeout:
            console.print("[red]error:[/] another build is still running; giving up")
            return report
    try:
        _remove_stale(out_dir)
        tmp = out_dir.parent / f".{out_dir.name}.tmp-{os.getpid()}"
        try:
            _build_into(tmp, config, report, strict=strict, drafts=drafts, quiet=quiet,
                        console=console)
            if report.ok:
                _swap_in(tmp, out_dir)
        except SiteError as exc:
            report.diagnostics.extend(exc.diagnostics)
            report.ok = False
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.rmtree(_old_path(out_dir), ignore_errors=True)
    finally:
        lock.release()
    report.seconds = time.perf_counter() - started
    for d in report.diagnostics:
        console.print(str(d), markup=False, highlight=False, style="red" if
                      d.severity == "error" else "yellow")
    if report.ok:
        if not quiet or report.diagnostics:
            console.print(
                f"built {report.articles} articles, {report.pages} pages into "
                f"{display_path(out_dir, config.root)} in {report.seconds:.2f} s "
                f"({', '.join(f'{k} {v:.2f}' for k, v in report.timings.items())})",
                markup=False, highlight=False)
        else:
            print(f"built {report.articles} articles, {report.pages} pages in "
                  f"{report.seconds:.2f} s", file=sys.stderr)
    else:
        errors = sum(d.severity == "error" for d in report.diagnostics) or 1
        console.print(f"[red]build failed[/]: {errors} error(s); "
                      f"{display_path(out_dir, config.root)} was left as it was")
    return report


def _build_into(tmp: Path, config: Config, report: BuildReport, *, strict: bool, drafts: bool,
                quiet: bool, console: Console) -> None:
    timings = report.timings
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        timings[name] = now - t
        t = now

    library = load_library(config.content_dir, project_root=config.root, drafts=drafts,
                           trusted_html=config.trusted_html)
    bulletins, bulletin_problems = load_bulletins(config.content_dir, config.root)
    diagnostics = library.diagnostics + bulletin_problems
    if strict:
        diagnostics = [Diagnostic(d.path, d.line, d.message, d.col, "error") for d in diagnostics]
    else:
        diagnostics = [Diagnostic(d.path, d.line, f"{d.message} (skipped)", d.col, "warning")
                       if d.severity == "error" else d for d in diagnostics]
    report.diagnostics.extend(diagnostics)
    if strict and diagnostics:
        return
    lap("load")
    archive = build_archive(library.articles)
    pages = plan_site(archive, bulletins, config)
    lap("plan")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    env = make_environment(config)
    if quiet:
        render_pages(pages, env, archive, config, tmp)
    else:
        with console.status(f"rendering {len(pages)} pages"):
            render_pages(pages, env, archive, config, tmp)
    write_extras(pages, archive, config, tmp)
    lap("render")
    report.search = _write_search(library.articles, config, tmp)
    lap("search")
    report.articles, report.pages, report.ok = len(library.articles), len(pages), True


def _write_search(articles, config: Config, out_dir: Path) -> dict:
    """The search stage, when it is installed (it is optional for the page build)."""
    try:
        from .search import write_search_index
    except ImportError:
        return {}
    return write_search_index(articles, config, out_dir)


def _old_path(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.old"


def _remove_stale(out_dir: Path) -> None:
    """Recover from a build killed mid-swap, and clear temp folders of dead builds."""
    old = _old_path(out_dir)
    if old.exists() and not out_dir.exists():
        old.rename(out_dir)
    for stale in out_dir.parent.glob(f".{out_dir.name}.tmp-*"):
        pid = stale.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _swap_in(new: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` with ``new`` in one step where the OS allows it."""
    if out_dir.exists() and _exchange(new, out_dir):
        return
    old = _old_path(out_dir)
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        out_dir.rename(old)
    new.rename(out_dir)


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders with Linux renameat2(RENAME_EXCHANGE); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        at_fdcwd = -100
        result = libc.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b),
                                _RENAME_EXCHANGE)
        if result == 0:
            return True
    return False
