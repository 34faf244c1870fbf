"""The ``site-builder`` command line: thin commands, each calling one stage of the pipeline."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import click

from . import terminal
from .config import CONFIG_NAME, Config, config_root, find_config, load_config
from .errors import SiteError


def _config(ctx: click.Context, **overrides: object) -> Config:
    """The project's configuration (_config_path), read and checked."""
    try:
        return load_config(_config_path(ctx), **overrides)
    except SiteError as exc:
        _fail(exc)


def _project_root(ctx: click.Context) -> Path:
    """The project's folder, for a command that reads only what a build wrote (search): the
    config file is found, not read."""
    try:
        return config_root(_config_path(ctx))
    except SiteError as exc:
        _fail(exc)


def _config_path(ctx: click.Context) -> Path:
    """--config, else the config.yaml of the working folder or the nearest folder above it."""
    path = ctx.obj["config_path"] or find_config()
    if path is None:
        click.echo(f"error: no {CONFIG_NAME} in this folder or any folder above it; run the "
                   "command inside a project, give --config PATH, or start a project with "
                   "`site-builder init`", err=True)
        sys.exit(2)
    ctx.find_root().obj["config_path"] = path  # the file found, for the dev server to watch
    terminal.detail(f"config: {path}")
    return path


def _fail(error: SiteError) -> NoReturn:
    for d in error.diagnostics:
        click.echo(str(d), err=True)
    sys.exit(2)


def verbosity(command: Callable) -> Callable:
    """-q/--quiet and -v/--verbose for a command that prints status lines (terminal.py)."""

    @click.option("-q", "--quiet", is_flag=True, help="Print only problems (and a summary line).")
    @click.option("-v", "--verbose", is_flag=True, help="Also print details (config file, timings).")
    @functools.wraps(command)
    def with_verbosity(*args, quiet: bool, verbose: bool, **kwargs):
        terminal.set_verbosity(quiet=quiet, verbose=verbose)
        return command(*args, **kwargs)

    return with_verbosity


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help=f"Site configuration file [default: {CONFIG_NAME} here or in the nearest "
                   "folder above].")
@click.version_option(package_name="site-builder")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """Build, preview, search and feed the union-campaign news archive."""
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path
    terminal.set_verbosity()  # each command that prints sets its own (the default: normal)
    if not terminal.color_wanted():
        ctx.color = False  # click.echo strips styles; rich reads NO_COLOR itself


@cli.command()
@click.option("--output", type=click.Path(file_okay=False, path_type=Path),
              help="Write the site here instead of the configured output folder.")
@click.option("--strict", is_flag=True, help="Fail on any content warning (for CI).")
@click.option("--drafts", is_flag=True, help="Include articles marked draft: true.")
@click.option("--future", is_flag=True,
              help="Include articles dated after today (otherwise published on their date).")
@click.option("--base-url", help="Absolute URL the site is published under.")
@verbosity
@click.pass_context
def build(ctx: click.Context, output: Path | None, strict: bool, drafts: bool, future: bool,
          base_url: str | None) -> None:
    """Build the static site from content/ into output/."""
    from .build import build_site
    from .procs import settle

    config = _config(ctx, base_url=base_url)
    settle()  # this process ends with the build: what it loads stays until then
    report = build_site(config, output=output, strict=strict, drafts=drafts, future=future,
                        quiet=terminal.verbosity() == terminal.QUIET)
    terminal.detail(f"pages: {report.pages} ({report.rendered} rendered, {report.linked} linked "
                    f"from the live output); site {'planned anew' if report.planned else 'plan reused'}")
    for stage, seconds in report.timings.items():
        terminal.detail(f"  {stage:<10} {seconds:7.3f} s")
    for key, value in sorted(report.search.items()):
        terminal.detail(f"search {key}: {value}")
    sys.exit(0 if report.ok else 1)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--drafts", is_flag=True, help="Include drafts in the preview.")
@click.option("--no-watch", is_flag=True, help="Serve the built site without watching files.")
@verbosity
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, drafts: bool, no_watch: bool) -> None:
    """Build, serve output/ on http://HOST:PORT/ and rebuild when files change."""
    from .serve import serve_site

    serve_site(_config(ctx), host=host, port=port, drafts=drafts, watch=not no_watch)


