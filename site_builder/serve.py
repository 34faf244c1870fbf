"""``site-builder serve``: build, serve the site on loopback, rebuild on change, reload browsers.

livereload provides the browser side: its websocket protocol handler and ``livereload.js``.
This module owns the rest, because the site needs it:

* **Change detection** polls ``content/``, ``templates/`` and ``config.yaml`` (a stat per
  file, every 0.1 s, less often when a scan is slow) and sorts each change into a
  :class:`ChangeKind`, as Zola does. Every kind runs ``build_site``, which re-renders only
  the pages whose inputs changed and swaps the result in atomically; the kind is kept so a
  cheaper path per kind (a stylesheet copy, say) can plug in without touching the rest.
* **Serving** only files under the output folder, through tornado's StaticFileHandler (it
  rejects ``..`` traversal and symlinks leading outside the root). HTML pages get
  ``<script src="/livereload.js">`` injected as an external script, so a page's own
  Content-Security-Policy (``script-src 'self'``) allows it.
* **Errors** from a build (a bad article, a template error, a bad config) are printed in the
  terminal and shown on every page in a panel, over the last good build; the server keeps
  running and the next save that fixes the file rebuilds, reloads and clears the panel.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import html
import ipaddress
import logging
import os
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import click
from livereload import Server
from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler, StaticFileHandler
from livereload.watcher import Watcher
from tornado import web
from tornado.ioloop import IOLoop

from . import terminal
from .build import STATE_DIR, Builder, build_site
from .config import Config, load_config
from .errors import Diagnostic, SiteError, display_path
from .render import STATIC_DIR

POLL_SECONDS = 0.1  # between scans of the source folders, at least...
POLL_COST_FACTOR = 10  # ...ten times the last scan: at most ~10% of a core on huge folders
DRAFTS_OUTPUT = "preview-drafts"  # under .site-builder/: drafts never land in output/
PREVIEW_PREFIX = "/__site_builder__/"
PANEL_ID = "site-builder-build-problems"
# Editor droppings that are not source files: swap, backup and lock files.
_IGNORED_SUFFIXES = (".swp", ".swx", ".swo", "~", ".tmp", ".part")


class ChangeKind(enum.Enum):
    """What a changed file is, which decides what must be rebuilt."""

    CONTENT = "content"  # an article or bulletin: its page, the lists, feeds, search entries
    TEMPLATES = "templates"  # a template: every page using it
    STATIC = "static"  # a file under templates/static: copied as is
    CONFIG = "config"  # config.yaml: everything, with the configuration read again


def classify(path: Path, config: Config, config_path: Path) -> ChangeKind | None:
    """The kind of a changed source file, or None when it is none of the site's inputs."""
    resolved = path.resolve()
    if resolved == config_path.resolve():
        return ChangeKind.CONFIG
    templates = config.templates_dir.resolve()
    if resolved.is_relative_to(templates / STATIC_DIR):
        return ChangeKind.STATIC
    if resolved.is_relative_to(templates):
        return ChangeKind.TEMPLATES
    if resolved.is_relative_to(config.content_dir.resolve()):
        return ChangeKind.CONTENT
    return None


def snapshot(roots: list[Path]) -> dict[str, tuple[int, int]]:
    """(mtime, size) of every source file under ``roots`` (folders or single files), by path.

    One ``os.scandir`` per folder and plain strings: every save is looked for with a scan.
    Hidden folders and editor droppings are left out;
    linked folders are not entered, linked files are seen through."""
    found: dict[str, tuple[int, int]] = {}
    for root in roots:
        if root.is_file():
            st = root.stat()
            found[str(root)] = (st.st_mtime_ns, st.st_size)
            continue
        stack = [str(root)]
        while stack:
            try:
                with os.scandir(stack.pop()) as entries:
                    listed = list(entries)
            except OSError:  # removed meanwhile
                continue
            for entry in listed:
                name = entry.name
                try:
                    if entry.is_dir():
                        if not name.startswith(".") and not entry.is_symlink():
                            stack.append(entry.path)
                        continue
                    if name.startswith((".", "#")) or name.endswith(_IGNORED_SUFFIXES):
                        continue
                    st = entry.stat()
                except OSError:  # removed between listing and stat, or a broken link
                    continue
                found[entry.path] = (st.st_mtime_ns, st.st_size)
    return found


