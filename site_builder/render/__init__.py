"""Render stage: the output plan through jinja2 templates, feeds and static files, to disk."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import jinja2

from ..archive import Archive
from ..config import Config
from ..content import Article
from ..errors import Diagnostic, SiteError, display_path
from ..fs import link_over, remove_file, replace_file
from ..procs import worker_pool
from ..theme import template_dirs, theme_files
from .feeds import atom_feed, robots, sitemap, sitemap_entries
from .fingerprint import page_fingerprint
from .media import article_media
from .minify import minified
from .plan import SEARCH_URL, Page, plan_site, search_page
from .views import href, page_context, page_view, place, site_view

__all__ = ["SEARCH_URL", "Page", "link_pages", "make_environment", "plan_site",
           "render_page", "render_pages", "search_page", "write_extras"]

STATIC_DIR = "static"


def make_environment(config: Config, bytecode_dir: Path | None = None) -> jinja2.Environment:
    """The templates' environment. ``bytecode_dir``: where compiled templates are kept for
    the next process (jinja2 checks each against its source): compiling them is most of
    what rendering a handful of pages costs a new build process."""
    cache = None
    if bytecode_dir is not None:
        with contextlib.suppress(OSError):
            bytecode_dir.mkdir(parents=True, exist_ok=True)
            cache = jinja2.FileSystemBytecodeCache(str(bytecode_dir))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(config)]),
        bytecode_cache=cache,
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["href"] = href
    env.filters["place"] = place
    return env


def root_prefix(url: str) -> str:
    """Relative path from a page back to the site root: 'regions/jiangsu/' → '../../'."""
    return "../" * url.count("/")


def render_pages(pages: list[Page], env: jinja2.Environment, config: Config, out_dir: Path, *,
                 previous: dict[str, str] | None = None, workers: int = 1,
                 progress: Callable[[int, int], None] | None = None,
                 fingerprints: dict[str, str] | None = None) -> dict[str, str]:
    """Write the pages whose fingerprint changed since ``previous`` (all when None).

    Returns every page's fingerprint (``fingerprints``, when the caller has them). Files
    are replaced, never rewritten in place, so an output folder that shares files with the
    last build (hard links) leaves that build intact.
    A template error names the template file and line.
    """
    if fingerprints is None:
        fingerprints = {page.url: page_fingerprint(page) for page in pages}
    out = str(out_dir)
    todo = [i for i, page in enumerate(pages)
            if previous is None or previous.get(page.url) != fingerprints[page.url]
            or not os.path.exists(f"{out}/{page.file}")]
    global _JOB
    _JOB = (pages, env, config, out_dir)
    parallel = workers > 1 and len(todo) >= PARALLEL_MIN
    size = max(1, len(todo) // (workers * 8)) if parallel else 200
    chunks = [todo[i: i + size] for i in range(0, len(todo), size)]
    done = 0
    try:
        with worker_pool(workers) if parallel else contextlib.nullcontext() as pool:
            results = pool.map(_render_chunk, chunks) if pool else map(_render_chunk, chunks)
            for chunk, error in zip(chunks, results, strict=True):
                if error:
                    raise SiteError(error)
                done += len(chunk)
                if progress:
                    progress(done, len(todo))
    finally:
        _JOB = None
    if previous:
        for gone in sorted(set(previous) - set(fingerprints)):
            remove_file(out_dir, Page(gone, "").file)
    return fingerprints


PARALLEL_MIN = 400  # pages; fewer render faster than processes start
LINK_MIN = 32  # pages due before reading the source copy's fingerprints is worth its cost


def link_pages(pages: list[Page], fingerprints: dict[str, str], previous: dict[str, str],
               out_dir: Path, source: Path, source_fingerprints: Callable[[], dict[str, str] | None],
               *, least: int | None = None) -> tuple[dict[str, str], int]:
    """Bring pages due in ``out_dir`` (their fingerprint differs from ``previous``) from
    another copy of the site that holds them as they would be rendered: hard links, each
    renamed over the old file, never written into. Returns ``previous`` as it now stands,
    for ``render_pages`` to do the rest, and how many were linked.

    After an article is added or removed, the spare copy of the site is behind the live one
    by the pages that build made (~900 at 10k, a second of rendering for the next edit).
    ``source_fingerprints`` (the source copy's fingerprints) is called only when ``least`` (LINK_MIN)
    pages are due."""
    due = [p for p in pages if previous.get(p.url) != fingerprints[p.url]]
    theirs = source_fingerprints() if len(due) >= (LINK_MIN if least is None else least) else None
    if not theirs:
        return previous, 0
    now = dict(previous)
    linked = 0
    made: set[str] = set()
    out, suffix = str(out_dir), f".{os.getpid()}.link"
    for page in due:
        fingerprint = fingerprints[page.url]
        if theirs.get(page.url) != fingerprint:
            continue
        dest = f"{out}/{page.file}"
        folder = os.path.dirname(dest)
        try:
            if folder not in made:
                os.makedirs(folder, exist_ok=True)
                made.add(folder)
            link_over(f"{source}/{page.file}", dest, suffix)
        except OSError:  # gone from the source copy, links refused: rendered instead
            continue
        now[page.url] = fingerprint
        linked += 1
    return now, linked


_JOB: tuple | None = None  # what forked render workers inherit


def _render_chunk(indexes: list[int]) -> list[Diagnostic]:
    """Render pages by index into the output folder; return the diagnostics of a failure."""
    assert _JOB is not None
    pages, env, config, out_dir = _JOB
    made: set[Path] = set()
    for i in indexes:
        page = pages[i]
        try:
            html = render_page(page, env, config)
        except SiteError as exc:
            return exc.diagnostics
        target = out_dir / page.file
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        replace_file(target, html.encode("utf-8"))
    return []


def render_page(page: Page, env: jinja2.Environment, config: Config) -> str:
    root = root_prefix(page.url)
    if page.url == "404.html":  # served at any depth: links must not be relative
        root = config.base_url.rstrip("/") + "/" if config.base_url else "/"
    site = site_view(config)
    context = {**page_context(page.template, page.context, site), "site": site,
               "page": page_view(page.url, root, site), "root": root}
    try:
        return env.get_template(page.template).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise SiteError(Diagnostic(_template_path(config, exc.name), exc.lineno,
                                   f"template syntax: {exc.message}")) from exc
    except jinja2.TemplateNotFound as exc:
        raise SiteError(Diagnostic(display_path(config.templates_dir), None,
                                   f"template not found: {exc.name} (in the project's templates "
                                   "or the default theme)")) from exc
    except (jinja2.UndefinedError, TypeError, AttributeError) as exc:
        file, line = _template_line(exc)
        shown = display_path(file, config.root) if file else _template_path(config, page.template)
        raise SiteError(Diagnostic(shown, line, f"while rendering /{page.url}: {exc}")) from exc


def write_extras(pages: list[Page], archive: Archive, config: Config, out_dir: Path,
                 previous: dict[str, str] | None = None,
                 metadata: Sequence[str] = ()) -> dict[str, str]:
    """Feeds, sitemap, robots.txt and the static assets; returns {path: fingerprint}.

    A feed's or the sitemap's fingerprint is that of what it is made from (the articles it
    shows; the page URLs and ``metadata``, every article's metadata digest, on which each
    page's last-modified date depends), so one that ``previous`` (the same folder's last
    fingerprints) already has is not made again. Other files are fingerprinted by their
    bytes."""
    global _EXTRAS
    site = repr(config.settings())
    made: dict[str, bytes] = {}
    fingerprints: dict[str, str] = {}
    files: dict[str, bytes] = {}

    def generated(path: str, key: tuple, make: Callable[[], bytes]) -> None:
        fingerprint = _digest(repr(key).encode())
        fingerprints[path] = fingerprint
        if previous and previous.get(path) == fingerprint and (out_dir / path).is_file():
            return
        made[fingerprint] = _EXTRAS.get(fingerprint) or make()
        files[path] = made[fingerprint]

    def feed(articles: list[Article], url: str, title: str) -> None:
        shown = tuple((a.url, a.digest) for a in articles[: config.feeds.entries])
        generated(url, (site, "feed", url, title, shown),
                  lambda: atom_feed(config, articles, url, title))

    feed(archive.articles, "feed.xml", config.title)
    rules = site_view(config).feeds
    for node in archive.regions.values():
        if rules.region(node.region):
            feed(node.articles, f"{node.url}feed.xml", f"{config.title} · {node.region.path}")
    if rules.per_tag:
        for tag in archive.tags:
            feed(tag.articles, f"{tag.url}feed.xml", f"{config.title} · 专题：{tag.name}")
    urls = [page.url for page in pages]
    dated = tuple(metadata) or sitemap_entries(pages, archive)  # (the plan's, when given)
    generated("sitemap.xml", (site, "sitemap", urls, dated),
              lambda: sitemap(config, sitemap_entries(pages, archive)))
    _EXTRAS = made
    files["robots.txt"] = robots(config)
    for name, source in theme_files(config, STATIC_DIR).items():
        files[f"{STATIC_DIR}/{name}"] = minified(name, source.read_bytes())
    content = config.content_dir.resolve()
    for target, source in article_media(archive.articles).items():
        path = (content / source).resolve()
        if path.is_relative_to(content) and path.is_file():  # `check` reports missing ones
            files[target] = path.read_bytes()
    for path, data in files.items():
        target = out_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        replace_file(target, data)
        fingerprints.setdefault(path, _digest(data))
    return fingerprints


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


# Feeds and sitemap of the last build in this process, by fingerprint: a long-lived builder
# (the dev server) brings its second copy of the site up to date without making them again.
_EXTRAS: dict[str, bytes] = {}


def _template_path(config: Config, name: str | None) -> str:
    """The file template ``name`` was read from (the project's or the default theme's)."""
    found = [d / name for d in template_dirs(config) if name and (d / name).is_file()]
    return display_path(found[0] if found else config.templates_dir / (name or "?"), config.root)


def _template_line(exc: BaseException) -> tuple[str | None, int | None]:
    """File and line of the innermost frame that belongs to a template (a base or partial too)."""
    tb, file, line = exc.__traceback__, None, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".html"):
            file, line = tb.tb_frame.f_code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    return file, line
