"""``site-builder search``: query the index written by the last build."""

from __future__ import annotations

import json
import sys

import click

from ..config import Config
from .engine import Hit, SearchIndex
from .indexer import browser_dir, open_index


def search_command(config: Config, query: str, *, region: str | None = None,
                   year: int | None = None, kind: str | None = None, limit: int = 10,
                   as_json: bool = False) -> int:
    """Print ranked hits for ``query``; exit code 0 (hits or none), 2 (no index)."""
    ix = open_index(config)
    folder = browser_dir(config)
    if ix is None or not (folder / "manifest.json").exists():
        click.echo("no search index: run site-builder build first", err=True)
        return 2
    index = SearchIndex(ix, folder)
    try:
        filters = {"region": region, "year": str(year) if year else None, "kind": kind}
        results = index.search(query, limit=max(limit, 0),
                               filters={k: v for k, v in filters.items() if v})
    finally:
        index.close()
    if as_json:
        click.echo(json.dumps([h.as_json() for h in results.hits], ensure_ascii=False,
                              indent=2))
        return 0
    if not results.query.groups and not results.query.filters:
        click.echo("nothing to search for: type a word, a \"phrase\", or region:/year:", err=True)
        return 0
    if not results.hits:
        click.echo("no results. Try fewer words, a shorter word, or drop region:/year:.")
        return 0
    color = sys.stdout.isatty()
    click.echo(f"{results.total} result{'s' if results.total != 1 else ''}"
               f"{f', showing {len(results.hits)}' if results.total > len(results.hits) else ''}")
    for number, hit in enumerate(results.hits, 1):
        click.echo("")
        click.echo(f"{number}. " + _marked(hit.title, hit.title_highlights, color, bold=True))
        when = hit.date or str(hit.year)
        click.echo(f"   {hit.region} · {when} · {hit.url}")
        click.echo("   " + _marked(hit.snippet, hit.highlights, color))
    return 0


def _marked(text: str, marks: list[tuple[int, int]], color: bool, bold: bool = False) -> str:
    """Highlight spans: reverse video on a terminal, 【brackets】 in a pipe."""
    out, last = [], 0
    for a, b in marks:
        out.append(text[last:a])
        piece = text[a:b]
        out.append(click.style(piece, fg="yellow", bold=True) if color else f"【{piece}】")
        last = b
    out.append(text[last:])
    line = "".join(out)
    return click.style(line, bold=True) if (bold and color) else line


__all__ = ["Hit", "search_command"]