def changed_paths(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]
                  ) -> set[Path]:
    """Files added, removed or modified between two snapshots."""
    return {Path(p) for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


@dataclass
class BuildState:
    """The outcome of the latest build, shown on every served page when it had problems."""

    failed: bool = False
    diagnostics: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0

    def panel(self) -> str:
        """HTML of the problems panel, or '' when the last build was clean."""
        if not self.failed and not self.diagnostics:
            return ""
        if self.failed:
            headline = "Build failed: you are looking at the last good build."
        else:
            headline = f"{len(self.diagnostics)} problem(s): the files named below were skipped."
        items = "".join(f"<li><code>{html.escape(str(d))}</code></li>" for d in self.diagnostics)
        return (f'<details id="{PANEL_ID}" class="sb-preview-panel" open role="alert">'
                f"<summary>site-builder: {html.escape(headline)}</summary><ul>{items}</ul>"
                "<p>Fix the file and save it: the page reloads by itself.</p></details>")


class Preview:
    """Builds the site, tracks source changes and tells browsers to reload."""

    def __init__(self, config: Config, config_path: Path, *, drafts: bool) -> None:
        self.config = config
        self.config_path = config_path
        self.drafts = drafts
        self.output = (config.root / STATE_DIR / DRAFTS_OUTPUT) if drafts else config.output_dir
        self.state = BuildState()
        self._seen = snapshot(self.roots())
        self._pending: dict[ChangeKind, set[Path]] = {}
        self._building = False
        self._scan_after_build = False
        self.builder: Builder | None = None

    def roots(self) -> list[Path]:
        return [p for p in (self.config.content_dir, self.config.templates_dir, self.config_path)
                if p.exists()]

    def build(self, changes: dict[ChangeKind, set[Path]] | None = None) -> BuildState:
        """A full build (every change kind needs one for now); never raises."""
        started = time.perf_counter()
        state = BuildState()
        try:
            if changes and ChangeKind.CONFIG in changes:
                self.config = load_config(self.config_path)
                self.builder = None
            first = self.builder is None
            if first:  # kept between builds: parsed articles and the plan stay in memory
                self.builder = Builder(self.config, drafts=self.drafts, save_cache=False)
            report = build_site(self.config, output=self.output, drafts=self.drafts, quiet=True,
                                builder=self.builder)
            if first:  # the parse cache is saved after the first build and on exit only
                self.save_cache()
            state.failed, state.diagnostics = not report.ok, list(report.diagnostics)
        except SiteError as exc:  # the configuration could not be read
            state.failed, state.diagnostics = True, list(exc.diagnostics)
            for d in exc.diagnostics:
                click.echo(str(d), err=True)
        except Exception as exc:  # a bug must not take the preview down with it
            where = traceback.extract_tb(exc.__traceback__)[-1]
            d = Diagnostic(display_path(where.filename), where.lineno,
                           f"unexpected {type(exc).__name__}: {exc}")
            state.failed, state.diagnostics = True, [d]
            click.echo(traceback.format_exc(), err=True)
        state.seconds = time.perf_counter() - started
        self.state = state
        return state

    def save_cache(self) -> None:
        if self.builder is not None:
            self.builder.save()

    def poll(self) -> float:
        """Scan the sources once; queue a rebuild when something changed. Returns scan time.

        No scan while a build runs (it would only slow the build down); the first scan after
        it compares with the one before, so edits saved meanwhile are not missed.
        """
        if self._building:
            self._scan_after_build = True  # a save may be waiting: look once the build is done
            return 0.0
        started = time.perf_counter()
        now = snapshot(self.roots())
        changed = changed_paths(self._seen, now)
        self._seen = now
        for path in changed:
            kind = classify(path, self.config, self.config_path)
            if kind is not None:
                self._pending.setdefault(kind, set()).add(path)
        if self._pending and not self._building:
            IOLoop.current().add_callback(self._rebuild)
        return time.perf_counter() - started

    async def _rebuild(self) -> None:
        if self._building or not self._pending:
            return
        self._building = True
        try:
            while self._pending:
                changes, self._pending = self._pending, {}
                shown = ", ".join(sorted(display_path(p, self.config.root)
                                         for paths in changes.values() for p in paths))
                terminal.info(f"changed: {shown}", err=True)
                loop = asyncio.get_running_loop()
                state = await loop.run_in_executor(None, self.build, changes)
                verdict = "failed" if state.failed else "rebuilt"
                terminal.info(f"{verdict} in {state.seconds:.2f} s", err=True)
            LiveReloadHandler.reload_waiters(_reload_path(changes))
        finally:
            self._building = False
            if self._scan_after_build:
                self._scan_after_build = False
                IOLoop.current().add_callback(self.poll)


def _reload_path(changes: dict[ChangeKind, set[Path]]) -> str:
    """A stylesheet path when only CSS changed (browsers swap it in place), else '*'."""
    if set(changes) == {ChangeKind.STATIC}:
        paths = changes[ChangeKind.STATIC]
        if all(p.suffix == ".css" for p in paths):
            return f"{STATIC_DIR}/{min(paths).name}"
    return "*"


WAKE_DELAY = 0.05  # after a file-system event, for the rest of an editor's save to land


def watch_sources(roots: list[Path], wake: Callable[[], None]):
    """Call ``wake`` (from another thread) whenever a file under ``roots`` is written,
    created, removed or moved, through the OS's notifications (inotify on Linux): a save is
    seen at once instead of at the next scan, which a large archive spaces out. Returns the
    running observer, or None when notifications are not available (scans still run)."""
    try:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer
    except ImportError:  # pragma: no cover - watchdog is a dependency
        return None
    reads = {"opened", "closed_no_write"}  # our own builds read the sources

    class Handler(FileSystemEventHandler):
        def __init__(self, only: str | None = None) -> None:
            self.only = only  # watching a file through its folder: that file's events only

        def on_any_event(self, event) -> None:
            if event.event_type in reads:
                return
            if self.only is None or self.only in (event.src_path,
                                                  getattr(event, "dest_path", "")):
                wake()

    observer = Observer()
    try:
        for root in (r.resolve() for r in roots):
            if root.is_dir():
                observer.schedule(Handler(), str(root), recursive=True)
            else:  # a single file (config.yaml): its folder, not recursively
                observer.schedule(Handler(str(root)), str(root.parent), recursive=False)
        observer.daemon = True
        observer.start()
    except OSError:  # e.g. the inotify watch limit: scanning alone still works
        return None
    return observer


class SourceWatcher(Watcher):
    """livereload's watcher slot, filled with our own scans of the site's sources, woken at
    once by file-system events and repeated on a timer in case an event is missed."""

    def __init__(self, preview: Preview) -> None:
        super().__init__()
        self.preview = preview
        self._woken = False
        self.observer = None
        for root in preview.roots():
            self.watch(str(root))  # informational for livereload; we scan ourselves

    def start(self, callback) -> bool:
        """Called by livereload when the server starts; True: we drive the polling."""
        loop = IOLoop.current()
        self.observer = watch_sources(self.preview.roots(), lambda: loop.add_callback(self._wake))
        loop.call_later(POLL_SECONDS, self._tick)
        return True

    def _wake(self) -> None:
        if not self._woken:  # one scan for the burst of events a save makes
            self._woken = True
            IOLoop.current().call_later(WAKE_DELAY, self._scan)

    def _scan(self) -> None:
        self._woken = False
        try:
            self.preview.poll()
        except Exception:  # keep watching whatever went wrong in one scan
            click.echo(traceback.format_exc(), err=True)

    def _tick(self) -> None:
        try:
            spent = self.preview.poll()
        except Exception:  # keep watching whatever went wrong in one scan
            click.echo(traceback.format_exc(), err=True)
            spent = 0.0
        IOLoop.current().call_later(max(POLL_SECONDS, POLL_COST_FACTOR * spent), self._tick)


_HEAD_END = "</head>"
_BODY_END = "</body>"


def decorate(page: str, state: BuildState, *, base: bool = False) -> str:
    """Inject the reload script (and the problems panel) into an HTML page."""
    head = (f'<script src="/livereload.js"></script>'
            f'<link rel="stylesheet" href="{PREVIEW_PREFIX}preview.css">')
    if base:
        head = '<base href="/">' + head
    at = page.find(_HEAD_END)
    page = page[:at] + head + page[at:] if at >= 0 else head + page
    panel = state.panel()
    if panel:
        at = page.rfind(_BODY_END)
        page = page[:at] + panel + page[at:] if at >= 0 else page + panel
    return page


@contextlib.contextmanager
def _not_found_instead_of_forbidden() -> Iterator[None]:
    try:
        yield
    except ValueError:  # "embedded null byte" from the file system calls
        raise web.HTTPError(404) from None
    except web.HTTPError as exc:
        if exc.status_code == 403:
            raise web.HTTPError(404) from None
        raise


class PreviewFileHandler(StaticFileHandler):
    """Files under the output folder only; HTML pages carry the reload script and problems."""

    def initialize(self, path: str, default_filename: str | None = None,
                   preview: Preview | None = None) -> None:
        super().initialize(path, default_filename)
        self.preview = preview

    # A path outside the output folder, or with an encoded NUL, is simply not there: 404, where
    # tornado says 403 (traversal, links leading out) or fails with a 500 (NUL).
    @classmethod
    def get_absolute_path(cls, root: str, path: str) -> str:
        with _not_found_instead_of_forbidden():
            return super().get_absolute_path(root, path)

    def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
        with _not_found_instead_of_forbidden():
            return super().validate_absolute_path(root, absolute_path)

    def set_extra_headers(self, path: str) -> None:
        self.set_header("Cache-Control", "no-store")

    def compute_etag(self) -> None:
        """No validators: every load after a rebuild must fetch the page again."""
        return None

    async def get(self, path: str, include_body: bool = True) -> None:
        self.path = self.parse_url_path(path)
        absolute = self.validate_absolute_path(self.root, self.get_absolute_path(self.root,
                                                                                self.path))
        if absolute is None:  # redirected (a folder without its trailing slash)
            return
        if not absolute.endswith(".html"):
            await super().get(path, include_body)
            return
        page = Path(absolute).read_text(encoding="utf-8", errors="replace")
        self._send_html(decorate(page, self.preview.state), include_body)

    def write_error(self, status_code: int, **kwargs) -> None:
        """404s show the site's own 404 page; with no site yet, just the build problems."""
        not_found = Path(self.root) / "404.html"
        if status_code == 404 and not_found.is_file():
            page = not_found.read_text(encoding="utf-8", errors="replace")
        else:
            title = html.escape(self._reason)
            page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
                    f"</head><body><h1>{status_code} {title}</h1></body></html>")
        self._send_html(decorate(page, self.preview.state, base=True), True)

    def _send_html(self, page: str, include_body: bool) -> None:
        body = page.encode("utf-8")
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Length", str(len(body)))
        self.finish(body if include_body else None)


