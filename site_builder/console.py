"""What a build prints: problems, a progress bar on a terminal, and one summary line."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from .errors import Diagnostic, display_path

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import Console as RichConsole


class Console:
    """rich's console for stderr, imported when something is printed through it (a problem,
    a progress bar): a build that prints only its summary line does not pay rich's import."""

    def __init__(self) -> None:
        self._rich: RichConsole | None = None

    @property
    def rich(self) -> RichConsole:
        if self._rich is None:
            from rich.console import Console as RichConsole

            self._rich = RichConsole(stderr=True, soft_wrap=True)
        return self._rich

    def print(self, *args, **kwargs) -> None:
        self.rich.print(*args, **kwargs)

    def plain(self, text: str, style: str | None = None) -> None:
        self.rich.print(text, markup=False, highlight=False, style=style)

    @contextlib.contextmanager
    def progress(self, quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
        """A progress bar for rendering, on a terminal and unless ``quiet``; None otherwise."""
        if quiet or not sys.stderr.isatty() or not self.rich.is_terminal:
            yield None
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        with Progress(TextColumn("rendering"), BarColumn(), MofNCompleteColumn(),
                      TimeRemainingColumn(), console=self.rich, transient=True) as bar:
            task = bar.add_task("render", total=None)

            def update(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            yield update


def print_report(console: Console, diagnostics: list[Diagnostic], ok: bool, output: Path,
                 root: Path, summary: str, timings: dict[str, float], quiet: bool) -> None:
    """Every problem, then either why the build failed or what it built."""
    for d in diagnostics:
        console.plain(str(d), style="red" if d.severity == "error" else "yellow")
    where = display_path(output, root)
    if not ok:
        errors = sum(d.severity == "error" for d in diagnostics) or 1
        console.print(f"[red]build failed[/]: {errors} error(s); {where} was left as it was")
        return
    line = summary.format(where=where)
    if not quiet:
        line += f" ({', '.join(f'{k} {v:.2f}' for k, v in timings.items())})"
    print(line, file=sys.stderr)
