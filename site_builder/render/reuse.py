"""The last build's plan, kept by a long-lived builder (the dev server) and reused when
only article bodies changed — the common edit: a typo fixed, a paragraph added.

Archive and plan are a function of every article's metadata (front-matter, URL, order) and
of the bulletins; the body reaches pages only through the Article objects in their contexts,
which fingerprints see by content hash. So when no metadata changed, the old pages stay
right once the edited articles' new objects are put in place of the old ones, and only the
pages that hold an edited article get a new fingerprint. Anything else — an article added,
removed, renamed, re-dated, re-tagged; a bulletin changed — plans the site again.

A one-off build (``site-builder build``) gets the same from the plan saved by the build
before it (``save``/``load``): loading a plan costs a tenth of planning anew.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import functools
import hashlib
import io
import pickle
import time
from collections.abc import Sequence
from pathlib import Path

from .. import __version__
from ..archive import Archive
from ..config import Config
from ..content import Article
from ..fs import replace_file
from ..gazetteer import Region
from ..procs import collector_paused
from ..theme import theme_files
from .fingerprint import page_fingerprint
from .plan import ARTICLE_TEMPLATE, LaterArticlePage, Page, Pager, article_page

BODY_FIELDS = frozenset({"digest", "body_html"})  # what a body edit changes; the rest is metadata
_METADATA_FIELDS = tuple(f.name for f in dataclasses.fields(Article) if f.name not in BODY_FIELDS)


def metadata(article: Article) -> str:
    """Everything about an article but its body, as a digest of plain values (a plan keeps
    one per article, and loads faster with digests than with the values)."""
    plain = tuple(_plain(getattr(article, name)) for name in _METADATA_FIELDS)
    return hashlib.blake2b(repr(plain).encode(), digest_size=16).hexdigest()


def _plain(value: object) -> object:
    if isinstance(value, Region):
        return value.path
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value


@dataclasses.dataclass
class Plan:
    """What planning gave, and what is needed to reuse it."""

    archive: Archive
    pages: list[Page]
    fingerprints: dict[str, str]  # page URL → fingerprint
    refs: dict[str, list[int]]  # article id → indexes of the pages whose context holds it
    order: list[str]  # article ids, newest first
    metadata: list[str]  # per article, in order: metadata()
    digests: dict[str, str]  # article id → digest
    bulletins: list
    saved: SavedBase | None = None  # the plan file this plan differs from by bodies only

    @classmethod
    def make(cls, archive: Archive, pages: list[Page], bulletins: list) -> Plan:
        fingerprints: dict[str, str] = {}
        refs: dict[str, list[int]] = {}
        for index, page in enumerate(pages):
            held: list[str] = []
            fingerprints[page.url] = page_fingerprint(page, held)
            for article_id in set(held):
                refs.setdefault(article_id, []).append(index)
        return cls(archive, pages, fingerprints, refs, [a.id for a in archive.articles],
                   [metadata(a) for a in archive.articles],
                   {a.id: a.digest for a in archive.articles}, list(bulletins))

    def updated(self, articles: Sequence[Article], bulletins: list) -> Plan | None:
        """This plan with the articles' new bodies, or None when it must be made anew.

        An article whose digest (its file's bytes) did not change is the same article."""
        if bulletins != self.bulletins or [a.id for a in articles] != self.order:
            return None
        changed = {a.id: a for a in articles if self.digests[a.id] != a.digest}
        if not changed:
            return self
        changed_urls = {a.url: a for a in changed.values()}
        position = {article_id: i for i, article_id in enumerate(self.order)}
        if any(metadata(a) != self.metadata[position[a.id]] for a in changed.values()):
            return None
        old = self.archive
        archive = _with_bodies(old, list(articles), changed)
        tag_urls = {t.name: t.url for t in old.tags}
        bulletin_by_name = {b.name: b for b in bulletins}
        pages = list(self.pages)
        fingerprints = dict(self.fingerprints)
        for index in sorted({i for article_id in changed for i in self.refs.get(article_id, ())}):
            page = pages[index]
            if page.url in changed_urls:  # its own page: planned again (the body is in it)
                page = article_page(changed_urls[page.url], old, tag_urls, bulletin_by_name)
            pages[index] = page = Page(page.url, page.template, _swap(page.context, changed))
            fingerprints[page.url] = page_fingerprint(page)
        return Plan(archive, pages, fingerprints, self.refs, self.order, self.metadata,
                    {**self.digests, **{i: a.digest for i, a in changed.items()}}, list(bulletins),
                    self.saved)


def _with_bodies(old: Archive, articles: list[Article], changed: dict[str, Article]) -> Archive:
    """``old`` with the changed articles' new objects in the listings that have feeds (the
    feeds show bodies): only the region and tag nodes that hold a changed article."""
    regions = dict(old.regions)
    touched = {r.path for a in changed.values() for region in a.regions
               for r in ([region] if region.is_national else region.ancestors())}
    for path in touched:
        node = regions[path]
        regions[path] = dataclasses.replace(node, articles=_swap(node.articles, changed))
    names = {tag for a in changed.values() for tag in a.tags}
    tags = [dataclasses.replace(t, articles=_swap(t.articles, changed)) if t.name in names else t
            for t in old.tags]
    return dataclasses.replace(old, articles=articles, regions=regions, tags=tags,
                               provinces=[regions[n.region.path] for n in old.provinces])


@dataclasses.dataclass(frozen=True)
class SavedBase:
    """A plan file's full record: its token, and the fingerprints and digests it holds."""

    token: int
    fingerprints: dict[str, str]
    digests: dict[str, str]


PLAN_FORMAT = 3  # 3: metadata as digests
DELTA_MIN = 256  # changed fingerprints a delta may hold before the plan is saved whole


def save(plan: Plan, file: Path, key: str) -> None:
    """Keep ``plan`` for the next build process, valid while ``key`` (config, templates,
    code) is unchanged. Articles are stored by id, to be taken from that build's parse
    cache; article pages are not stored: on load, each is planned again when first read.

    A plan that differs from the saved one by bodies only (``plan.saved``) is kept as a
    small delta beside it: the fingerprints and digests that changed."""
    file.parent.mkdir(parents=True, exist_ok=True)
    base = plan.saved
    if base is not None:
        delta = ({u: f for u, f in plan.fingerprints.items() if base.fingerprints.get(u) != f},
                 {i: d for i, d in plan.digests.items() if base.digests.get(i) != d})
        if len(delta[0]) <= max(DELTA_MIN, len(plan.pages) // 16):
            replace_file(_delta_file(file), pickle.dumps((PLAN_FORMAT, key, base.token, *delta)))
            return
    token = time.time_ns()
    pages = [None if page.template == ARTICLE_TEMPLATE else page for page in plan.pages]
    state = (PLAN_FORMAT, key, token, plan.archive, pages, plan.fingerprints, plan.refs,
             plan.order, plan.metadata, plan.digests, plan.bulletins)
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, Article: _article_ref}
    pickler.dump(state)
    replace_file(file, buffer.getvalue())
    with contextlib.suppress(FileNotFoundError):
        _delta_file(file).unlink()
    plan.saved = SavedBase(token, plan.fingerprints, plan.digests)


def load(file: Path, key: str, articles: Sequence[Article]) -> Plan | None:
    """The plan ``save`` kept, with these articles in it (None: none kept, another key, or
    an article it holds is gone — then it could not be reused anyway)."""
    global _ARTICLES
    _ARTICLES = {a.id: a for a in articles}
    try:
        with file.open("rb") as fh, collector_paused():
            state = pickle.load(fh)
        if state[0] != PLAN_FORMAT or state[1] != key:
            return None
        token, archive, pages, fingerprints, refs, order, metadata_, digests, bulletins = state[2:]
    except (OSError, EOFError, KeyError, ValueError, TypeError, AttributeError, ImportError,
            IndexError, pickle.UnpicklingError):
        return None
    finally:
        _ARTICLES = None
    if sum(page is None for page in pages) != len(archive.articles):
        return None
    saved = SavedBase(token, fingerprints, digests)
    with contextlib.suppress(OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
        delta = pickle.loads(_delta_file(file).read_bytes())
        if delta[:3] == (PLAN_FORMAT, key, token):
            fingerprints, digests = {**fingerprints, **delta[3]}, {**digests, **delta[4]}
    tag_urls = {t.name: t.url for t in archive.tags}
    bulletin_by_name = {b.name: b for b in bulletins}
    articles_in_order = iter(archive.articles)  # plan_site's order of article pages
    pages = [page or LaterArticlePage(next(articles_in_order), archive, tag_urls,
                                      bulletin_by_name) for page in pages]
    return Plan(archive, pages, fingerprints, refs, order, metadata_, digests, bulletins, saved)


def site_key(config: Config, drafts: bool, future: bool = False) -> str:
    """What every page depends on besides its own context: templates, config, the code
    that makes pages, which articles are published. Plans and page fingerprints of another
    key are never reused."""
    h = hashlib.blake2b(digest_size=16)
    h.update(repr((__version__, _code_digest(), config.settings(), drafts, future)).encode())
    for name, path in theme_files(config).items():  # the project's over the default theme's
        h.update(name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


# The package's parts that make pages (an editable install, a version not bumped: pages
# and plans the old code made must not be reused). The search stage versions its own files.
_PAGE_CODE = {"content", "archive", "render", "data", "__init__.py", "build.py", "state.py", "config.py",
              "errors.py", "gazetteer.py"}


@functools.cache
def _code_digest() -> str:
    h = hashlib.blake2b(digest_size=16)
    package = Path(__file__).parent.parent
    for path in sorted(package.rglob("*")):
        rel = path.relative_to(package)
        if rel.parts[0] in _PAGE_CODE and path.suffix in (".py", ".json"):
            h.update(rel.as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _delta_file(file: Path) -> Path:
    return file.with_name(file.name + ".delta")


_ARTICLES: dict[str, Article] | None = None  # the articles a plan being loaded refers to


def _article_ref(article: Article):
    return _article_by_id, (article.id,)


def _article_by_id(article_id: str) -> Article:
    assert _ARTICLES is not None
    return _ARTICLES[article_id]


def _swap(value, changed: dict[str, Article]):
    """``value`` with the changed articles' new objects in place of the old ones (what a
    template reads: articles in lists, tuples, dicts and pagers)."""
    if isinstance(value, Article):
        return changed.get(value.id, value)
    if isinstance(value, list):
        return [_swap(v, changed) for v in value]
    if isinstance(value, tuple):
        return tuple(_swap(v, changed) for v in value)
    if isinstance(value, dict):
        return {k: _swap(v, changed) for k, v in value.items()}
    if isinstance(value, Pager):
        return dataclasses.replace(value, items=_swap(value.items, changed))
    return value


__all__ = ["BODY_FIELDS", "Plan", "load", "metadata", "save", "site_key"]
