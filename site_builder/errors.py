"""Errors and warnings that point at a file and line, printed as ``path:line:col: message``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# C0 and C1 controls but tab and newline, DEL, the bidi overrides and isolates (a terminal
# obeys the controls: an OSC 52 sequence writes the clipboard; a bidi mark reorders the line),
# and lone surrogates (the undecodable bytes of a file name, which no terminal can print).
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e"
                          "\u2066-\u2069\ud800-\udfff]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (os.fsdecode's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` safe to print to a terminal: control characters, bidi marks and undecodable
    bytes shown as ``\\xNN`` / ``\\uNNNN`` escapes."""
    return _UNPRINTABLE.sub(_escape, text)


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
        return printable(f"{where}: {self.severity}: {self.message}")


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
