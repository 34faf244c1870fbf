"""Ingest stage: raw bulletin text files → articles under content/articles/.

Pure steps first (``decode`` → ``repair`` → ``split``/``jumps`` → ``metadata``, assembled by
``cut.cut_bulletin``), file writing last (``write``). ``ingest_paths`` is what the CLI calls.
"""

from __future__ import annotations

from pathlib import Path

import click

from .. import terminal
from ..config import Config
from ..errors import display_path
from .cut import Cut, cut_bulletin
from .decode import DecodeError, decode_bulletin
from .explain import format_explain, format_weak
from .write import Plan, apply, plan

__all__ = ["IngestError", "bulletin_files", "cut_bulletin", "ingest_file", "ingest_paths"]

BULLETIN_SUFFIXES = (".txt", ".text")


class IngestError(Exception):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def bulletin_files(paths: list[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Files named on the command line, and the bulletin files inside named folders."""
    files: list[Path] = []
    problems: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file()
                           and p.suffix.lower() in BULLETIN_SUFFIXES
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            if not found:
                problems.append((path, "folder holds no bulletin (.txt) files"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append((path, "no such file"))
    return list(dict.fromkeys(files)), problems


def ingest_file(config: Config, path: Path) -> tuple[str, Cut]:
    """Read, decode and cut one bulletin; raise IngestError with a reason (and line)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read: {exc.strerror or exc}") from exc
    try:
        text, _encoding = decode_bulletin(raw)
    except DecodeError as exc:
        raise IngestError(exc.message, exc.line) from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    cut = cut_bulletin(text, list(config.ingest.tags))
    if not cut.articles:
        raise IngestError("not a bulletin: no article text found")
    undated = [a for a in cut.articles if a.meta.year is None]
    if undated:
        raise IngestError("cannot tell the year: no page-header date and no year or zodiac year "
                          "in the text", undated[0].draft.lineno or None)
    if cut.surplus:
        raise IngestError(f"internal error: output has characters the input lacks: {cut.surplus[:40]}")
    name = path.stem + ".txt"
    return name, cut


def ingest_paths(config: Config, paths: list[Path], *, dry_run: bool, force: bool,
                 report: bool, explain: bool = False) -> int:
    """Ingest every bulletin; print per-file errors as ``path[:line]: message`` on stderr.

    Returns 1 if any file failed (the others are still ingested), else 0."""
    files, problems = bulletin_files(paths)
    failed = 0
    for path, message in problems:
        _error(path, None, message)
        failed += 1
    root = config.root
    for path in files:
        try:
            name, cut = ingest_file(config, path)
            result = plan(cut, name, config.content_dir, root)
            if result.warnings and not force:
                raise IngestError(result.warnings[0] + " (use --force to replace it)")
            if not dry_run:
                apply(result, force=force)
        except IngestError as exc:
            _error(path, exc.line, exc.message)
            failed += 1
            continue
        except (OSError, UnicodeError) as exc:
            _error(path, None, f"cannot write: {exc}")
            failed += 1
            continue
        _summary(path, result, dry_run=dry_run, force=force)
        if report:
            click.echo(format_report(name, cut, result))
        if explain:
            click.echo(f"== {name}: why each article was cut so")
            click.echo(format_explain(cut))
    return 1 if failed else 0


def _error(path: Path, line: int | None, message: str) -> None:
    where = display_path(path)
    if line is not None:
        where += f":{line}"
    click.echo(f"{where}: {message}", err=True)


def _summary(path: Path, result: Plan, *, dry_run: bool, force: bool) -> None:
    counts: dict[str, int] = {}
    for f in result.files:
        counts[f.status] = counts.get(f.status, 0) + 1
    verb = "would write" if dry_run else "ingested"
    parts = [f"{n} {status}" for status, n in sorted(counts.items())]
    terminal.info(f"{display_path(path)}: {verb} {len(result.files)} articles ({', '.join(parts)})")
    for f in result.files:
        if f.status == "edited" and not force:
            click.echo(f"  kept {f.rel}: changed since ingest (use --force to overwrite)",
                       err=True)
        elif dry_run or f.status != "unchanged":
            terminal.info(f"  {f.status:9s} {f.rel}")
    for rel, status in result.stale:
        if status == "remove":
            terminal.info(f"  {'removed' if not dry_run else 'remove':9s} {rel} (no longer cut)")
        else:
            click.echo(f"  kept {rel}: no longer cut from the bulletin but edited since ingest",
                       err=True)


def format_report(name: str, cut: Cut, result: Plan) -> str:
    """Per bulletin: page facts, each article (title, region, year, kind, characters), and
    anything unassigned."""
    header = cut.page.header
    lines = [f"== {name}: {header.paper or 'paper unnamed'}, page {header.page or '-'}, date "
             f"{header.date.isoformat() if header.date else '-'}, year {cut.evidence.year} "
             f"({cut.evidence.how or 'no evidence'}), editors {', '.join(header.editors) or '-'}"]
    if cut.page.banners:
        lines.append("  section: " + " / ".join(cut.page.banners))
    for n, f in enumerate(result.files, start=1):
        a = f.article
        assert a is not None
        derived = "" if a.draft.title_from_page else " [title derived]"
        lines.append(f"  {n:2d}. {a.meta.title}{derived}")
        if a.meta.subtitle:
            lines.append(f"      subtitle: {a.meta.subtitle}")
        lines.append(f"      {a.meta.region.path} | {a.meta.year}"
                     f"{' ' + a.meta.date.isoformat() if a.meta.date else ''} | {a.meta.kind} | "
                     f"{a.chars} chars | line {a.draft.lineno} | {f.rel}")
    if cut.page.furniture:
        lines.append("  furniture: " + " / ".join(f.text for f in cut.page.furniture))
    for d in cut.page.dropped:
        lines.append(f"  dropped ({d.reason}, line {d.lineno}): {d.text}")
    lines.append(f"  characters: {cut.accounting['source']} in, {cut.accounting['kept']} kept; "
                 f"unassigned: {cut.unassigned or 'none'}")
    weak = format_weak(cut)
    lines.extend(weak or ["  weak decisions: none"])
    return "\n".join(lines)
