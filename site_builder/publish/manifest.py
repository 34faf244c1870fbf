"""What each output folder holds: the fingerprint of every file the last build wrote there.

Kept in the state folder, one file per output folder, and trusted only while the folder
still carries the stamp it was saved with and the site (templates, config, code) is the same:
otherwise everything is rendered anew. Keys are page URLs ("" for home, "regions/jiangsu/")
and, for other files (feeds, static assets, media), ``file:`` and the file's path.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import ClassVar

from ..fs import replace_file
from ..render.plan import Page
from ..render.site import EXTRA
from .guard import STAMP_FILE


def written_file(key: str) -> str:
    """The file a manifest key stands for, relative to the output folder."""
    return key.removeprefix(EXTRA) if key.startswith(EXTRA) else Page(key, "").file


class SlotManifest:
    """The fingerprints of one output folder's files, as the last build there left them."""

    # Manifests this process read or wrote, by path, checked against the file's identity: a
    # long-lived builder (the dev server) does not parse its own manifests again.
    _known: ClassVar[dict[str, tuple[tuple[int, int, int], dict]]] = {}

    def __init__(self, state: Path, out_dir: Path, site_key: str) -> None:
        # Named by the folder's path from the project (a CI checkout moves, the cache with
        # it), or by its absolute path when it lies outside the project.
        where, project = out_dir.resolve(), state.resolve().parent
        shown = where.relative_to(project).as_posix() if where.is_relative_to(project) else str(where)
        name = hashlib.blake2b(shown.encode(), digest_size=8).hexdigest()
        self.file = state / "manifests" / f"{name}.json"
        self.out_dir = out_dir
        self.site_key = site_key

    @staticmethod
    def _stamp_of(site_key: str, fingerprints: dict[str, str]) -> str:
        data = "\n".join([site_key, *(f"{k}\t{v}" for k, v in sorted(fingerprints.items()))])
        return hashlib.blake2b(data.encode(), digest_size=16).hexdigest()

    @staticmethod
    def _identity(path: Path) -> tuple[int, int, int]:
        st = path.stat()
        return st.st_ino, st.st_size, st.st_mtime_ns

    def _read(self) -> dict:
        identity = self._identity(self.file)
        known = self._known.get(str(self.file))
        if known is not None and known[0] == identity:
            return known[1]
        saved = json.loads(self.file.read_text(encoding="utf-8"))
        self._known[str(self.file)] = (identity, saved)
        return saved

    def _saved_for_folder(self) -> dict | None:
        """The saved manifest, if it describes the folder as it is (its stamp is there)."""
        try:
            saved = self._read()
            on_disk = (self.out_dir / STAMP_FILE).read_text(encoding="utf-8").strip()
        except (OSError, ValueError):
            return None
        return saved if saved.get("stamp") == on_disk else None

    def previous(self) -> dict[str, str] | None:
        """The fingerprints, when this site's last build left the folder as it is."""
        saved = self._saved_for_folder()
        if saved is None or saved.get("site_key") != self.site_key:
            return None
        return saved.get("pages")

    def written(self) -> set[str] | None:
        """Every file a build wrote in the folder (whatever the site then was), relative to
        it; None when unknown."""
        saved = self._saved_for_folder()
        if saved is None:
            return None
        return {STAMP_FILE, *(written_file(key) for key in saved.get("pages", {}))}

    def invalidate(self) -> None:
        """Until a build completes, the folder matches no manifest."""
        with contextlib.suppress(FileNotFoundError):
            (self.out_dir / STAMP_FILE).unlink()

    def move_to(self, other: SlotManifest) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.replace(self.file, other.file)
            known = self._known.pop(str(self.file), None)
            if known is not None:
                self._known[str(other.file)] = known

    def stamp(self, fingerprints: dict[str, str]) -> str:
        stamp = self._stamp_of(self.site_key, fingerprints)
        replace_file(self.out_dir / STAMP_FILE, stamp.encode())
        return stamp

    def save(self, fingerprints: dict[str, str], stamp: str | None = None) -> None:
        """Keep ``fingerprints`` (``stamp``: theirs, when the caller has just made it)."""
        self.file.parent.mkdir(parents=True, exist_ok=True)
        data = {"site_key": self.site_key,
                "stamp": stamp or self._stamp_of(self.site_key, fingerprints),
                "pages": fingerprints}
        replace_file(self.file, json.dumps(data).encode())  # pages in plan order: deterministic
        self._known[str(self.file)] = (self._identity(self.file), data)
