"""Load ``content/articles/**/*.md`` into Articles, reporting bad files by path and line."""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..clock import is_scheduled, today
from ..errors import Diagnostic, display_path
from ..gazetteer import Gazetteer, default_gazetteer
from ..procs import worker_pool
from ..slugs import ascii_slug
from .article import Article, _clean, validate
from .cache import ArticleCache, content_digest, file_stamp
from .frontmatter import FrontMatterError, split_front_matter
from .markdown import html_to_text, render_markdown

ARTICLES_DIR = "articles"
MAX_FILE_BYTES = 20 * 1024 * 1024
SUMMARY_CHARS = 120


@dataclass
class Library:
    """Every article that loaded, and what was wrong with the files that did not."""

    articles: list[Article] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    parsed: int = 0  # files read and parsed this time (the rest came from the cache)
    scheduled: int = 0  # articles dated after today, left out (``future`` keeps them)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]


def article_files(content_dir: Path) -> list[Path]:
    """Markdown files under content/articles, sorted, never following links out of content/."""
    return [Path(path) for path, _ in _article_entries(content_dir)]


def _article_entries(content_dir: Path) -> list[tuple[str, os.stat_result]]:
    """article_files (as strings) with each file's lstat (one system call per file, reused
    by the cache). Folders linked into the tree are not descended into; linked files are
    listed (the loader checks where they point). Each folder's entries are walked sorted
    by name, which is pathlib's order of the paths (by components) without sorting them."""
    found: list[tuple[str, os.stat_result]] = []

    def walk(folder: str) -> None:
        try:
            with os.scandir(folder) as entries:
                listed = sorted(entries, key=_entry_name)
        except (FileNotFoundError, NotADirectoryError):
            return
        for entry in listed:
            if entry.is_dir(follow_symlinks=False):
                walk(entry.path)
            elif entry.name.endswith(".md"):
                try:
                    st = os.lstat(entry.path)
                except OSError:
                    continue
                if stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode):
                    found.append((entry.path, st))

    walk(str(content_dir / ARTICLES_DIR))
    return found


def _entry_name(entry: os.DirEntry) -> str:
    return entry.name


def load_library(
    content_dir: Path,
    *,
    project_root: Path | None = None,
    drafts: bool = False,
    future: bool = False,
    trusted_html: bool = False,
    gazetteer: Gazetteer | None = None,
    cache: ArticleCache | None = None,
    workers: int = 1,
) -> Library:
    """Read every article; a bad file becomes a diagnostic and the others still load.

    Files unchanged since the ``cache`` saw them are not read again; the rest are parsed on
    ``workers`` processes when there are enough of them to be worth it. An article dated
    after today (clock.today) is left out unless ``future``: it is published on its date.
    """
    gazetteer = gazetteer or default_gazetteer()
    now = None if future else today()
    library = Library()
    content_root = content_dir.resolve()
    results: dict[str, Article | list[Diagnostic]] = {}
    todo: list[tuple[str, str, str, bool]] = []
    order: list[str] = []
    shown_base = display_path(content_dir, project_root)
    inside: dict[str, bool] = {}  # per folder: does it resolve inside content/?
    prefix = f"{content_dir}{os.sep}"
    for path, lstat in _article_entries(content_dir):
        rel = path.removeprefix(prefix)
        shown = f"{shown_base}/{rel.replace(os.sep, '/')}"
        link = stat.S_ISLNK(lstat.st_mode)
        try:
            if link:
                ok = Path(path).resolve().is_relative_to(content_root)
            else:
                folder = path.rpartition(os.sep)[0]
                ok = inside.get(folder)
                if ok is None:
                    ok = inside[folder] = Path(folder).resolve().is_relative_to(content_root)
        except (RuntimeError, OSError):  # a symbolic link loop (RuntimeError before 3.13)
            library.diagnostics.append(Diagnostic(shown, None, "symbolic link loop; not read"))
            continue
        if not ok:
            library.diagnostics.append(
                Diagnostic(shown, None, "link points outside content/; not read"))
            continue
        order.append(shown)
        hit = cache.get(shown, path, None if link else lstat) if cache else None
        if hit is not None:
            results[shown] = hit
        else:
            todo.append((path, shown, str(content_dir), trusted_html))
    library.parsed = len(todo)
    for shown, stamp, result in _parse_all(todo, workers):
        results[shown] = result
        if cache and stamp is not None:
            cache.put(shown, stamp, result)
    if cache:
        cache.keep(order)
    by_url: dict[str, str] = {}
    for shown in order:
        result = results[shown]
        if isinstance(result, list):
            library.diagnostics.extend(result)
            continue
        library.diagnostics.extend(Diagnostic(shown, line, message, severity="warning")
                                   for line, message in result.warnings)
        if result.draft and not drafts:
            continue
        if now is not None and is_scheduled(result.date, result.year, now):
            library.scheduled += 1
            continue
        if result.url in by_url:
            library.diagnostics.append(Diagnostic(
                shown, None, f"duplicate URL /{result.url}: {by_url[result.url]} has it already; "
                             "rename the file or set a distinct 'slug'"))
            continue
        by_url[result.url] = shown
        library.articles.append(result)
    library.articles.sort(key=lambda a: a.sort_key)
    return library


