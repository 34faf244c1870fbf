"""``build_site(config)``: the one readable list of stages, timed, written atomically.

load content → archive → plan → render pages, feeds, static → search index → swap into place.
The site is built in a temporary folder beside the output and swapped in only when every
stage succeeded, under a lock, so a failed, interrupted or concurrent build never leaves a
broken site behind. Between builds, parsed articles are cached by content hash and every
page's fingerprint is kept, so a rebuild starts from a hard-linked copy of the last output
and renders only the pages a change touched.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from filelock import FileLock, Timeout

from . import __version__
from .archive import build_archive
from .config import Config
from .content import load_library
from .content.bulletins import load_bulletins
from .content.cache import ArticleCache
from .errors import Diagnostic, SiteError, display_path
from .procs import Beside, Channel
from .render import (
    SEARCH_URL,
    Page,
    link_over,
    link_pages,
    make_environment,
    plan_site,
    render_pages,
    replace_file,
    reuse,
    search_page,
    write_extras,
)
from .theme import theme_files

if TYPE_CHECKING:
    from rich.console import Console

STATE_DIR = ".site-builder"
LOCK_WAIT_SECONDS = 120
STAMP_FILE = ".site-builder-stamp"  # in the output: which manifest describes these files
EXTRA = "file:"  # manifest keys of files that are not pages (feeds, static assets)
FEW_PARSED = 256  # articles parsed again that make a small change (search.export.PATCH_SLOTS)
CATCH_UP_MIN = 1000  # export files rewritten that the build links into the spare (an edit: <900)
CATCH_UP_PAGES = 64  # pages the spare is behind after a planning build, linked into it then


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
    """One site's build stages, with what carries over between builds of it."""

    def __init__(self, config: Config, *, strict: bool = False, drafts: bool = False,
                 workers: int | None = None, save_cache: bool = True) -> None:
        self.config = config
        # False: a long-lived caller (the dev server) keeps the plan in memory and saves the
        # parse cache and plan itself (on exit)
        self.save_cache = save_cache
        self.strict = strict
        self.drafts = drafts
        self.workers = workers or os.cpu_count() or 1
        self.state = config.root / STATE_DIR
        self.cache = ArticleCache(self.state / "cache" / "articles.pickle",
                                  trusted_html=config.trusted_html)
        # re-reads a template when its file changes; compiled ones kept for the next process
        self.env = make_environment(config, self.state / "cache" / "templates")
        self.plan: reuse.Plan | None = None  # the last build's, reused when only bodies changed
        self.plan_file = self.state / "cache" / "plan.pickle"
        self._saved_plan: reuse.Plan | None = None  # the plan the plan file holds
        self.key: str | None = None  # site_key() of the build in progress, or of the last
        self.last_report: BuildReport | None = None

    def run(self, out_dir: Path, previous: dict[str, str] | None, report: BuildReport,
            progress: Callable[[int, int], None] | None = None,
            live: Path | None = None,
            live_pages: Callable[[], dict[str, str] | None] | None = None,
            ) -> dict[str, str] | None:
        """Build into ``out_dir`` (which holds the pages ``previous`` describes, if any);
        ``live``: the output in use, whose search export the search stage brings up to date
        and whose pages (fingerprinted by ``live_pages``) are linked rather than rendered
        again when they are due here and already made there.

        Returns the new page fingerprints, or None when content errors stop a strict build.
        """
        timings = report.timings
        t = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal t
            now = time.perf_counter()
            timings[name] = timings.get(name, 0.0) + now - t
            t = now

        config = self.config
        # The search stage needs only the articles: it runs in its own process beside
        # loading, planning and rendering (an edit's segmenter and patch take as long as
        # they do), except when it encodes every article: then alone, its memory being most
        # of a cold build's. When the parse cache holds the articles, that process starts
        # now and loads its code and segmenter while this one loads the articles; it is
        # then sent them, mostly as cache keys (_early_search). Else it starts once they
        # are loaded.
        if not self.save_cache:  # long-lived: each rebuild's search process inherits these
            _load_search_stage(config)
        early = (Beside(_early_search, self.cache.entries, config, out_dir, live)
                 if self.cache.entries else None)
        try:
            library = load_library(config.content_dir, project_root=config.root,
                                   drafts=self.drafts, trusted_html=config.trusted_html,
                                   cache=self.cache, workers=self.workers)
            bulletins, bulletin_problems = load_bulletins(config.content_dir, config.root)
            report.diagnostics.extend(self._grade(library.diagnostics + bulletin_problems))
            stop = self.strict and bool(report.diagnostics)
            search = None if stop else self._search(early, library.articles, out_dir, live)
        except BaseException as exc:
            if early is not None:
                _stop(early, interrupted=isinstance(exc, KeyboardInterrupt))
            raise
        if search is None:
            if early is not None:
                _stop(early)
            return None
        lap("load")
        # A few bodies edited (the last plan reused, few files parsed) never make the pages
        # wait for the search stage: it then patches, unless its index is gone, and the
        # pages are a handful. It says which first thing. A patch (or a check that nothing
        # changed) starts from the last export, in the live output: once the pages are
        # done, this process links it into ``out_dir``, all but the files the patch
        # replaces, which the search stage names as soon as it knows them (it waits for
        # word of it before it touches the output). A full export replaces every file.
        told = live is None  # (no live output: the search stage waits for no word)
        try:
            plan = self._reused_plan(library.articles, bulletins)
            lap("plan")
            few = plan is not None and library.parsed <= FEW_PARSED
            mode = search.note()
            if not few and mode == "full":
                report.search = search.result()
                lap("search")
            donor = (live, live_pages) if live is not None and live_pages is not None else None
            fingerprints = self._pages(plan, library.articles, bulletins, out_dir, previous,
                                       report, progress, lap, donor)
            if not told and mode != "full":
                replaced = search.note(1)  # (None: it ended without asking)
                if replaced is not None:
                    _mirror(live / "search", out_dir / "search", replaced)
                    lap("search")
                search.tell(True)
                told = True
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                search.interrupt()
            if not told:
                search.tell(False)  # the build stopped: it stops too
            with contextlib.suppress(Exception, KeyboardInterrupt):
                search.result()  # never left running behind a failed build
            raise
        if not report.search:
            report.search = search.result()
            lap("search")  # what it took beyond the pages
        fingerprints.update(self._search_page(out_dir, previous, report))
        return fingerprints

    def _search(self, early: Beside | None, articles: list, out_dir: Path,
                live: Path | None) -> Beside:
        """The search stage's process, given the articles: the one started before they
        were loaded, sent each as its key in the parse cache that process inherited, or
        whole when parsed since; a new one, inheriting them all, when many were parsed."""
        if early is not None:
            fresh = self.cache.changed  # entries set since the fork (or earlier): sent whole
            if sum(a.source_path in fresh for a in articles) <= FEW_PARSED:
                early.tell([a if a.source_path in fresh else a.source_path for a in articles])
                return early
            _stop(early)
        return Beside(_write_search, articles, self.config, out_dir, live)

    def _reused_plan(self, articles: list, bulletins: list) -> reuse.Plan | None:
        """The last build's plan brought up to date, when only article bodies changed."""
        if self.plan is None:  # this process has none: the last build's, if it was kept
            self.plan = self._saved_plan = reuse.load(self.plan_file,
                                                      self.key or self.site_key(),
                                                      articles)
        return self.plan.updated(articles, bulletins) if self.plan else None

    def _pages(self, plan: reuse.Plan | None, articles: list, bulletins: list, out_dir: Path,
               previous: dict[str, str] | None, report: BuildReport,
               progress: Callable[[int, int], None] | None,
               lap: Callable[[str], None],
               donor: tuple[Path, Callable[[], dict[str, str] | None]] | None = None,
               ) -> dict[str, str]:
        """Plan (unless ``plan`` was reused), then render what changed: pages, feeds,
        sitemap."""
        config = self.config
        if plan is None:
            report.planned = True
            archive = build_archive(articles)
            plan = reuse.Plan.make(archive, plan_site(archive, bulletins, config), bulletins)
        self.plan = plan
        archive, pages = plan.archive, plan.pages
        lap("plan")
        out_dir.mkdir(parents=True, exist_ok=True)
        old_pages = {k: v for k, v in (previous or {}).items() if not k.startswith(EXTRA)}
        pages_out = [p for p in pages if p.url != SEARCH_URL]
        if donor is not None and previous is not None:
            old_pages, report.linked = link_pages(pages_out, plan.fingerprints, old_pages,
                                                  out_dir, *donor)
        fingerprints = render_pages(pages_out, self.env, config, out_dir,
                                    previous=old_pages if previous is not None else None,
                                    workers=self.workers, progress=progress,
                                    fingerprints=dict(plan.fingerprints))
        fingerprints.pop(SEARCH_URL, None)  # rendered with the search export (_search_page)
        report.rendered = sum(previous is None or old_pages.get(u) != f
                              for u, f in fingerprints.items())
        old_extras = {k.removeprefix(EXTRA): v for k, v in (previous or {}).items()
                      if k.startswith(EXTRA)}
        extras = {EXTRA + path: fingerprint for path, fingerprint
                  in write_extras(pages, archive, config, out_dir, previous=old_extras).items()}
        for gone in sorted(set(previous or {}) - set(old_pages) - set(extras)):
            with contextlib.suppress(FileNotFoundError):
                (out_dir / gone.removeprefix(EXTRA)).unlink()
        fingerprints.update(extras)
        report.articles, report.pages = len(articles), len(pages)
        del plan, pages, archive
        if self.save_cache:  # a one-off build: keep what the next one reuses
            self.save()
            self.plan = self._saved_plan = None
        lap("render")
        return fingerprints

    def _search_page(self, out_dir: Path, previous: dict[str, str] | None,
                     report: BuildReport) -> dict[str, str]:
        """The search page, once the search stage is done: it carries the export's manifest,
        one round trip fewer before a reader's first hits."""
        try:
            manifest = (out_dir / "search" / "manifest.json").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            manifest = None  # (no export: the page's script asks for it, and says so)
        old = previous.get(SEARCH_URL) if previous else None
        fingerprints = render_pages([search_page(manifest)], self.env, self.config, out_dir,
                                    previous={SEARCH_URL: old} if old else None)
        report.rendered += fingerprints[SEARCH_URL] != old
        return fingerprints

    def save(self) -> None:
        """Keep what the next build process can reuse: parsed articles and the plan."""
        self.cache.save()
        if self.plan is not None and self.plan is not self._saved_plan:
            reuse.save(self.plan, self.plan_file, self.key or self.site_key())
            self._saved_plan = self.plan

    def _grade(self, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        """Content problems skip a file (a warning) unless the build is strict (an error)."""
        if self.strict:
            return [Diagnostic(d.path, d.line, d.message, d.col, "error") for d in diagnostics]
        return [Diagnostic(d.path, d.line, f"{d.message} (skipped)", d.col, "warning")
                if d.severity == "error" else d for d in diagnostics]

    def site_key(self) -> str:
        """What every page depends on besides its own context: templates, config, this code."""
        h = hashlib.blake2b(digest_size=16)
        h.update(repr((__version__, _code_digest(),
                       self.config.settings(),
                       self.drafts)).encode())
        for name, path in theme_files(self.config).items():
            h.update(name.encode())
            h.update(path.read_bytes())
        self.key = h.hexdigest()  # kept: the templates are read once per build
        return self.key


@functools.cache
def _code_digest() -> str:
    """The code pages are made by (an editable install, a version not bumped): pages and
    plans the old code made must not be reused. The search stage versions its own files."""
    h = hashlib.blake2b(digest_size=16)
    package = Path(__file__).parent
    for path in sorted(package.rglob("*")):
        rel = path.relative_to(package)
        if rel.parts[0] in _PAGE_CODE and path.suffix in (".py", ".json"):
            h.update(rel.as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


_PAGE_CODE = {"content", "archive", "render", "data", "__init__.py", "build.py", "config.py",
              "errors.py", "gazetteer.py"}


def build_site(config: Config, *, output: Path | None = None, strict: bool = False,
               drafts: bool = False, quiet: bool = False, workers: int | None = None,
               builder: Builder | None = None) -> BuildReport:
    """Build the whole site into ``output`` (default: the configured folder).

    A long-lived caller (the dev server) passes the same ``builder`` every time, so parsed
    articles and compiled templates stay in memory between builds.
    """
    out_dir = Path(output) if output else config.output_dir
    console = _Console()
    report = BuildReport(ok=False, output=out_dir)
    started = time.perf_counter()
    builder = builder or Builder(config, strict=strict, drafts=drafts, workers=workers)
    builder.state.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(builder.state / "build.lock"))
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
        _build_locked(builder, out_dir, report, quiet=quiet, console=console)
    finally:
        lock.release()
    report.seconds = time.perf_counter() - started
    builder.last_report = report
    _print_report(report, config, console, quiet)
    return report


def _build_locked(builder: Builder, out_dir: Path, report: BuildReport, *, quiet: bool,
                  console: _Console) -> None:
    """Build into the spare copy of the site, then swap it with the live one.

    The spare is the output of the build before last (or a hard-linked copy of the live
    output): it is brought up to date by rendering only the pages whose fingerprint differs
    from its own, so neither copying nor deleting a whole tree is ever needed.
    """
    _remove_stale(out_dir)
    spare = _spare_path(out_dir)
    key = builder.site_key()
    live_manifest = _Manifest(builder.state, out_dir, key)
    spare_manifest = _Manifest(builder.state, spare, key)
    t = time.perf_counter()
    previous = spare_manifest.previous() if spare.exists() else None
    # The spare is behind the live output by the last build's pages: those still due are
    # linked from it (a re-planned build renders ~900 pages at 10k that the next needs).
    live_pages = live_manifest.previous if previous is not None else None
    if previous is None and out_dir.exists():
        previous = live_manifest.previous()
        if previous is not None:  # start from the live output, shared as hard links
            _mirror(out_dir, spare)
    # Else the spare's files are unknown: prune after building. A spare made just now is
    # empty (a first build): walking the 400,000 files of a 100k site found nothing to prune.
    known = previous is not None or not spare.exists()
    spare.mkdir(parents=True, exist_ok=True)
    spare_manifest.invalidate(spare)  # until this build completes, the spare matches nothing
    report.timings["prepare"] = time.perf_counter() - t
    try:
        with _progress(console, quiet) as progress:
            fingerprints = builder.run(spare, previous, report, progress, live=out_dir,
                                       live_pages=live_pages)
    except SiteError as exc:
        report.diagnostics.extend(exc.diagnostics)
        return
    if fingerprints is None:
        return
    if not known:
        _prune(spare, fingerprints)
    stamp = spare_manifest.stamp(spare, fingerprints)
    _swap_in(spare, out_dir)
    live_manifest.move_to(spare_manifest)  # the old live output is the spare now
    live_manifest.save(fingerprints, stamp)
    report.ok = True
    if spare.exists() and (report.search.get("mode") == "full"
                           or report.search.get("rewritten_files", 0) >= CATCH_UP_MIN):
        # Most files of the export are new (encoded again, or a patch that renumbered
        # thousands of documents: an old-dated article added or removed); the spare's are two
        # builds old. The next edit would link them all into it first (2-4 s at 10k, before
        # its own work); this build, which took half a minute to make them, does it now.
        t = time.perf_counter()
        with contextlib.suppress(OSError):  # (else the next build does it)
            _mirror(out_dir / "search", spare / "search")
        report.timings["search"] = report.timings.get("search", 0.0) + time.perf_counter() - t
    if report.planned and spare.exists():
        t = time.perf_counter()
        with contextlib.suppress(OSError):
            _catch_up_pages(spare, spare_manifest, out_dir, fingerprints)
        report.timings["render"] = report.timings.get("render", 0.0) + time.perf_counter() - t


def _catch_up_pages(spare: Path, manifest: _Manifest, live: Path,
                    fingerprints: dict[str, str]) -> None:
    """After a build that planned the site anew (an article added, removed, re-dated), link
    the pages it changed into the spare too, which the next build starts from: an added
    article changes ~900 list pages at 10k, which the next edit would otherwise bring over
    (0.2 s of links) before its own work. The spare's stamp is taken away first: stopped
    halfway, the spare is of unknown state, which the next build handles."""
    old = manifest.previous()
    if old is None:
        return
    pages = [Page(url, "") for url, fingerprint in fingerprints.items()
             if old.get(url) != fingerprint and not url.startswith(EXTRA) and url != SEARCH_URL]
    if len(pages) < CATCH_UP_PAGES:
        return  # (the next build links them itself, if they are still due)
    manifest.invalidate(spare)
    now, _ = link_pages(pages, fingerprints, old, spare, live, lambda: fingerprints, least=0)
    manifest.save(now, manifest.stamp(spare, now))


class _Console:
    """rich's console for stderr, imported when something is printed through it (a problem,
    a progress bar): a build that prints only its summary line does not pay rich's import."""

    def __init__(self) -> None:
        self._rich: Console | None = None

    @property
    def rich(self) -> Console:
        if self._rich is None:
            from rich.console import Console

            self._rich = Console(stderr=True, soft_wrap=True)
        return self._rich

    def print(self, *args, **kwargs) -> None:
        self.rich.print(*args, **kwargs)


@contextlib.contextmanager
def _progress(console: _Console, quiet: bool):
    """A progress bar for rendering, on a terminal and unless --quiet; None otherwise."""
    if quiet or not sys.stderr.isatty() or not console.rich.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("rendering"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=console.rich, transient=True) as bar:
        task = bar.add_task("render", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _print_report(report: BuildReport, config: Config, console: _Console, quiet: bool) -> None:
    for d in report.diagnostics:
        console.print(str(d), markup=False, highlight=False,
                      style="red" if d.severity == "error" else "yellow")
    where = display_path(report.output, config.root)
    if not report.ok:
        errors = sum(d.severity == "error" for d in report.diagnostics) or 1
        console.print(f"[red]build failed[/]: {errors} error(s); {where} was left as it was")
        return
    linked = f", {report.linked} linked" if report.linked else ""
    line = (f"built {report.articles} articles, {report.pages} pages "
            f"({report.rendered} rendered{linked}) into {where} in {report.seconds:.2f} s")
    if not quiet:
        line += f" ({', '.join(f'{k} {v:.2f}' for k, v in report.timings.items())})"
    print(line, file=sys.stderr)


def _load_search_stage(config: Config) -> None:
    """The search stage's code and segmenter, loaded here once (~0.2 s; imports and the
    segmenter are kept) rather than by every search process a long-lived builder (the dev
    server) forks."""
    from .search.analysis import segmenter
    from .search.export import write_search_index  # noqa: F401
    from .search.indexer import extra_words

    segmenter(extra_words(config))


def _write_search(channel: Channel, articles, config: Config, out_dir: Path,
                  live: Path | None) -> dict:
    """The search stage: the Whoosh index and its browser export (the channel hears its
    mode first). A patch, or a check that nothing changed, starts from the last export, in
    ``live`` (the output in use): it names the files it replaces as soon as it knows them,
    and before it touches ``out_dir`` waits for word that the build process linked the
    rest there (False: the build stopped)."""
    from .search import write_search_index  # imported late: the CLI's other commands skip it

    def replacing(files: frozenset[str]) -> None:
        if live is not None:
            channel.note(files)  # the build process links the rest, then says go

    def ready() -> None:
        if live is not None and not channel.hear():
            raise _Stopped

    try:
        return write_search_index(articles, config, out_dir, channel.note, replacing, ready)
    except _Stopped:
        return {}


class _Stopped(Exception):
    """The build stopped before its search stage reached the output."""


def _early_search(channel: Channel, cached: dict[str, tuple], config: Config, out_dir: Path,
                  live: Path | None) -> dict:
    """The search stage started before the articles were loaded: its code and segmenter
    load meanwhile; then it hears the articles, each either whole or as its key in the
    parse cache entries ``cached`` (as they were when this process was forked), or None:
    the build stopped, or another process will do it."""
    _load_search_stage(config)
    sent = channel.hear()
    if sent is None:
        return {}
    articles = [cached[a][3] if isinstance(a, str) else a for a in sent]
    return _write_search(channel, articles, config, out_dir, live)


def _stop(search: Beside, *, interrupted: bool = False) -> None:
    """Tell a search process that has not been sent the articles to stop, and reap it."""
    if interrupted:
        search.interrupt()
    search.tell(None)
    with contextlib.suppress(Exception, KeyboardInterrupt):
        search.result()


class _Manifest:
    """Page fingerprints of the last build of one output folder, kept in the state folder.

    They are trusted only while the output still carries the stamp they were saved with and
    the templates, config and code are the same; otherwise everything is rendered anew.
    """

    def __init__(self, state: Path, out_dir: Path, site_key: str) -> None:
        name = hashlib.blake2b(str(out_dir.resolve()).encode(), digest_size=8).hexdigest()
        self.file = state / "manifests" / f"{name}.json"
        self.out_dir = out_dir
        self.site_key = site_key

    @staticmethod
    def _stamp_of(site_key: str, fingerprints: dict[str, str]) -> str:
        data = "\n".join([site_key, *(f"{k}\t{v}" for k, v in sorted(fingerprints.items()))])
        return hashlib.blake2b(data.encode(), digest_size=16).hexdigest()

    # Manifests this process read or wrote, by path, checked against the file's identity: a
    # long-lived builder (the dev server) does not parse its own manifests again.
    _known: ClassVar[dict[str, tuple[tuple[int, int, int], dict]]] = {}

    @staticmethod
    def _identity(path: Path) -> tuple[int, int, int]:
        st = path.stat()
        return st.st_ino, st.st_size, st.st_mtime_ns

    def _read(self) -> dict:
        identity = self._identity(self.file)
        known = self._known.get(str(self.file))
        if known is not None and known[0] == identity:
            return known[1]
        saved = json.loads(self.file.read_text(encoding="utf-8"))
        self._known[str(self.file)] = (identity, saved)
        return saved

    def previous(self) -> dict[str, str] | None:
        try:
            saved = self._read()
            on_disk = (self.out_dir / STAMP_FILE).read_text(encoding="utf-8").strip()
        except (OSError, ValueError):
            return None
        if saved.get("site_key") != self.site_key or saved.get("stamp") != on_disk:
            return None
        return saved.get("pages")

    def invalidate(self, out_dir: Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            (out_dir / STAMP_FILE).unlink()

    def move_to(self, other: _Manifest) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.replace(self.file, other.file)
            known = self._known.pop(str(self.file), None)
            if known is not None:
                self._known[str(other.file)] = known

    def stamp(self, out_dir: Path, fingerprints: dict[str, str]) -> str:
        stamp = self._stamp_of(self.site_key, fingerprints)
        replace_file(out_dir / STAMP_FILE, stamp.encode())
        return stamp

    def save(self, fingerprints: dict[str, str], stamp: str | None = None) -> None:
        """Keep ``fingerprints`` (``stamp``: theirs, when the caller has just made it)."""
        self.file.parent.mkdir(parents=True, exist_ok=True)
        data = {"site_key": self.site_key,
                "stamp": stamp or self._stamp_of(self.site_key, fingerprints),
                "pages": fingerprints}
        replace_file(self.file, json.dumps(data).encode())  # pages in plan order: deterministic
        self._known[str(self.file)] = (self._identity(self.file), data)


def _mirror(source: Path, target: Path, keep: frozenset[str] = frozenset()) -> None:
    """Make ``target`` hold exactly the files of ``source``, as hard links, but for the
    relative paths in ``keep``, left to the caller, who is about to replace them (as they
    are, or gone when the whole target is made anew).

    Only what differs is touched (same inode = same file), so mirroring a tree that changed
    a little costs a directory walk, not a copy; every write is a replace, never in place.
    When most of it differs, the target is emptied and filled anew (faster).
    """
    want = _inventory(source)
    have = _inventory(target)
    for rel in keep:
        want.pop(rel, None)
        have.pop(rel, None)
    differ = [rel for rel, inode in want.items() if have.get(rel) != inode]
    if len(differ) >= max(MIRROR_ANEW_MIN, len(want) // 2):
        _mirror_anew(source, target, want)
        return
    made: set[str] = set()  # folders known to exist: one mkdir each, not one per file
    suffix = f".{os.getpid()}.link"
    for rel in differ:
        dest = os.path.join(target, rel)
        folder = os.path.dirname(dest)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        try:
            link_over(os.path.join(source, rel), dest, suffix)
        except OSError:  # links refused (another file system): a copy, renamed over
            tmp = os.path.join(folder, f".{os.path.basename(dest)}{suffix}")
            shutil.copy2(os.path.join(source, rel), tmp)
            os.replace(tmp, dest)
    for rel in sorted(have.keys() - want.keys()):
        with contextlib.suppress(FileNotFoundError):
            (target / rel).unlink()
        folder = (target / rel).parent
        with contextlib.suppress(OSError):  # folders left empty go too
            while folder != target and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent


# Files that differ from which a mirror makes its target anew: removing a tree and linking
# into empty folders cost ~0.03 ms a file on ext4, a link renamed over an existing name
# ~0.06-0.1 ms (27,000 files at 10k, after a build that encoded everything).
MIRROR_ANEW_MIN = 2000


def _mirror_anew(source: Path, target: Path, want: dict[str, int]) -> None:
    """``_mirror`` by removing ``target`` (a spare: nothing serves it; readers of its files
    keep them) and linking every file of ``source`` into empty folders. Stopped halfway, it
    leaves a target the next mirror completes, and nothing beside it."""
    shutil.rmtree(target, ignore_errors=True)
    made: set[str] = set()
    for rel in want:
        dest = os.path.join(target, rel)
        folder = os.path.dirname(dest)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        _link_or_copy(os.path.join(source, rel), dest)
    os.makedirs(target, exist_ok=True)  # (an empty source)


def _link_or_copy(source: str, dest: str) -> None:
    """A hard link to ``source`` at ``dest``, else (another filesystem, links refused) a copy;
    a ``dest`` left behind by a build that died is replaced."""
    for _ in range(2):
        try:
            os.link(source, dest)
            return
        except FileExistsError:
            os.unlink(dest)
        except OSError:
            break
    shutil.copy2(source, dest)


def _inventory(root: Path) -> dict[str, int]:
    """Relative path → inode of every file under ``root`` (empty when it does not exist)."""
    found: dict[str, int] = {}
    skip = len(str(root)) + 1  # entries' paths all start with "<root>/"
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            else:
                found[entry.path[skip:]] = entry.inode()
    return found


def _prune(out_dir: Path, fingerprints: dict[str, str]) -> None:
    """Delete what this build did not write (outside search/, which its stage manages)."""
    wanted = {STAMP_FILE}
    for key in fingerprints:
        if key.startswith(EXTRA):
            wanted.add(key.removeprefix(EXTRA))
        else:
            wanted.add(Page(key, "").file)
    for rel in _inventory(out_dir):
        if rel.split(os.sep)[0] != "search" and rel not in wanted:
            with contextlib.suppress(FileNotFoundError):
                (out_dir / rel).unlink()
    for folder, _dirs, _files in sorted(os.walk(out_dir), reverse=True):  # deepest first
        if folder != str(out_dir) and not os.listdir(folder):
            os.rmdir(folder)


def _old_path(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.old"


def _spare_path(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.spare"


def _remove_stale(out_dir: Path) -> None:
    """Recover from a build killed in the middle of a non-atomic swap."""
    old = _old_path(out_dir)
    if old.exists() and not out_dir.exists():
        old.rename(out_dir)
    shutil.rmtree(old, ignore_errors=True)


def _swap_in(new: Path, out_dir: Path) -> None:
    """Exchange ``new`` and ``out_dir`` (the old output ends up at ``new``'s path)."""
    if out_dir.exists() and _exchange(new, out_dir):
        return
    old = _old_path(out_dir)  # no atomic exchange here: three renames, recoverable
    shutil.rmtree(old, ignore_errors=True)
    had_output = out_dir.exists()
    if had_output:
        out_dir.rename(old)
    new.rename(out_dir)
    if had_output:
        old.rename(new)


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
