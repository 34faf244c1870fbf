"""``site-builder check``: every content problem, without building, in a format for people or CI.

Front-matter syntax, fields, dates, regions and duplicate URLs come from the content stage's own
loader, so ``check`` and ``build`` can never disagree about them. This module adds what only a
whole-site view shows: links between pages that the build will not produce, links to article
source files instead of pages, and images that are not in ``content/``.
"""

from __future__ import annotations

import json
import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import click

from . import terminal
from .archive import build_archive
from .config import Config
from .content import Article, load_library
from .content.bulletins import load_bulletins
from .content.frontmatter import FrontMatterError, split_front_matter
from .content.loader import article_files
from .errors import Diagnostic, display_path, printable
from .render import STATIC_DIR, plan_site
from .render.media import IMAGE_SUFFIXES
from .theme import theme_files

# Files the build writes besides the planned pages (see render.write_extras).
EXTRA_FILES = ("feed.xml", "sitemap.xml", "robots.txt")


def check_site(config: Config, *, fmt: str, strict: bool) -> int:
    """Print every finding in ``fmt`` (text, json or github); 1 when there are errors, else 0."""
    findings = collect_findings(config)
    if strict:
        findings = [_as_error(d) for d in findings]
    click.echo(format_findings(findings, fmt), nl=False)
    errors = sum(d.severity == "error" for d in findings)
    warnings = len(findings) - errors
    terminal.info(f"checked {len(article_files(config.content_dir))} article files: {errors} "
                  f"error(s), {warnings} warning(s)", err=True)
    return 1 if errors else 0


def collect_findings(config: Config) -> list[Diagnostic]:
    """All problems in the content folder, sorted by file and line."""
    library = load_library(config.content_dir, project_root=config.root,
                           trusted_html=config.trusted_html)
    bulletins, bulletin_problems = load_bulletins(config.content_dir, config.root)
    findings = [*library.diagnostics, *bulletin_problems]
    archive = build_archive(library.articles)
    targets = site_targets(config, {p.url for p in plan_site(archive, bulletins, config)})
    sources = {(config.root / a.source_path).resolve(): a for a in library.articles}
    for article in library.articles:
        findings.extend(check_references(article, config, targets, sources))
    return sorted(set(findings), key=lambda d: (d.path, d.line or 0, d.col or 0, d.message))


def site_targets(config: Config, page_urls: set[str]) -> set[str]:
    """Every site-relative path a link may point at: pages (with and without index.html),
    feeds and the static assets copied from ``templates/static``."""
    targets = set(EXTRA_FILES)
    for url in page_urls:
        targets.add(url)
        if url.endswith("/") or url == "":
            targets.add(f"{url}index.html")
            if url:
                targets.add(url.rstrip("/"))
        if url.startswith("regions/") and url.count("/") == 2:  # province feeds
            targets.add(f"{url}feed.xml")
    targets.update(f"{STATIC_DIR}/{name}" for name in theme_files(config, STATIC_DIR))
    return targets


