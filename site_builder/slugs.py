"""ASCII slugs for URLs and file names: Chinese in pinyin, other text as lowercase words."""

from __future__ import annotations

import re

_NOT_WORD = re.compile(r"[^A-Za-z0-9]+")


def ascii_slug(text: str) -> str:
    """Lowercase ASCII words joined by '-': 无锡 → wu-xi, 'Hello World' → hello-world."""
    if text.isascii():  # most file and bulletin names: pypinyin's slow import is not needed
        words = _NOT_WORD.split(text)
    else:
        from pypinyin import lazy_pinyin

        words = lazy_pinyin(text, errors=_NOT_WORD.split)
    slug = "-".join(w.lower() for w in words if w and re.fullmatch(r"[A-Za-z0-9]+", w))
    return slug or "item"
