"""Shared fixtures: a copy of the small fixture site, a built site, a static server, Chromium."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE_BULLETINS = REPO / "content" / "bulletins"  # the five real pages bundled with the archive
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]


def make_site(tmp_path: Path, content: Path | None = FIXTURES / "site") -> Path:
    """A project folder in tmp: fixture config and content, the repo's real templates."""
    site = tmp_path / "site"
    if content is not None:
        shutil.copytree(content, site)
    else:
        site.mkdir()
        shutil.copy(REPO / "config.yaml", site / "config.yaml")
    shutil.copytree(REPO / "templates", site / "templates", dirs_exist_ok=True)
    return site


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    return make_site(tmp_path)


@pytest.fixture
def built_site(site_dir: Path) -> Path:
    from site_builder.build import build_site
    from site_builder.config import load_config

    report = build_site(load_config(site_dir / "config.yaml"), quiet=True)
    assert report.ok, report.diagnostics
    return site_dir / "output"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve_directory(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve a folder on 127.0.0.1 on a free port, in a daemon thread."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@contextlib.contextmanager
def built_and_served(root: Path) -> Iterator[tuple[str, object]]:
    """Build the project at ``root`` and serve its output: (site URL, its open SearchIndex,
    which gives the CLI's answers to compare the page with)."""
    from site_builder.build import build_site
    from site_builder.config import load_config
    from site_builder.search import SearchIndex

    config = load_config(root / "config.yaml")
    report = build_site(config, quiet=True)
    assert report.ok, report.diagnostics
    server, url = serve_directory(root / "output")
    index = SearchIndex(config.root)
    try:
        yield url, index
    finally:
        index.close()
        server.shutdown()


@pytest.fixture
def static_server(built_site: Path) -> Iterator[str]:
    server, url = serve_directory(built_site)
    yield url
    server.shutdown()


def _browser_unavailable() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def chromium_browser():
    """Headless Debian Chromium driven by Playwright; skips loudly when absent.

    With SITE_BUILDER_REQUIRE_BROWSER=1 (set by .ci/run) a missing browser fails instead.
    """
    reason = _browser_unavailable()
    if reason:
        if os.environ.get("SITE_BUILDER_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser required but unavailable: {reason}")
        pytest.skip(f"BROWSER TESTS SKIPPED: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