class _References(HTMLParser):
    """Link targets and image sources of an article body, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []  # ("link" | "image", url)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"a": ("link", "href"), "img": ("image", "src")}.get(tag)
        if wanted:
            value = dict(attrs).get(wanted[1])
            if value:
                self.found.append((wanted[0], value))


def check_references(article: Article, config: Config, targets: set[str],
                     sources: dict[Path, Article]) -> list[Diagnostic]:
    """Broken internal links and missing images of one article."""
    parser = _References()
    parser.feed(article.body_html)
    parser.close()
    source = config.root / article.source_path
    locate = _Locator(source)
    problems = []
    for kind, url in parser.found:
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path:
            continue  # external, mailto: or a link within the page
        path = unquote(parts.path)
        if kind == "image":
            message = _missing_image(path, source, config)
        else:
            message = _broken_link(path, article, source, targets, sources)
        if message:
            line, col = locate(url)
            problems.append(Diagnostic(article.source_path, line, message, col=col))
    return problems


def _missing_image(path: str, source: Path, config: Config) -> str | None:
    """Images are relative to the article file; a leading '/' means the content folder."""
    content = config.content_dir.resolve()
    base = content if path.startswith("/") else source.parent.resolve()
    target = (base / path.lstrip("/")).resolve()
    if not target.is_relative_to(content):
        return f"image '{path}' is outside the content folder; put it under content/"
    if target.suffix.lower().lstrip(".") not in IMAGE_SUFFIXES:
        return (f"'{path}' is not an image ({', '.join(sorted(IMAGE_SUFFIXES))}): "
                "it is not published")
    if not target.is_file():
        return f"missing image '{path}' (looked for {display_path(target, config.root)})"
    return None


def _broken_link(path: str, article: Article, source: Path, targets: set[str],
                 sources: dict[Path, Article]) -> str | None:
    if path.endswith(".md"):
        target = (source.parent / path).resolve()
        linked = sources.get(target)
        if linked is not None:
            return (f"link '{path}' points at an article's source file; link to its page "
                    f"instead: '{relative_url(article.url, linked.url)}'")
        return f"broken link '{path}': no such article file"
    site_path = _resolve(article.url, path)
    if site_path is None:
        return f"broken link '{path}': it climbs above the site root"
    if site_path in targets:
        return None
    name = posixpath.basename(site_path.rstrip("/"))
    likely = sorted(a.url for a in sources.values() if a.url.rstrip("/").endswith("/" + name))
    hint = f"; did you mean '{relative_url(article.url, likely[0])}'?" if likely else ""
    return f"broken link '{path}': the site has no page /{site_path}{hint}"


def _resolve(page_url: str, href: str) -> str | None:
    """Site-relative path a browser on ``page_url`` reaches through ``href``; None above root."""
    if href.startswith("/"):
        joined = href.lstrip("/")
    else:
        joined = posixpath.join(page_url, href)
        if posixpath.normpath(joined).startswith(".."):
            return None
    trailing = "/" if href.endswith("/") and joined.strip("/") else ""
    normal = posixpath.normpath(joined)
    return "" if normal == "." else normal + trailing


def relative_url(from_url: str, to_url: str) -> str:
    """Shortest relative link between two directory-style pages: works under any base URL."""
    rel = posixpath.relpath(to_url or ".", from_url or ".")
    return "./" if rel == "." else rel + ("/" if to_url in ("", "/") or to_url.endswith("/") else "")


class _Locator:
    """Line and column of a URL as written in the markdown body (body start when not found)."""

    def __init__(self, source: Path) -> None:
        try:
            fm = split_front_matter(source.read_text(encoding="utf-8-sig").replace("\r\n", "\n"))
            self.body, self.first = fm.body, fm.body_line
        except (OSError, UnicodeDecodeError, FrontMatterError):
            self.body, self.first = "", 1

    def __call__(self, url: str) -> tuple[int, int]:
        for form in (url, url.replace("&", "&amp;"), unquote(url)):
            at = self.body.find(form)
            if at >= 0:
                line_start = self.body.rfind("\n", 0, at) + 1
                return self.first + self.body.count("\n", 0, at), at - line_start + 1
        return self.first, 1


def _as_error(d: Diagnostic) -> Diagnostic:
    return Diagnostic(d.path, d.line, d.message, d.col, "error")


def format_findings(findings: list[Diagnostic], fmt: str) -> str:
    """``text``: path:line:col: severity: message; ``json``: a list; ``github``: annotations."""
    if fmt == "json":
        rows = [{"path": d.path, "line": d.line or 1, "col": d.col or 1,
                 "severity": d.severity, "message": d.message} for d in findings]
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    lines = []
    for d in findings:
        line, col = d.line or 1, d.col or 1
        if fmt == "github":
            props = ",".join(f"{k}={_escape_property(str(v))}"
                             for k, v in (("file", d.path), ("line", line), ("col", col)))
            lines.append(f"::{d.severity} {props}::{_escape_data(d.message)}")
        else:
            lines.append(f"{d.path}:{line}:{col}: {d.severity}: {d.message}")
    return "".join(f"{printable(line)}\n" for line in lines)


def _escape_data(text: str) -> str:
    """GitHub workflow-command escaping for a message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """GitHub workflow-command escaping for a property value (file=, line=, ...)."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
