"""Errors and warnings that point at a file and line, printed as ``path:line:col: message``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding about one place in one file."""

    path: str
    line: int | None
    message: str
    col: int | None = None
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return f"{where}: {self.severity}: {self.message}"


class SiteError(Exception):
    """A problem with the site's input that stops the current operation."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic) -> None:
        self.diagnostics = diagnostics if isinstance(diagnostics, list) else [diagnostics]
        super().__init__("\n".join(str(d) for d in self.diagnostics))


def display_path(path: Path | str, root: Path | None = None) -> str:
    """A path relative to the project root (or the working directory) when it is inside it."""
    p = Path(path)
    # A link is named as the editor sees it, not as its target (which may loop or lie outside).
    resolved = p.parent.resolve() / p.name if p.is_symlink() else p.resolve()
    for base in (root, Path.cwd()):
        if base is None:
            continue
        try:
            return resolved.relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return p.as_posix()
