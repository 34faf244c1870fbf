"""A ``site-builder serve`` process for tests: started on a free loopback port, stopped cleanly."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from conftest import REPO


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """A running ``site-builder serve`` and what it printed."""

    def __init__(self, site: Path, *args: str) -> None:
        self.site = site
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = site.parent / f"serve-{self.port}.log"
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
        with self.log.open("w") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "site_builder", "--config", str(site / "config.yaml"),
                 "serve", "--port", str(self.port), *args],
                cwd=site, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"serve exited early:\n{self.output()}"
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"serve never listened:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def get(self, path: str = "") -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as r:
                return r.status, r.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8")

    def raw_status(self, raw_path: str) -> int:
        """Status of a request path sent exactly as written (no client-side normalizing)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("GET", raw_path)
        status = conn.getresponse().status
        conn.close()
        return status

    def wait_for(self, path: str, predicate, deadline: float = 10.0) -> float:
        """Seconds until the page at ``path`` satisfies ``predicate``; fails past the deadline."""
        started = time.monotonic()
        while True:
            status, body = self.get(path)
            if predicate(status, body):
                return time.monotonic() - started
            if time.monotonic() - started > deadline:
                raise AssertionError(f"{path} never changed as expected ({status}):\n"
                                     f"{body[:500]}\n--- serve output ---\n{self.output()}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
