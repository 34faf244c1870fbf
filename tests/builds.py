"""Building a project in a test and checking what it wrote: ``build`` (fails the test on a
failed build), ``digest`` (every file's hash), ``assert_same_as_clean_build`` (an incremental
output equals a build from nothing) and ``broken_links`` (internal links to missing files)."""

from __future__ import annotations

import hashlib
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

from site_builder.build import build_site
from site_builder.config import load_config


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build(site: Path, output: Path | None = None):
    report = build_site(load_config(site / "config.yaml"), output=output, quiet=True)
    assert report.ok, report.diagnostics
    return report


def assert_same_as_clean_build(site: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean-output"
    shutil.rmtree(clean, ignore_errors=True)
    shutil.rmtree(site / ".site-builder", ignore_errors=True)  # no caches, no manifest
    build(site, clean)
    assert digest(site / "output") == digest(clean)


class Links(HTMLParser):
    """The href and src values of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def parse(path: Path) -> Links:
    p = Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def broken_links(built_site: Path) -> tuple[list[str], int]:
    """(links to files that do not exist, number of internal links checked)."""
    checked, broken = 0, []
    for html in built_site.rglob("*.html"):
        if html.name == "404.html":
            continue  # root-absolute links, served at any depth
        base = "http://site/" + html.relative_to(built_site).as_posix()
        for link in parse(html).links:
            target = urlparse(urljoin(base, link))
            if target.netloc != "site":
                continue
            path = unquote(target.path).lstrip("/")
            file = built_site / path
            if path == "" or path.endswith("/"):
                file = file / "index.html"
            if not file.is_file():
                broken.append(f"{html.relative_to(built_site)} -> {link}")
            checked += 1
    return broken, checked