@cli.command()
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")
@click.option("--force", is_flag=True, help="Overwrite articles an editor has changed.")
@click.option("--report", is_flag=True,
              help="Print the articles found in each bulletin and the weak decisions.")
@click.option("--explain", is_flag=True,
              help="Print the evidence behind each article's title, region, year and authors.")
@verbosity
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], dry_run: bool, force: bool,
           report: bool, explain: bool) -> None:
    """Turn raw bulletin text files (or folders of them) into articles under content/."""
    from .ingest import ingest_paths

    code = ingest_paths(_config(ctx), list(paths), dry_run=dry_run, force=force, report=report,
                        explain=explain)
    sys.exit(code)


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("query", nargs=-1, required=True, type=click.UNPROCESSED)
@click.option("--region", help="Only articles about this place, e.g. 江苏/无锡 (region:).")
@click.option("--year", help="Only articles of this year or years, e.g. 2024 or 2020..2022.")
@click.option("--kind", help="Only articles of this kind (news, feature, ...).")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance",
              show_default=True, help="date: newest first.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(min=0),
              help="Hits per page (0: only the count).")
@click.option("--page", default=1, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="Print hits as a JSON list.")
@click.pass_context
def search(ctx: click.Context, query: tuple[str, ...], region: str | None, year: str | None,
           kind: str | None, sort: str, limit: int, page: int, as_json: bool) -> None:
    """Search the built archive: words are AND-ed; OR, "phrases", -word (excluded),
    title:/author:/tag:, and region:, year:2020..2022, date:2024-02, kind: filters."""
    from .search.command import search_command

    text = " ".join(query)
    for name, value in (("region", region), ("year", year), ("kind", kind)):
        if value:
            text += f' {name}:"{value}"' if " " in value else f" {name}:{value}"
    sys.exit(search_command(_project_root(ctx), text, limit=limit, page=page, sort=sort,
                            as_json=as_json))


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True, help="github prints GitHub Actions annotations.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@verbosity
@click.pass_context
def check(ctx: click.Context, fmt: str, strict: bool) -> None:
    """Validate all content without building; exit 1 on errors."""
    from .check import check_site

    sys.exit(check_site(_config(ctx), fmt=fmt, strict=strict))


@cli.command()
@click.option("--title", required=True, help="The headline.")
@click.option("--region", required=True, help="e.g. 江苏/无锡/江阴, or 全国.")
@click.option("--date", "date_", help="YYYY-MM-DD (default: today).")
@click.option("--tags", help="Comma-separated tags.")
@click.option("--kind", default="news", show_default=True)
@click.pass_context
def new(ctx: click.Context, title: str, region: str, date_: str | None, tags: str | None,
        kind: str) -> None:
    """Write a new article file with valid front-matter and print its path."""
    from .new import new_article

    sys.exit(new_article(_config(ctx), title=title, region=region, date=date_, tags=tags,
                         kind=kind))


@cli.command()
@click.argument("folder", required=False, default=".",
                type=click.Path(file_okay=False, path_type=Path))
@verbosity
def init(folder: Path) -> None:
    """Start a new archive project in FOLDER (default: here); never overwrites a file."""
    from .init import init_project

    sys.exit(init_project(folder))


def main() -> None:
    was_settled = _settled()  # (in a test process, an earlier in-process build did it)
    try:
        cli(obj={})
    except SystemExit as done:
        if not was_settled and _settled():
            _end_settled(done)
        raise


def _settled() -> bool:
    """procs.settled, without importing procs (multiprocessing and ctypes, a noticeable part of
    a search process's start) where no command has: a process that never imported it never settled."""
    procs = sys.modules.get(f"{__package__}.procs")
    return procs is not None and procs.settled()


def _end_settled(done: SystemExit) -> None:
    """End a process whose command settled it (a one-off build: procs.settle) without
    tearing down what it loaded, which is freed with the process anyway (freeing every
    object one by one is work done after the build's own; docs/performance.md). Output is
    flushed first."""
    import os

    code = done.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 1  # as the interpreter: output that could not be written fails
    os._exit(code or 0)
