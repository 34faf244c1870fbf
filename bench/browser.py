"""What one search costs a reader's browser: bytes on a fresh cache and time to results.

The site is served from 127.0.0.1 by a small static server that behaves like common static
hosts: HTTP/1.1 with persistent (keep-alive) connections, gzip for text types (html, css, js,
json, xml, svg, txt, wasm) when the browser asks for it, ``Cache-Control: max-age=600`` on
everything. Both our site and Hugo + Pagefind are served by it, so the rule is the same for
both. (Until 2026-11-24 it spoke HTTP/1.0, a new connection per request, which no common
static host does; ``keep_alive=False`` still serves that way, to compare figures across the
change: see docs/performance.md.)

Per query, in a fresh browser context (empty cache):

* time to results: from the start of navigation to ``/search/?q=…`` until the first element
  matching the result selector is in the DOM (``performance.now()`` in a MutationObserver
  installed before any page script runs, which reports it on the console: nothing of
  Playwright's runs in the page meanwhile — until 2026-11-24 a Playwright selector wait did);
* time to results painted: until that element's text is first on screen (Element Timing:
  the observer marks the element and its descendants ``elementtiming`` as it arrives, before
  the next frame; the entry's ``renderTime``). What a reader sees: a page busy ranking after
  inserting its first hit paints it only when the work yields;
* bytes: what the server sends (status line, headers and the possibly gzipped body) for every
  request of the page and its Web Workers, until no request has been served for 300 ms after
  the first result, EXCEPT the search page's HTML document and the stylesheets the home page
  links too (a reader arriving from any page has them). Everything else counts, including
  search-only stylesheets. Counted at the server, so Web Worker fetches are not missed;
* warm: the same query loaded again in the same context (everything cacheable cached).
"""

from __future__ import annotations

import email.utils
import functools
import gzip
import http.server
import io
import json
import mimetypes
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
COMPRESSIBLE = {".html", ".css", ".js", ".mjs", ".json", ".xml", ".svg", ".txt", ".wasm"}
IDLE_SECONDS = 0.3
RESULT_TIMEOUT_MS = 8000

mimetypes.add_type("application/wasm", ".wasm")
mimetypes.add_type("text/javascript", ".mjs")


class Traffic:
    """Every response the server sent: (path, bytes), and when it last served one."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: list[tuple[str, int]] = []
        self.active = 0
        self.last = time.perf_counter()

    def reset(self) -> None:
        with self.lock:
            self.sent.clear()
            self.last = time.perf_counter()

    def idle_for(self) -> float:
        with self.lock:
            return 0.0 if self.active else time.perf_counter() - self.last


class StaticHandler(http.server.SimpleHTTPRequestHandler):
    """GET/HEAD of files with gzip and a cache lifetime; nothing else. Counts bytes sent."""

    cache: ClassVar[dict] = {}
    protocol_version = "HTTP/1.1"  # keep-alive: every response below has a Content-Length
    timeout = 30  # an idle kept-alive connection is closed after this many seconds
    disable_nagle_algorithm = True  # TCP_NODELAY, as nginx does on kept-alive connections

    def __init__(self, *args, traffic: Traffic, **kwargs) -> None:
        self.traffic = traffic
        self.counted = 0
        super().__init__(*args, **kwargs)

    def parse_request(self) -> bool:
        # A request is active from its request line on: a kept-alive connection waiting for
        # its next request is idle.
        ok = super().parse_request()
        if ok:
            with self.traffic.lock:
                self.traffic.active += 1
            self.serving = True
        return ok

    def handle_one_request(self) -> None:
        self.counted = 0
        self.serving = False
        try:
            super().handle_one_request()
        finally:
            if self.serving:
                with self.traffic.lock:
                    self.traffic.active -= 1
                    self.traffic.last = time.perf_counter()
                    if self.counted:
                        self.traffic.sent.append((self.path, self.counted))

    def end_headers(self) -> None:
        self.counted += sum(len(h) for h in getattr(self, "_headers_buffer", [])) + 2
        super().end_headers()

    def copyfile(self, source, outputfile) -> None:
        data = source.read()
        self.counted += len(data)
        outputfile.write(data)

    def log_message(self, *args) -> None:
        pass

    def send_head(self):
        parsed = urllib.parse.urlsplit(self.path)
        path = Path(self.translate_path(parsed.path))
        if path.is_dir():
            if not parsed.path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", parsed.path + "/" + (f"?{parsed.query}" if parsed.query
                                                                    else ""))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            path = path / "index.html"
        if not path.is_file():
            self.send_error(404)
            return None
        stat = path.stat()
        body = path.read_bytes()
        encoding = None
        if path.suffix in COMPRESSIBLE and "gzip" in self.headers.get("Accept-Encoding", ""):
            key = (str(path), stat.st_mtime_ns)
            if key not in self.cache:
                self.cache[key] = gzip.compress(body, 6, mtime=0)
            body, encoding = self.cache[key], "gzip"
        self.send_response(200)
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype.endswith(("javascript", "json", "xml")):
            ctype += "; charset=utf-8"
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if encoding:
            self.send_header("Content-Encoding", encoding)
            self.send_header("Vary", "Accept-Encoding")
        self.send_header("Cache-Control", "max-age=600")
        self.send_header("Last-Modified", email.utils.formatdate(stat.st_mtime, usegmt=True))
        self.end_headers()
        return io.BytesIO(body)


class ClosingHandler(StaticHandler):
    """The server as it was before 2026-11-24: HTTP/1.0, one connection per request."""

    protocol_version = "HTTP/1.0"
    disable_nagle_algorithm = False


def serve(directory: Path, *, keep_alive: bool = True,
          ) -> tuple[http.server.ThreadingHTTPServer, str, Traffic]:
    traffic = Traffic()
    handler = functools.partial(StaticHandler if keep_alive else ClosingHandler,
                                directory=str(directory), traffic=traffic)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/", traffic


def unavailable() -> str | None:
    """Why the browser part cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not installed"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright not installed"
    return None