class CutReviewHandler(web.RequestHandler):
    """A bulletin's cut for review (site_builder/ingest/review.py builds the page)."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def get(self, name: str) -> None:
        from .ingest.review import review_bulletin, review_index

        bulletins = self.preview.config.content_dir / "bulletins"
        if not name:
            page = review_index(bulletins, f"{PREVIEW_PREFIX}cut/")
        elif "/" in name or name.startswith(".") or not (bulletins / name).is_file():
            raise web.HTTPError(404)
        else:
            page = review_bulletin(bulletins / name, list(self.preview.config.ingest.tags))
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(page)


class PreviewStyleHandler(web.RequestHandler):
    """The problems panel's stylesheet (external, so a strict CSP page still shows it)."""

    def get(self) -> None:
        self.set_header("Content-Type", "text/css; charset=UTF-8")
        self.write(PANEL_CSS)


PANEL_CSS = f"""#{PANEL_ID} {{
  position: fixed; inset: 0 0 auto 0; z-index: 2147483647; max-height: 60vh; overflow: auto;
  margin: 0; padding: .75rem 1rem; background: #fff4f4; color: #3b0000;
  border-bottom: 3px solid #c00; font: 14px/1.5 system-ui, sans-serif;
  box-shadow: 0 2px 8px rgba(0, 0, 0, .2);
}}
#{PANEL_ID} summary {{ font-weight: bold; cursor: pointer; }}
#{PANEL_ID} code {{ white-space: pre-wrap; word-break: break-all; }}
"""


