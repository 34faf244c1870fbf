"""The dev server under attack and under load, on loopback only.

Traversal: every way of naming a file outside output/ gets a 404 (tests/test_serve.py checks a
few; this is the wider corpus). Load: concurrent keep-alive clients for a bounded time and
count while an article is edited, so a rebuild and swap happen mid-load; no request may fail
and the server's memory must not grow. CI runs 20 clients for 8 s; SITE_BUILDER_LONG=1 runs
the issue's 50 clients for 20 s.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from conftest import make_site
from hostile.scale import LONG
from served import Served

CLIENTS, SECONDS = (50, 20.0) if LONG else (20, 8.0)
MAX_REQUESTS_PER_CLIENT = 20_000  # a hard bound besides the time
LOOPBACK = "127.0.0.1"
SECRET = "NOT-FOR-THE-WEB-5d1c"
URLS = ["/", "/regions/", "/years/", "/tags/", "/articles/2024/wuxi-songwennuan/",
        "/articles/2024/jiangyin-zhaopin/", "/regions/jiangsu/wuxi/", "/static/style.css",
        "/feed.xml", "/sitemap.xml", "/404.html"]
TRAVERSALS = [
    "/../secret.txt", "/..%2fsecret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt",
    "/%2e%2e%2fsecret.txt", "/.%2e/secret.txt", "/%252e%252e/secret.txt",
    "/static/../../secret.txt", "/static/%2e%2e/%2e%2e/secret.txt", "/..\\secret.txt",
    "/..%5csecret.txt", "/..;/secret.txt",
    "//etc/passwd", "/%2fetc%2fpasswd", "/etc/passwd", "/./../secret.txt",
    "/index.html%00.txt", "/%00", "/secret.txt%00", "/static/style.css%00.html",
    "/outside-link/secret.txt", "/link.txt", "/linked-dir/secret.txt",
    "/" + "../" * 30 + "etc/passwd", "/" + "%2e%2e/" * 30 + "etc/passwd",
    "/.site-builder/build.lock", "/../config.yaml", "/%2e%2e/content/articles/2024/wuxi-songwennuan.md",
]
ABSOLUTE_FORMS = ["http://example.invalid/", "http://127.0.0.1/../secret.txt"]
MALFORMED = ["/%c0%ae%c0%ae/secret.txt", "/%ff%fe/secret.txt"]  # not UTF-8: 400 is right too


class Server(Served):
    """A running ``site-builder serve`` on loopback, with raw requests and its memory."""

    def __init__(self, site: Path, *args: str) -> None:
        super().__init__(site, "--host", LOOPBACK, *args)

    def raw(self, path: str) -> tuple[int, bytes]:
        """A request with the path sent exactly as written."""
        conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=10)
        try:
            conn.putrequest("GET", path, skip_accept_encoding=True)
            conn.endheaders()
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def rss(self) -> int:
        return psutil.Process(self.proc.pid).memory_info().rss


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = make_site(tmp_path)
    (site / "secret.txt").write_text(SECRET, encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
    return site


@pytest.fixture
def server(site: Path) -> Iterator[Server]:
    running = Server(site)
    yield running
    running.stop()


def test_every_path_out_of_output_is_a_404(server, site):
    out = site / "output"
    (out / "link.txt").symlink_to(site / "secret.txt")
    (out / "linked-dir").symlink_to(site.parent / "outside", target_is_directory=True)
    (out / "outside-link").symlink_to(site, target_is_directory=True)
    assert server.raw("/static/style.css")[0] == 200
    wrong = {}
    for path in TRAVERSALS:
        status, body = server.raw(path)
        if status != 404 or SECRET.encode() in body:
            wrong[path] = status
    assert wrong == {}, f"{len(wrong)} of {len(TRAVERSALS)} paths not a 404"
    for path in MALFORMED:
        status, body = server.raw(path)
        assert status in (400, 404) and SECRET.encode() not in body, (path, status)
    for form in ABSOLUTE_FORMS:  # absolute-form request targets name no file outside either
        status, body = server.raw(form)
        assert SECRET.encode() not in body and status in (200, 400, 404), (form, status)


def test_a_raw_nul_or_garbage_request_does_not_hurt_the_server(server):
    for junk in (b"GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n", b"\x00\x01\x02\r\n\r\n",
                 b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"):
        with socket.create_connection((LOOPBACK, server.port), timeout=10) as s:
            s.sendall(junk)
            s.settimeout(10)
            try:
                reply = s.recv(200)
            except (ConnectionResetError, TimeoutError):
                reply = b""
        assert SECRET.encode() not in reply
    assert server.raw("/")[0] == 200 and server.proc.poll() is None


def _client(port: int, stop_at: float, counts: Counter, errors: list, lock: threading.Lock,
            index: int) -> None:
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=15)
    done = 0
    while time.monotonic() < stop_at and done < MAX_REQUESTS_PER_CLIENT:
        url = URLS[(index + done) % len(URLS)]
        try:
            conn.request("GET", url)
            response = conn.getresponse()
            body = response.read()
            ok = response.status == 200 and (not url.endswith("/") or body.rstrip().endswith(
                b"</html>"))
            if not ok:
                with lock:
                    errors.append((url, response.status, len(body)))
        except (OSError, http.client.HTTPException) as exc:
            with lock:
                errors.append((url, type(exc).__name__, str(exc)))
            conn.close()
            conn = http.client.HTTPConnection(LOOPBACK, port, timeout=15)
        done += 1
    conn.close()
    with lock:
        counts["requests"] += done


def load(port: int, seconds: float, clients: int, during=None) -> tuple[int, list]:
    counts: Counter = Counter()
    errors: list = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    threads = [threading.Thread(target=_client, args=(port, stop_at, counts, errors, lock, i))
               for i in range(clients)]
    for t in threads:
        t.start()
    if during:
        during()
    for t in threads:
        t.join(timeout=seconds + 60)
    assert not any(t.is_alive() for t in threads), "a client hung"
    return counts["requests"], errors


def wait_for_text(server: Server, path: str, text: str, deadline: float = 60) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        status, body = server.raw(path)
        if status == 200 and text.encode() in body:
            return
        time.sleep(0.1)
    raise AssertionError(f"{path} never showed {text!r}:\n{server.output()}")


@pytest.mark.slow
def test_load_with_a_rebuild_in_the_middle(server, site):
    article = site / "content/articles/2024/wuxi-songwennuan.md"
    original = article.read_text(encoding="utf-8")

    def edit(title: str) -> None:
        article.write_text(original.replace("无锡市总工会冬日暖“新”服务活动", title), encoding="utf-8")

    # Warm up: a first rebuild under load, so caches and pools exist before memory is measured.
    warm, warm_errors = load(server.port, 3, CLIENTS // 2,
                             during=lambda: (time.sleep(0.5), edit("第一次改动的标题")))
    wait_for_text(server, "/articles/2024/wuxi-songwennuan/", "第一次改动的标题")
    assert warm_errors == []
    before = server.rss()

    def change_midway() -> None:
        time.sleep(SECONDS / 3)
        edit("负载中改动的标题")

    served, errors = load(server.port, SECONDS, CLIENTS, during=change_midway)
    wait_for_text(server, "/articles/2024/wuxi-songwennuan/", "负载中改动的标题")
    after = server.rss()
    print(f"\nload: {CLIENTS} clients, {SECONDS} s, {served + warm} requests, {len(errors)} errors, "
          f"rss {before / 2**20:.1f} -> {after / 2**20:.1f} MiB")
    assert errors == [], errors[:10]
    assert served > CLIENTS * 10
    assert "rebuilt" in server.output()
    assert after - before < 40 * 2**20, f"memory grew {(after - before) / 2**20:.1f} MiB"


def _status_with(server: Server, path: str, headers: dict[str, str]) -> int:
    conn = http.client.HTTPConnection(LOOPBACK, server.port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        return conn.getresponse().status
    finally:
        conn.close()


def test_only_loopback_host_names_are_answered(server):
    """DNS rebinding: a page on another site whose name now resolves to 127.0.0.1 sends its
    own name as the Host; it must not read the preview (a --drafts one holds unpublished text)."""
    for host in ("127.0.0.1", f"127.0.0.1:{server.port}", f"localhost:{server.port}",
                 "LOCALHOST", f"[::1]:{server.port}", "preview.localhost"):
        assert _status_with(server, "/", {"Host": host}) == 200, host
    for host in ("evil.example", f"evil.example:{server.port}", "127.0.0.1.evil.example",
                 "localhost.evil.example", "10.0.0.5"):
        assert _status_with(server, "/", {"Host": host}) == 404, host
        assert _status_with(server, "/articles/2024/wuxi-songwennuan/", {"Host": host}) == 404


SOCKET = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
          "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}


def test_the_reload_socket_opens_only_from_the_server_s_own_pages(server):
    own = f"127.0.0.1:{server.port}"
    assert _status_with(server, "/livereload",
                        {"Host": own, "Origin": f"http://{own}", **SOCKET}) == 101
    for origin in ("http://evil.example", f"http://evil.example:{server.port}",
                   f"http://localhost:{server.port}", "null"):
        assert _status_with(server, "/livereload", {"Host": own, "Origin": origin, **SOCKET}) == 403