# Installed before any page script runs. It reports the first result through the console:
# waiting with a Playwright selector would inject Playwright's own script into the page, whose
# compilation (10-20 ms on this machine) lands on the page's main thread mid-load.
_OBSERVER = """
(() => {
  const selector = %s;
  const mark = () => {
    const first = window.__benchFirst === undefined && document.querySelector(selector);
    if (first) {
      window.__benchFirst = performance.now();
      console.debug(`bench:first ${window.__benchFirst}`);
      for (const el of [first, ...first.querySelectorAll("*")]) {
        el.setAttribute("elementtiming", "bench-first");
      }
    }
  };
  new MutationObserver(mark).observe(document, {childList: true, subtree: true});
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.identifier === "bench-first" && window.__benchPainted === undefined) {
        window.__benchPainted = entry.renderTime || entry.loadTime;
        console.debug(`bench:painted ${window.__benchPainted}`);
      }
    }
  }).observe({type: "element", buffered: true});
})();
"""
FIRST_MESSAGE = "bench:first "
PAINTED_MESSAGE = "bench:painted "
PAINT_TIMEOUT_SECONDS = 2.0


@dataclass
class Load:
    first_ms: float | None  # navigation start → first result element; None: no result shown
    painted_ms: float | None  # navigation start → its text first on screen; None: not seen
    bytes: int  # bytes sent by the server, by the rule above
    requests: int
    results: int  # result elements in the DOM when the network settled
    heap: int  # JS heap used after the results, bytes
    urls: list[str] = field(default_factory=list)


@dataclass
class QueryResult:
    query: str
    fresh: Load
    warm: Load


def shared_stylesheets(site: Path) -> set[str]:
    """Site paths of the stylesheets the home page links: every page has them already."""
    home = site / "index.html"
    if not home.exists():
        return set()
    html = home.read_text(encoding="utf-8", errors="replace")
    out = set()
    for tag in re.findall(r"<link\b[^>]*>", html):
        if "stylesheet" in tag:
            href = re.search(r'href="([^"]+)"', tag)
            if href:
                out.add(urllib.parse.urljoin("/", href.group(1)))
    return out


def _counted(sent: list[tuple[str, int]], shared: set[str]) -> list[tuple[str, int]]:
    """The rule: everything but the search page itself and the site-wide stylesheets."""
    out = []
    for path, size in sent:
        bare = urllib.parse.urlsplit(path).path
        if bare in ("/search/", "/search/index.html") or bare in shared or bare == "/favicon.ico":
            continue
        out.append((bare, size))
    return out


def _load(page, cdp, traffic: Traffic, url: str, selector: str, shared: set[str],
          painted: list[float]) -> Load:
    traffic.reset()
    painted.clear()
    first = None
    try:
        with page.expect_console_message(lambda m: m.text.startswith(FIRST_MESSAGE),
                                         timeout=RESULT_TIMEOUT_MS) as message:
            page.goto(url, wait_until="commit")
        first = float(message.value.text.removeprefix(FIRST_MESSAGE))
    except Exception:  # no result shown in time counts as no result
        first = None
    settle_until = time.perf_counter() + 5.0
    while time.perf_counter() < settle_until:
        page.wait_for_timeout(50)
        if traffic.idle_for() >= IDLE_SECONDS:
            break
    paint_until = time.perf_counter() + PAINT_TIMEOUT_SECONDS
    while first is not None and not painted and time.perf_counter() < paint_until:
        page.wait_for_timeout(50)
    results = int(page.evaluate("(s) => document.querySelectorAll(s).length", selector))
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    with traffic.lock:
        counted = _counted(traffic.sent, shared)
    return Load(first_ms=first, painted_ms=painted[0] if painted else None,
                bytes=sum(n for _, n in counted), requests=len(counted),
                results=results, heap=int(metrics.get("JSHeapUsedSize", 0)),
                urls=[f"{p} {n}" for p, n in counted])


def measure_queries(site: Path, queries: list[str], selector: str, *,
                    keep_alive: bool = True) -> list[QueryResult]:
    """Serve ``site`` and load /search/?q=… for each query, fresh then warm."""
    from playwright.sync_api import sync_playwright

    server, base, traffic = serve(site, keep_alive=keep_alive)
    shared = shared_stylesheets(site)
    out: list[QueryResult] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                for query in queries:
                    url = f"{base}search/?q={urllib.parse.quote(query)}"
                    context = browser.new_context()
                    page = context.new_page()
                    cdp = context.new_cdp_session(page)
                    cdp.send("Performance.enable")
                    page.add_init_script(_OBSERVER % _js_string(selector))
                    painted: list[float] = []
                    page.on("console", lambda m, painted=painted: painted.append(
                        float(m.text.removeprefix(PAINTED_MESSAGE)))
                        if m.text.startswith(PAINTED_MESSAGE) else None)
                    fresh = _load(page, cdp, traffic, url, selector, shared, painted)
                    warm = _load(page, cdp, traffic, url, selector, shared, painted)
                    out.append(QueryResult(query, fresh, warm))
                    context.close()
            finally:
                browser.close()
    finally:
        server.shutdown()
    return out


def _js_string(text: str) -> str:
    return json.dumps(text)


def browser_version() -> str:
    if unavailable():
        return "n/a"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            return b.version
        finally:
            b.close()

