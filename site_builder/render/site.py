"""Render a planned site into a folder that holds an earlier build: only what changed.

The fingerprints a build returns are the manifest the publish stage keeps (publish.manifest):
page URLs, and ``file:`` plus the path for feeds, sitemap, static assets and media.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jinja2

from ..config import Config
from ..fs import remove_file
from . import link_pages, render_pages, write_extras
from .plan import SEARCH_URL, Page, search_page
from .reuse import Plan

EXTRA = "file:"  # fingerprint keys of files that are not pages
LINK_FROM_LIVE_MIN = 64  # pages a planning build changed, past which it links them into the spare


@dataclass
class Rendered:
    fingerprints: dict[str, str]  # every file the folder now holds, for the manifest
    rendered: int  # pages written this time (the rest were unchanged)
    linked: int  # pages due that the live output held as they are now: linked from it


def render_site(plan: Plan, env: jinja2.Environment, config: Config, out_dir: Path,
                previous: dict[str, str] | None, *, workers: int,
                progress: Callable[[int, int], None] | None = None,
                live: tuple[Path, Callable[[], dict[str, str] | None]] | None = None,
                ) -> Rendered:
    """Pages (all but the search page), feeds, sitemap and static files whose fingerprint
    differs from ``previous`` (what ``out_dir`` holds; None: unknown, so everything).
    ``live``: the output in use and its fingerprints, to link due pages from."""
    out_dir.mkdir(parents=True, exist_ok=True)
    old_pages = {k: v for k, v in (previous or {}).items() if not k.startswith(EXTRA)}
    pages = [p for p in plan.pages if p.url != SEARCH_URL]
    linked = 0
    if live is not None and previous is not None:
        old_pages, linked = link_pages(pages, plan.fingerprints, old_pages, out_dir, *live)
    fingerprints = render_pages(pages, env, config, out_dir,
                                previous=old_pages if previous is not None else None,
                                workers=workers, progress=progress,
                                fingerprints=dict(plan.fingerprints))
    fingerprints.pop(SEARCH_URL, None)  # rendered with the search export: render_search_page
    rendered = sum(previous is None or old_pages.get(u) != f for u, f in fingerprints.items())
    old_extras = {k.removeprefix(EXTRA): v for k, v in (previous or {}).items()
                  if k.startswith(EXTRA)}
    extras = {EXTRA + path: fingerprint for path, fingerprint
              in write_extras(plan.pages, plan.archive, config, out_dir,
                              previous=old_extras, metadata=plan.metadata).items()}
    for gone in sorted(set(previous or {}) - set(old_pages) - set(extras)):
        remove_file(out_dir, gone.removeprefix(EXTRA))
    fingerprints.update(extras)
    return Rendered(fingerprints, rendered, linked)


def render_search_page(env: jinja2.Environment, config: Config, out_dir: Path,
                       previous: dict[str, str] | None) -> tuple[dict[str, str], bool]:
    """The search page, once the search stage is done: it carries the export's manifest,
    one round trip fewer before a reader's first hits. Returns its fingerprint and whether
    it was written."""
    try:
        manifest = (out_dir / "search" / "manifest.json").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        manifest = None  # (no export: the page's script asks for it, and says so)
    old = previous.get(SEARCH_URL) if previous else None
    # Always written (unchanged bytes are left alone): the export is mirrored into the
    # spare with the page beside it, so the spare's record of the page is no proof.
    fingerprints = render_pages([search_page(manifest)], env, config, out_dir)
    return fingerprints, fingerprints[SEARCH_URL] != old


def link_changed_pages(spare: Path, spare_pages: dict[str, str], live: Path,
                       fingerprints: dict[str, str]) -> dict[str, str] | None:
    """After a build that planned the site anew (an article added, removed, re-dated), link
    the pages it changed into the spare too, which the next build starts from: an added
    article changes hundreds of list pages, which the next edit would otherwise bring over
    before its own work. Returns the spare's fingerprints now, or None when too few changed
    to be worth it (the next build links them itself, if they are still due)."""
    pages = [Page(url, "") for url, fingerprint in fingerprints.items()
             if spare_pages.get(url) != fingerprint and not url.startswith(EXTRA)
             and url != SEARCH_URL]
    if len(pages) < LINK_FROM_LIVE_MIN:
        return None
    now, _ = link_pages(pages, fingerprints, spare_pages, spare, live, lambda: fingerprints,
                        least=0)
    return now
