"""Render stage: the output plan through jinja2 templates, feeds and static files, to disk."""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2

from ..archive import Archive
from ..config import Config
from ..errors import Diagnostic, SiteError, display_path
from .feeds import atom_feed, robots, sitemap
from .plan import Page, plan_site

__all__ = ["Page", "make_environment", "plan_site", "render_pages", "write_extras"]

STATIC_DIR = "static"


def make_environment(config: Config) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(config.templates_dir)),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["zh_date"] = zh_date
    return env


def zh_date(article) -> str:
    """2024-02-07 → 2024年2月7日; a year-only article shows just 2024年."""
    if article.date is None:
        return f"{article.year}年"
    d = article.date
    return f"{d.year}年{d.month}月{d.day}日"


def root_prefix(url: str) -> str:
    """Relative path from a page back to the site root: 'regions/jiangsu/' → '../../'."""
    return "../" * url.count("/")


def render_pages(pages: list[Page], env: jinja2.Environment, archive: Archive, config: Config,
                 out_dir: Path) -> None:
    """Write every planned page; a template error names the template file and line."""
    common = {"site": config, "archive": archive}
    for page in pages:
        root = root_prefix(page.url)
        if page.url == "404.html":  # served at any depth: links must not be relative
            root = config.base_url.rstrip("/") + "/" if config.base_url else "/"
        context = {**common, **page.context, "page_url": page.url, "root": root}
        try:
            html = env.get_template(page.template).render(context)
        except jinja2.TemplateSyntaxError as exc:
            raise SiteError(Diagnostic(_template_path(config, exc.name), exc.lineno,
                                       f"template syntax: {exc.message}")) from exc
        except jinja2.TemplateNotFound as exc:
            raise SiteError(Diagnostic(display_path(config.templates_dir), None,
                                       f"template not found: {exc.name}")) from exc
        except (jinja2.UndefinedError, TypeError, AttributeError) as exc:
            raise SiteError(Diagnostic(_template_path(config, page.template), _template_line(exc),
                                       f"while rendering /{page.url}: {exc}")) from exc
        target = out_dir / page.file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")


def write_extras(pages: list[Page], archive: Archive, config: Config, out_dir: Path) -> None:
    """Feeds, sitemap, robots.txt and the static assets."""
    (out_dir / "feed.xml").write_bytes(atom_feed(config, archive.articles, "feed.xml", config.title))
    if config.feeds.per_province:
        for node in archive.provinces:
            url = f"{node.url}feed.xml"
            title = f"{config.title} · {node.region.name}"
            (out_dir / url).parent.mkdir(parents=True, exist_ok=True)
            (out_dir / url).write_bytes(atom_feed(config, node.articles, url, title))
    listed = [p.url for p in pages if not p.url.endswith(".html")]
    (out_dir / "sitemap.xml").write_bytes(sitemap(config, listed))
    (out_dir / "robots.txt").write_bytes(robots(config))
    static = config.templates_dir / STATIC_DIR
    if static.is_dir():
        shutil.copytree(static, out_dir / STATIC_DIR, dirs_exist_ok=True)


def _template_path(config: Config, name: str | None) -> str:
    return display_path(config.templates_dir / (name or "?"), config.root)


def _template_line(exc: BaseException) -> int | None:
    """The template line of the innermost frame that belongs to a template."""
    tb, line = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".html"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
