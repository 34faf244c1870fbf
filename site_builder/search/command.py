"""``site-builder search``: query the index written by the last build.

One process per query, so it reads only what the query needs: the export's shards, and the
hits' fields from the docstore the build wrote (no Whoosh, OpenCC or click unless printing
in colour).
"""

from __future__ import annotations

import os
import sys

from .docstore import BROWSER_DIR, INDEX_DIR, Damaged, open_store
from .engine import Hit, SearchIndex

TYPE_CHECKING = False  # typing itself is not imported: a query process does not need it
if TYPE_CHECKING:
    from pathlib import Path

    from ..config import Config


def search_command(config: Config, query: str, *, region: str | None = None,
                   year: int | None = None, kind: str | None = None, limit: int = 10,
                   as_json: bool = False) -> int:
    """Print ranked hits for ``query``; exit code 0 (hits or none), 2 (no index)."""
    return search_project(config.root, query, region=region, year=year, kind=kind,
                          limit=limit, as_json=as_json)


def search_project(root: str | Path, query: str, *, region: str | None = None,
                   year: int | None = None, kind: str | None = None, limit: int = 10,
                   as_json: bool = False) -> int:
    """search_command for the project in ``root`` (all a query needs of its config; paths
    joined as strings: pathlib's imports would cost a query process more than its work)."""
    where = os.path.join(root, *INDEX_DIR)
    folder = os.path.join(where, BROWSER_DIR)
    try:
        with open(os.path.join(folder, "manifest.json"), "rb") as handle:
            manifest = handle.read()
    except OSError:
        manifest = None
    store = open_store(where, folder, manifest) if manifest is not None else None
    if store is None:
        echo("no search index: run site-builder build first", err=True)
        return 2
    try:
        index = SearchIndex(None, folder, store=store)  # the manifest, parsed, from the store
    except Damaged as error:  # an index of another format version
        echo(str(error), err=True)
        return 2
    try:
        filters = {"region": region, "year": str(year) if year else None, "kind": kind}
        results = index.search(query, limit=max(limit, 0),
                               filters={k: v for k, v in filters.items() if v})
    except Damaged as error:  # the docstore, and no Whoosh index to write it again from
        echo(str(error), err=True)
        return 2
    finally:
        index.close()
    if as_json:
        echo(json_text([h.as_json() for h in results.hits]))
        return 0
    if not results.query.groups and not results.query.filters:
        echo("nothing to search for: type a word, a \"phrase\", or region:/year:", err=True)
        return 0
    if not results.hits:
        echo("no results. Try fewer words, a shorter word, or drop region:/year:.")
        return 0
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")  # https://no-color.org
    echo(f"{results.total} result{'s' if results.total != 1 else ''}"
               f"{f', showing {len(results.hits)}' if results.total > len(results.hits) else ''}")
    for number, hit in enumerate(results.hits, 1):
        echo("")
        echo(f"{number}. " + _marked(hit.title, hit.title_highlights, color, bold=True))
        when = hit.date or str(hit.year)
        echo(f"   {hit.region} · {when} · {hit.url}")
        echo("   " + _marked(hit.snippet, hit.highlights, color))
    return 0


def echo(text: str, err: bool = False) -> None:
    """click.echo for a str (one line, flushed) without importing click, except for text
    with escape codes (click strips them off a terminal) or a stream that cannot encode it."""
    stream = sys.stderr if err else sys.stdout
    if "\x1b" not in text:
        try:
            stream.write(text + "\n")
        except UnicodeEncodeError:  # raised before anything is written
            pass
        else:
            stream.flush()
            return
    import click

    click.echo(text, err=err)


# json.dumps(value, ensure_ascii=False, indent=2), for the values a hit list holds (str, int,
# float, lists, dicts with str keys): json imports re and enum, which would cost a query
# process more than its hits (tests compare the two on arbitrary values).
_ESCAPES = {**{c: f"\\u{c:04x}" for c in range(0x20)}, 0x22: '\\"', 0x5C: "\\\\", 0x08: "\\b",
            0x0C: "\\f", 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"}


def json_text(value: object, indent: str = "") -> str:
    """``value`` as json.dumps(value, ensure_ascii=False, indent=2) writes it."""
    if isinstance(value, str):
        return '"' + value.translate(_ESCAPES) + '"'
    if value is None or value is True or value is False:
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    inner = indent + "  "
    if isinstance(value, dict):
        if not value:
            return "{}"
        if not all(isinstance(k, str) for k in value):
            raise TypeError("json_text writes dicts with str keys only")
        items = [f"{json_text(k)}: {json_text(v, inner)}" for k, v in value.items()]
        return "{\n" + inner + (",\n" + inner).join(items) + "\n" + indent + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        items = [json_text(v, inner) for v in value]
        return "[\n" + inner + (",\n" + inner).join(items) + "\n" + indent + "]"
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _marked(text: str, marks: list[tuple[int, int]], color: bool, bold: bool = False) -> str:
    """Highlight spans: reverse video on a terminal, 【brackets】 in a pipe."""
    if color:
        from click import style
    out, last = [], 0
    for a, b in marks:
        out.append(text[last:a])
        piece = text[a:b]
        out.append(style(piece, fg="yellow", bold=True) if color else f"【{piece}】")
        last = b
    out.append(text[last:])
    line = "".join(out)
    return style(line, bold=True) if (bold and color) else line


__all__ = ["Hit", "search_command"]
