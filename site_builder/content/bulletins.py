"""Raw bulletins kept as provenance under ``content/bulletins/`` (written by ingest)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Diagnostic, display_path
from .loader import ascii_slug

BULLETINS_DIR = "bulletins"


@dataclass(frozen=True)
class Bulletin:
    """One newspaper page as received, and what ingest recorded about it."""

    name: str  # file name, e.g. "003_0f1a193ba6c2174a.txt"; articles cite it in 'source'
    text: str
    meta: dict = field(default_factory=dict)  # ingest manifest: page, date, editors, ...

    @property
    def url(self) -> str:
        return f"bulletins/{ascii_slug(Path(self.name).stem)}/"


def load_bulletins(content_dir: Path, project_root: Path | None = None
                   ) -> tuple[list[Bulletin], list[Diagnostic]]:
    """Every ``content/bulletins/*.txt`` with its ``.json`` manifest when there is one."""
    folder = content_dir / BULLETINS_DIR
    bulletins: list[Bulletin] = []
    problems: list[Diagnostic] = []
    if not folder.is_dir():
        return bulletins, problems
    for path in sorted(folder.glob("*.txt")):
        shown = display_path(path, project_root)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Diagnostic(shown, None, f"cannot read bulletin: {exc}", severity="warning"))
            continue
        meta: dict = {}
        manifest = path.with_suffix(".json")
        if manifest.exists():
            try:
                meta = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                problems.append(Diagnostic(display_path(manifest, project_root), None,
                                           f"unreadable manifest: {exc}", severity="warning"))
            if not isinstance(meta, dict):
                meta = {}
        bulletins.append(Bulletin(path.name, text.replace("\r\n", "\n"), meta))
    return bulletins, problems
