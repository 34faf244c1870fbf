"""``site-builder search``: query the index the last build wrote, through Whoosh (engine.py),
and print the hits (or JSON)."""

from __future__ import annotations

import json
import os
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from ..errors import printable
from .reader import StaleIndex


def search_command(root: str | Path, query: str, *, limit: int = 10, page: int = 1,
                   sort: str = "relevance", as_json: bool = False) -> int:
    """Print ranked hits for ``query``; exit code 0 (hits or none), 2 (no index, or a
    filter that cannot apply: a place, year, date or kind the archive does not have)."""
    with _no_network_stack_for_whoosh():
        from .engine import SearchIndex
    try:
        index = SearchIndex(root)
    except StaleIndex as error:
        click.echo(str(error), err=True)
        return 2
    try:
        results = index.search(query, limit=max(limit, 0), page=max(page, 1), sort=sort)
    finally:
        index.close()
    for problem in results.problems:
        click.echo(printable(problem), err=True)
    if results.problems:
        return 2
    if as_json:
        click.echo(json.dumps([h.as_json() for h in results.hits], ensure_ascii=False,
                              indent=2))
        return 0
    if results.empty:
        click.echo("nothing to search for: type a word, a \"phrase\", or region:/year:",
                   err=True)
        return 0
    if not results.total:
        click.echo("no results. Try fewer words, a shorter word, or drop region:/year:.")
        return 0
    first = (max(page, 1) - 1) * limit
    shown = (f", showing {first + 1}–{first + len(results.hits)}" if results.hits
             else " (none shown: --limit 0)" if limit <= 0 else ", none on this page")
    if results.hits and first == 0 and len(results.hits) == results.total:
        shown = ""
    click.echo(f"{results.total} result{'s' if results.total != 1 else ''}{shown}")
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    for number, hit in enumerate(results.hits, first + 1):
        click.echo("")
        click.echo(f"{number}. " + _marked(hit.title, hit.title_highlights, color, bold=True))
        when = hit.date or str(hit.year)
        click.echo(printable(f"   {hit.region} · {when} · {hit.url}"))
        if hit.only:
            where = "title" if hit.only == "title" else "tags or other fields"
            click.echo(f"   (the words are only in the {where})")
        click.echo("   " + _marked(hit.snippet, hit.highlights, color))
    return 0


@contextmanager
def _no_network_stack_for_whoosh() -> Iterator[None]:
    """While Whoosh is first imported, ``urllib.request`` is a stand-in: whoosh.compat
    imports it only to re-export urlretrieve, which Whoosh never calls, and the real module
    brings http.client, email and ssl, the largest single part of a query's imports."""
    if "whoosh.compat" in sys.modules or "urllib.request" in sys.modules:
        yield
        return
    stand_in = types.ModuleType("urllib.request")
    stand_in.urlretrieve = _urlretrieve  # type: ignore[attr-defined]
    sys.modules["urllib.request"] = stand_in
    try:
        yield
    finally:
        if sys.modules.get("urllib.request") is stand_in:
            del sys.modules["urllib.request"]  # a later import gets the real module


def _urlretrieve(*args, **kwargs):
    """whoosh.compat.urlretrieve: the real one, imported when called."""
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


def _marked(text: str, marks: list[tuple[int, int]], color: bool, bold: bool = False) -> str:
    """Highlight spans: yellow on a terminal, 【brackets】 otherwise; control characters
    of the article's text are shown escaped, never sent to the terminal."""
    out, last = [], 0
    for a, b in marks:
        out.append(printable(text[last:a]))
        piece = printable(text[a:b])
        out.append(click.style(piece, fg="yellow", bold=True) if color else f"【{piece}】")
        last = b
    out.append(printable(text[last:]))
    line = "".join(out)
    return click.style(line, bold=True) if (bold and color) else line


__all__ = ["search_command"]
