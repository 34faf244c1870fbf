"""Raw bulletins kept as provenance under ``content/bulletins/`` (written by ingest)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Diagnostic, display_path
from .loader import ascii_slug, unreadable_name_or_kind

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
    urls: dict[str, str] = {}
    if not folder.is_dir():
        return bulletins, problems
    for path in sorted(folder.glob("*.txt")):
        shown = display_path(path, project_root)
        problem = unreadable_name_or_kind(path)
        if problem:
            problems.append(Diagnostic(shown, None, problem, severity="warning"))
            continue
        if not _inside(path, content_dir):  # a bulletin page would publish the link's target
            problems.append(Diagnostic(shown, None, "link points outside content/; not read",
                                       severity="warning"))
            continue
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Diagnostic(shown, None, f"cannot read bulletin: {exc}", severity="warning"))
            continue
        meta: dict = {}
        manifest = path.with_suffix(".json")
        if manifest.exists() and not unreadable_name_or_kind(manifest) \
                and _inside(manifest, content_dir):
            try:
                meta = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                problems.append(Diagnostic(display_path(manifest, project_root), None,
                                           f"unreadable manifest: {exc}", severity="warning"))
            if not isinstance(meta, dict):
                meta = {}
        # The templates read these; a manifest without them (or a hand-edited one) is no error.
        meta = {"page": None, "date": None, **meta}
        if not isinstance(meta.get("editors"), list):
            meta["editors"] = []
        bulletin = Bulletin(path.name, text.replace("\r\n", "\n"), meta)
        if bulletin.url in urls:  # e.g. "a b.txt" and "a-b.txt": one page would replace the other
            problems.append(Diagnostic(shown, None, f"duplicate URL /{bulletin.url}: "
                                       f"{urls[bulletin.url]} has it already; rename the file",
                                       severity="warning"))
            continue
        urls[bulletin.url] = shown
        bulletins.append(bulletin)
    return bulletins, problems


def _inside(path: Path, content_dir: Path) -> bool:
    try:
        return path.resolve().is_relative_to(content_dir.resolve())
    except (RuntimeError, OSError):  # a symbolic link loop (RuntimeError before 3.13)
        return False
