"""``site-builder new``: start an article file in the right folder with valid front-matter.

The file lands at ``content/articles/<year>/<region-slug>/<title-slug>.md``, the layout ingest
uses, so hand-written and ingested articles sit side by side. The front-matter is checked with
the same validator the build uses before anything is written, and an existing file is never
replaced: an editor's work is not lost to a repeated command.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import click

from .clock import today
from .config import Config
from .content.article import KINDS, validate
from .content.frontmatter import dump_front_matter, split_front_matter
from .content.loader import ARTICLES_DIR, ascii_slug
from .errors import display_path
from .gazetteer import default_gazetteer

MAX_SLUG_CHARS = 60
_TAG_SEPARATORS = re.compile(r"[,，、;；]")


def new_article(config: Config, *, title: str, region: str, date: str | None,
                tags: str | None, kind: str) -> int:
    """Write the article file and print its path; 0 on success, 1 if it exists, 2 on bad input."""
    gazetteer = default_gazetteer()
    problems: list[str] = []
    place = gazetteer.resolve(region)
    if place is None:
        hint = gazetteer.suggest(region)
        more = f"; did you mean {' or '.join(hint)}?" if hint else ""
        problems.append(f"unknown region '{region}'{more}")
    when = _parse_date(date, problems)
    if kind not in KINDS:
        problems.append(f"unknown kind '{kind}' (one of: {', '.join(KINDS)})")
    if not title.strip():
        problems.append("the title is empty")
    if problems:
        for problem in problems:
            click.echo(f"error: {problem}", err=True)
        return 2
    assert place is not None and when is not None

    data: dict = {"title": " ".join(title.split()), "date": when,
                  "region": place.path}
    tag_list = [t.strip() for t in _TAG_SEPARATORS.split(tags or "") if t.strip()]
    if tag_list:
        data["tags"] = list(dict.fromkeys(tag_list))
    data["kind"] = kind
    text = dump_front_matter(data, "")
    _, field_problems = validate(split_front_matter(text), gazetteer)
    if field_problems:  # the arguments passed the checks above, so this is a bug, not input
        raise RuntimeError(f"new article front-matter does not validate: {field_problems}")

    path = article_path(config.content_dir, when.year, place.slug_path, data["title"])
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as f:
            f.write(text)
    except FileExistsError:
        click.echo(f"error: {_shown(path)} already exists; not overwriting it "
                   "(edit that file, or choose a different title)", err=True)
        return 1
    click.echo(_shown(path))
    return 0


def article_path(content_dir: Path, year: int, region_slug_path: str, title: str) -> Path:
    """``content/articles/2025/jiangsu-wuxi/jiang-yin-shi-zong-gong-hui.md``."""
    folder = region_slug_path.replace("/", "-")
    return content_dir / ARTICLES_DIR / str(year) / folder / f"{title_slug(title)}.md"


def title_slug(title: str) -> str:
    """The title in pinyin, cut at a word boundary so file names stay short."""
    slug = ascii_slug(title)
    if len(slug) <= MAX_SLUG_CHARS:
        return slug
    cut = slug[: MAX_SLUG_CHARS + 1].rsplit("-", 1)[0]
    return cut or slug[:MAX_SLUG_CHARS]


def _parse_date(text: str | None, problems: list[str]) -> dt.date | None:
    if text is None:
        return today()  # (the day the build publishes it: China's)
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            raise ValueError
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        problems.append(f"bad date '{text}': write it as YYYY-MM-DD, e.g. 2025-01-02")
        return None


def _shown(path: Path) -> str:
    """The path as the editor can open it from where they ran the command."""
    shown = display_path(path)
    return shown if not Path(shown).is_absolute() else str(path.resolve())