# Host names a loopback-bound server answers: a page elsewhere that makes its own name resolve
# to 127.0.0.1 (DNS rebinding) sends its own name, and must not read a --drafts preview.
LOOPBACK_HOSTS = r"(localhost|.+\.localhost|127\.\d+\.\d+\.\d+|\[::1\]|::1)$"


class PreviewReloadHandler(LiveReloadHandler):
    """livereload's socket, opened only from pages of this server (same origin)."""

    def check_origin(self, origin: str) -> bool:
        return urlsplit(origin).netloc.lower() == self.request.host.lower()


class PreviewServer(Server):
    """livereload's server with our file handler, script injection and quiet logging."""

    def __init__(self, preview: Preview) -> None:
        super().__init__(watcher=SourceWatcher(preview))
        self.preview = preview

    def application(self, port, host, liveport=None, debug=None, live_css=True) -> None:
        LiveReloadHandler.watcher = self.watcher
        LiveReloadHandler.live_css = live_css
        app = web.Application()
        app.add_handlers(LOOPBACK_HOSTS if _is_loopback(host) else r".*$", [
            (r"/livereload", PreviewReloadHandler),
            (r"/livereload\.js", LiveReloadJSHandler),
            (rf"{PREVIEW_PREFIX}preview\.css", PreviewStyleHandler),
            (rf"{PREVIEW_PREFIX}cut/(.*)", CutReviewHandler, {"preview": self.preview}),
            (r"/(.*)", PreviewFileHandler, {"path": str(self.preview.output.resolve()),
                                            "default_filename": "index.html",
                                            "preview": self.preview}),
        ])
        try:
            app.listen(port, address=host)
        except OSError as exc:
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
        shown = f"[{host}]" if ":" in host else host
        click.echo(f"Serving {display_path(self.preview.output, self.preview.config.root)} on "
                   f"http://{shown}:{port}/ — watching for changes (Ctrl+C to stop)", err=True)

    def _setup_logging(self) -> None:
        logging.getLogger("livereload").setLevel(logging.WARNING)
        for name in ("tornado.access", "tornado.general"):  # 404s and refused paths
            logging.getLogger(name).setLevel(logging.ERROR)


def serve_site(config: Config, *, host: str, port: int, drafts: bool, watch: bool) -> None:
    """Build once, then serve; with ``watch``, rebuild and reload on every saved change."""
    if not _is_loopback(host):
        click.echo(f"warning: serving on {host}: other machines can reach this preview"
                   + (" and its drafts" if drafts else ""), err=True)
    config_path = _config_path(config)
    preview = Preview(config, config_path, drafts=drafts)
    preview.build()
    server = PreviewServer(preview)
    if not watch:
        server.watcher.start = lambda callback: True  # serve what was built, nothing more
    try:
        server.serve(port=port, host=host, root=str(preview.output))
    finally:
        preview.save_cache()


def _config_path(config: Config) -> Path:
    """The file the configuration came from (the CLI's --config), for watching."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.find_root().obj and "config_path" in ctx.find_root().obj:
        return Path(ctx.find_root().obj["config_path"])
    return config.root / "config.yaml"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