PARALLEL_MIN = 256  # below this many files, starting processes costs more than it saves


def _parse_all(todo: list[tuple[str, str, str, bool]], workers: int):
    """(shown, stamp, Article | diagnostics) for each file, in parallel when worth it."""
    if workers > 1 and len(todo) >= PARALLEL_MIN:
        with worker_pool(workers) as pool:
            yield from pool.map(_parse_job, todo, chunksize=64)
    else:
        yield from map(_parse_job, todo)


def _parse_job(job: tuple[str, str, str, bool]):
    path, shown, content_dir, trusted_html = job
    file = Path(path)
    problem = unreadable_name_or_kind(file)
    if problem:  # (reading it for its stamp could block: a FIFO)
        return shown, None, [Diagnostic(shown, None, problem)]
    try:
        stamp = file_stamp(file)
    except OSError:  # unreadable (a dangling link, no permission): load_article says why
        stamp = None
    result = load_article(file, shown, Path(content_dir), default_gazetteer(),
                          trusted_html=trusted_html)
    return shown, stamp, result


def load_article(
    path: Path, shown: str, content_dir: Path, gazetteer: Gazetteer, *, trusted_html: bool = False
) -> Article | list[Diagnostic]:
    """One article, or the diagnostics that say why it cannot be published."""
    problem = unreadable_name_or_kind(path)
    if problem:
        return [Diagnostic(shown, None, problem)]
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [Diagnostic(shown, None, f"cannot read: {exc.strerror}")]
    if len(raw) > MAX_FILE_BYTES:
        return [Diagnostic(shown, None, f"file is {len(raw)} bytes, over {MAX_FILE_BYTES}")]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # the UTF-16 byte-order marks
        return [Diagnostic(shown, 1, "saved as UTF-16 text: save it as UTF-8")]
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        return [Diagnostic(shown, line, "file contains NUL bytes: is it binary?")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return [Diagnostic(shown, line, "not UTF-8 text (save it as UTF-8; "
                                        "bulletins in GBK or Big5 go through 'site-builder ingest')")]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        fm = split_front_matter(text)
    except FrontMatterError as exc:
        return [Diagnostic(shown, exc.line, exc.message, col=exc.col)]
    values, problems = validate(fm, gazetteer)
    if problems:
        return [Diagnostic(shown, fm.key_lines.get(p.key, 1) if p.key else 1, p.message)
                for p in problems]
    body_html = render_markdown(fm.body, trusted_html=trusted_html)
    summary = values["summary"] or _summarize(body_html)
    url = article_url(path, content_dir, values.pop("slug"))
    return Article(
        source_path=shown, url=url, digest=content_digest(raw), body_html=body_html,
        warnings=tuple(fm.warnings), **{**values, "summary": summary},
    )


def unreadable_name_or_kind(path: Path) -> str | None:
    """Why a source file must not be opened: a name that is not UTF-8 (it cannot be shown
    or published), or not a regular file (reading a FIFO or a device blocks or never ends)."""
    try:
        path.name.encode("utf-8")
    except UnicodeEncodeError:
        return "file name is not valid UTF-8: rename the file"
    try:
        mode = path.stat().st_mode
    except OSError as exc:  # Python 3.13 resolves a link loop without error: it shows here
        return "symbolic link loop; not read" if exc.errno == errno.ELOOP else f"cannot read: {exc.strerror}"
    if not stat.S_ISREG(mode):
        return "not a regular file (a FIFO, socket or device?); skipped"
    return None


def article_url(path: Path, content_dir: Path, slug: str | None = None) -> str:
    """``articles/<folders>/<stem>/`` with every part made ASCII (pinyin for Chinese)."""
    rel = path.relative_to(content_dir / ARTICLES_DIR).with_suffix("")
    parts = [ascii_slug(p) for p in rel.parts]
    if slug:
        parts[-1] = slug
    return "/".join([ARTICLES_DIR, *parts]) + "/"


def _summarize(body_html: str) -> str:
    """The first paragraph (not a heading) that says something, cut at SUMMARY_CHARS: a
    salutation such as 亲爱的读者朋友： opens a letter but tells a reader nothing of it."""
    first = None
    for match in _PARAGRAPH.finditer(body_html):
        text = _clean(html_to_text(match.group(1)))  # a field: no control characters
        first = text if first is None else first
        if text and not _SALUTATION.fullmatch(text):
            first = text
            break
    if first is None:
        first = _clean(html_to_text(body_html))
    return first if len(first) <= SUMMARY_CHARS else first[:SUMMARY_CHARS].rstrip() + "…"


_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
_SALUTATION = re.compile(r".{1,24}[：:]")  # a short line that ends by addressing someone
