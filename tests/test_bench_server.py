"""The benchmark's static server (bench/browser.py) keeps connections alive like real static
hosts, and still counts every response and notices when the page has gone quiet."""

from __future__ import annotations

import http.client
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import browser


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "index.html").write_text("<p>搜索</p>" * 50, encoding="utf-8")
    (tmp_path / "a.json").write_text('{"a": 1}', encoding="utf-8")
    (tmp_path / "b.bin").write_bytes(bytes(range(256)))
    return tmp_path


def get(conn: http.client.HTTPConnection, path: str) -> http.client.HTTPResponse:
    conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
    response = conn.getresponse()
    response.read()
    return response


def test_one_connection_serves_many_requests_each_counted(site):
    server, _, traffic = browser.serve(site)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=5)
        first = get(conn, "/a.json")
        sock = conn.sock
        second = get(conn, "/b.bin")
        third = get(conn, "/search")  # a folder: redirected, on the same connection
        assert (first.status, second.status, third.status) == (200, 200, 301)
        assert first.version == 11 and first.getheader("Content-Encoding") == "gzip"
        assert conn.sock is sock, "the connection was not kept alive"
        time.sleep(0.05)
        with traffic.lock:
            paths = [path for path, _ in traffic.sent]
            sizes = [size for _, size in traffic.sent]
        assert paths == ["/a.json", "/b.bin", "/search"]
        assert sizes[1] > 256 and all(size > 0 for size in sizes)
        # the connection is still open, waiting: that is idle, not a request in progress
        assert traffic.idle_for() > 0
        conn.close()
    finally:
        server.shutdown()


def test_the_old_server_closes_each_connection(site):
    server, _, _ = browser.serve(site, keep_alive=False)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=5)
        response = get(conn, "/a.json")
        assert response.version == 10 and response.will_close
        conn.close()
    finally:
        server.shutdown()


@pytest.mark.browser
def test_first_result_reported_by_the_page_or_none_when_it_never_comes(site, monkeypatch):
    """The measurement waits on the page's own console report, not on a Playwright selector."""
    reason = browser.unavailable()
    if reason:
        if os.environ.get("SITE_BUILDER_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser required but unavailable: {reason}")
        pytest.skip(f"BROWSER TESTS SKIPPED: {reason}")
    (site / "search" / "index.html").write_text(
        '<ol class="hits"><li class="hit">送温暖</li></ol><script src="/late.js"></script>',
        encoding="utf-8")
    (site / "late.js").write_text(
        "setTimeout(() => document.querySelector('.hits').append("
        "Object.assign(document.createElement('li'), {className: 'late', textContent: '晚到'})),"
        " 150);",
        encoding="utf-8")
    monkeypatch.setattr(browser, "RESULT_TIMEOUT_MS", 1500)

    def measure(selector: str) -> list:
        # its own thread: Playwright's sync API refuses a thread where another session's
        # Playwright (the chromium_browser fixture) is running
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(browser.measure_queries, site, ["送温暖"], selector).result()

    (shown,) = measure(".hit")
    assert shown.fresh.first_ms is not None and shown.warm.first_ms is not None
    assert shown.fresh.results == 1 and [u.split()[0] for u in shown.fresh.urls] == ["/late.js"]
    assert shown.fresh.painted_ms is not None and shown.fresh.painted_ms >= shown.fresh.first_ms
    (late,) = measure(".late")
    assert late.fresh.first_ms is not None and late.fresh.first_ms >= 150
    assert late.fresh.painted_ms is not None and late.fresh.painted_ms >= late.fresh.first_ms
    assert late.warm.painted_ms is not None and late.warm.painted_ms >= late.warm.first_ms
    (never,) = measure(".missing")
    assert never.fresh.first_ms is None and never.fresh.results == 0
    assert never.fresh.painted_ms is None
