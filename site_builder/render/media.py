"""Images in article bodies: published under ``media/`` and linked from the article page.

Editors write image paths relative to the article file (or from the content folder with a
leading '/'), as ``site-builder check`` expects. Article URLs are ASCII and one level deeper
than their files, so the render stage rewrites each such ``src`` to the image's published
copy. The rewrite depends only on the article's text, never on what exists on disk, so a
page's fingerprint (its article's content hash) still decides when it must be rendered again.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from ..content import Article
from ..content.loader import ascii_slug
from ..content.markdown import IMG_SRC

MEDIA_DIR = "media"
# What an image may be: anything else named as one (a draft's .md, a config file) stays in
# the source tree. SVG is left out: opened on its own, it runs script with the site's origin.
IMAGE_SUFFIXES = frozenset({"png", "jpg", "jpeg", "gif", "webp", "avif", "bmp", "ico"})
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", re.I)


def media_path(article: Article, src: str) -> str | None:
    """Where the image ``src`` of ``article`` is published, relative to the site root.

    None for external and data URLs, for paths that leave the content folder and for files
    that are not images (IMAGE_SUFFIXES).
    """
    if _EXTERNAL.match(src):
        return None
    # source_path is "content/articles/…/x.md" relative to the project root.
    parts = PurePosixPath(article.source_path).parts
    folder = list(parts[1:-1])  # drop "content/" and the file name
    if src.startswith("/"):
        folder = []
    for piece in PurePosixPath(src.split("?")[0].split("#")[0].lstrip("/")).parts:
        if piece == "..":
            if not folder:
                return None  # outside the content folder
            folder.pop()
        elif piece != ".":
            folder.append(piece)
    if not folder:
        return None
    *dirs, name = folder
    stem, dot, suffix = name.rpartition(".")
    if not dot or suffix.lower() not in IMAGE_SUFFIXES:
        return None
    filename = f"{ascii_slug(stem)}.{suffix.lower()}" if dot and stem else ascii_slug(name)
    return "/".join([MEDIA_DIR, *(ascii_slug(d) for d in dirs), filename])


def source_of(media: str, article: Article, src: str) -> PurePosixPath:
    """The image file an article's ``src`` names, relative to the content folder."""
    parts = PurePosixPath(article.source_path).parts
    base = PurePosixPath() if src.startswith("/") else PurePosixPath(*parts[1:-1])
    return base / src.split("?")[0].split("#")[0].lstrip("/")


def body_for_page(article: Article, site_root: str | None = None) -> str:
    """The article body with its local image paths pointing at their published copies, and
    its headings ranked under the page's title (its highest is an h2).

    ``site_root`` prefixes image paths (an absolute URL for feeds); by default they are
    relative to the article's own page.
    """
    body = ranked_headings(article.body_html)
    if "<img" not in body:
        return body
    up = "../" * article.url.count("/") if site_root is None else site_root

    def swap(m: re.Match) -> str:
        target = media_path(article, m.group(2))
        return m.group(0) if target is None else f"{m.group(1)}{up}{target}{m.group(3)}"

    return IMG_SRC.sub(swap, body)


_HEADING = re.compile(r"<(/?)h([1-6])\b", re.I)


def ranked_headings(html: str) -> str:
    """``html`` with its headings moved as a whole so that the highest is an h2: the page's
    title is its h1, and a body whose sections start at ### must not skip a level."""
    levels = [int(m.group(2)) for m in _HEADING.finditer(html)]
    if not levels or min(levels) == 2:
        return html
    shift = 2 - min(levels)
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + shift)}", html)


def article_media(articles: list[Article]) -> dict[str, PurePosixPath]:
    """Published path → source file (relative to the content folder) of every local image."""
    found: dict[str, PurePosixPath] = {}
    for a in articles:
        for src in a.image_sources:  # (known without reading the body: Article)
            target = media_path(a, src)
            if target is not None:
                found.setdefault(target, source_of(target, a, src))
    return dict(sorted(found.items()))
