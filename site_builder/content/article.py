"""The Article: one published news item, validated from its front-matter.

Field reference: docs/content-format.md. Validation reports every problem of a file with the
line of the offending key, so an editor can fix them all in one pass.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property

from ..gazetteer import Gazetteer, Region
from .frontmatter import FrontMatter
from .markdown import IMG_SRC, html_to_text

KINDS = ("news", "feature", "editorial", "photo", "notice", "digest", "timeline", "diary")
FIELDS = (
    "title", "subtitle", "date", "year", "region", "regions", "authors", "tags", "kind",
    "source", "summary", "draft", "slug",
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class FieldProblem:
    key: str | None  # the front-matter key at fault (None: the file as a whole)
    message: str


@dataclass(frozen=True)
class Article:
    """Plain data handed from the content stage to the archive, render and search stages."""

    source_path: str  # path of the markdown file, relative to the project root
    url: str  # site-relative URL, e.g. "articles/2024/jiangsu-wuxi/duo-cuo-bing-ju/"
    digest: str  # hash of the file's bytes: what the article shows changes only with it
    title: str
    subtitle: str
    date: dt.date | None
    year: int
    region: Region
    regions: tuple[Region, ...]
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    kind: str
    source: str  # the bulletin file the article was cut from, if any
    summary: str
    draft: bool
    body_html: str
    warnings: tuple[tuple[int, str], ...] = ()  # (line, message): published, but worth a look

    # Derived values, computed when first read and kept on the article.

    @cached_property
    def id(self) -> str:
        return self.url.strip("/")

    @cached_property
    def sort_key(self) -> tuple:
        """Newest first: by year, then dated items by date, then year-only items, then URL."""
        if self.date is None:
            return (-self.year, 1, 0, self.url)
        return (-self.year, 0, -self.date.toordinal(), self.url)

    @cached_property
    def image_sources(self) -> tuple[str, ...]:
        """The ``src`` of every image in the body, in order."""
        if "<img" not in self.body_html:
            return ()
        return tuple(m.group(2) for m in IMG_SRC.finditer(self.body_html))

    @cached_property
    def text(self) -> str:
        """Plain text of the body, one line per block, for search and snippets."""
        return html_to_text(self.body_html)

    def uncached_text(self) -> str:
        """``text`` without keeping it on the article: what forked workers use (a value
        kept on an inherited article would copy its memory page into every worker)."""
        return self.__dict__.get("text") or html_to_text(self.body_html)


def validate(fm: FrontMatter, gazetteer: Gazetteer) -> tuple[dict, list[FieldProblem]]:
    """Check front-matter fields; return normalized values and every problem found."""
    d = fm.data
    problems: list[FieldProblem] = []
    out: dict = {}

    def bad(key: str | None, message: str) -> None:
        problems.append(FieldProblem(key, message))

    for key in d:
        if key not in FIELDS:
            bad(key, f"unknown field '{key}' (known: {', '.join(FIELDS)})")

    title = d.get("title")
    if title is None or (isinstance(title, str) and not title.strip()):
        bad("title" if "title" in d else None, "missing required field 'title'")
    elif not isinstance(title, str | int | float) or isinstance(title, bool):
        bad("title", "'title' must be text (quote it: YAML reads yes/no/on/off as true/false)")
    else:
        out["title"] = _clean(str(title))

    for key in ("subtitle", "source", "summary"):
        value = d.get(key)
        if value is None:
            out[key] = ""
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            out[key] = _clean(str(value))
        else:
            bad(key, f"'{key}' must be text")

    out["date"] = None
    raw_date = d.get("date")
    if isinstance(raw_date, dt.datetime):
        out["date"] = raw_date.date()
    elif isinstance(raw_date, dt.date):
        out["date"] = raw_date
    elif isinstance(raw_date, str):
        if not _DATE.match(raw_date.strip()):
            bad("date", f"malformed date '{raw_date}': write it as YYYY-MM-DD, e.g. 2024-02-07")
        else:
            try:
                out["date"] = dt.date.fromisoformat(raw_date.strip())
            except ValueError:
                bad("date", f"no such date '{raw_date}'")
    elif raw_date is not None:
        bad("date", f"malformed date '{raw_date}': write it as YYYY-MM-DD")

    year = d.get("year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool)
                             or not 1900 <= year <= 2200):
        bad("year", f"'year' must be a four-digit year, got '{year}'")
        year = None
    if out["date"] is not None:
        if year is not None and year != out["date"].year:
            bad("year", f"'year' {year} disagrees with 'date' {out['date'].isoformat()}")
        year = out["date"].year
    if year is None and not any(p.key in ("date", "year") for p in problems):
        bad(None, "missing 'date' (YYYY-MM-DD) or 'year': the archive needs at least the year")
    out["year"] = year

    raw_region = d.get("region")
    if raw_region is None:
        bad(None, "missing required field 'region' (e.g. 江苏/无锡/江阴, or 全国)")
    else:
        out["region"] = _region("region", raw_region, gazetteer, bad)

    regions: list[Region] = []
    raw_regions = d.get("regions") or []
    if not isinstance(raw_regions, list):
        bad("regions", "'regions' must be a list of region paths")
        raw_regions = []
    for item in raw_regions:
        region = _region("regions", item, gazetteer, bad)
        if region is not None and region not in regions:
            regions.append(region)
    if out.get("region") is not None and out["region"] not in regions:
        regions.insert(0, out["region"])
    out["regions"] = tuple(regions)

    for key in ("authors", "tags"):
        value = d.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(
                isinstance(v, str | int) and not isinstance(v, bool) for v in value):
            bad(key, f"'{key}' must be a list of names")
            value = []
        out[key] = tuple(dict.fromkeys(_clean(str(v)) for v in value if str(v).strip()))

    kind = d.get("kind", "news")
    if kind not in KINDS:
        bad("kind", f"unknown kind '{kind}' (one of: {', '.join(KINDS)})")
    out["kind"] = kind

    draft = d.get("draft", False)
    if not isinstance(draft, bool):
        bad("draft", "'draft' must be true or false")
        draft = False
    out["draft"] = draft

    slug = d.get("slug")
    if slug is not None and not (isinstance(slug, str) and _SLUG.match(slug)):
        bad("slug", f"'slug' must be lowercase ASCII words joined by '-', got '{slug}'")
        slug = None
    out["slug"] = slug
    return out, problems


def _region(key: str, raw: object, gazetteer: Gazetteer, bad) -> Region | None:
    if not isinstance(raw, str):
        bad(key, f"'{key}' must be a path of place names like 江苏/无锡/江阴")
        return None
    raw = _clean(raw)  # invisible characters would make a known place look unknown
    region = gazetteer.resolve(raw)
    if region is None:
        hint = gazetteer.suggest(raw)
        more = f"; did you mean {' or '.join(hint)}?" if hint else ""
        candidates = gazetteer.candidates(raw.split("/")[-1].strip())
        if len(candidates) > 1:
            more = f"; it is ambiguous: write one of {', '.join(c.path for c in candidates)}"
        bad(key, f"unknown region '{raw}'{more}")
    return region


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _clean(text: str) -> str:
    """Collapse white space and drop control, zero-width and bidi characters from a field."""
    return " ".join(_CONTROL.sub("", text).split())
