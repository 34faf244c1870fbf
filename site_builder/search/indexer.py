"""Keep the Whoosh index in step with the articles: add, update_document, delete, never redo
what did not change. The index is a build product under ``.site-builder/index/``."""

from __future__ import annotations

import json
import shutil
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock

from ..config import Config
from ..content import Article
from ..errors import Diagnostic, SiteError, display_path
from .schema import SCHEMA_VERSION, document, make_schema

warnings.filterwarnings("ignore", category=SyntaxWarning, module=r"whoosh(\..*)?")

from whoosh import index as windex  # noqa: E402  (after the warning filter)

STATE_FILE = "state.json"
WRITER_TIMEOUT_SECONDS = 60.0  # another process writing the index: wait this long, then fail


def index_dir(config: Config) -> Path:
    """Where the Whoosh index of the last build lives (gitignored, outside output/)."""
    return config.root / ".site-builder" / "index"


def extra_words(config: Config) -> tuple[str, ...]:
    """Words the segmenter must keep whole: campaign tags and the configured dictionary."""
    words = {*config.ingest.tags, *config.search.user_dictionary}
    return tuple(sorted(w.strip() for w in words if w and w.strip()))


@dataclass
class IndexUpdate:
    """What one update did: ids added or changed, ids removed, and whether it started over."""

    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    rebuilt: bool = False
    documents: int = 0


def update_index(articles: Sequence[Article], config: Config) -> IndexUpdate:
    """Bring the index at ``index_dir(config)`` up to date with ``articles``."""
    where = index_dir(config)
    where.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(where.parent / "index.lock")):
        return _update(articles, config, where)


def _update(articles: Sequence[Article], config: Config, where: Path) -> IndexUpdate:
    words = extra_words(config)
    state_path = where / STATE_FILE
    state = _read_state(state_path)
    fresh = (state.get("version") != SCHEMA_VERSION or state.get("words") != list(words)
             or not _usable(where))
    docs = {a.id: document(a) for a in articles}
    known: dict[str, str] = {} if fresh else dict(state.get("digests", {}))
    update = IndexUpdate(rebuilt=fresh, documents=len(docs))
    if fresh:
        if where.exists():
            shutil.rmtree(where)
        where.mkdir(parents=True)
        ix = windex.create_in(str(where), make_schema(words))
    else:
        ix = windex.open_dir(str(where))
    update.changed = sorted(i for i, d in docs.items() if known.get(i) != d["digest"])
    update.removed = sorted(set(known) - set(docs))
    if update.changed or update.removed or fresh:
        try:
            writer = ix.writer(limitmb=256, timeout=WRITER_TIMEOUT_SECONDS)
        except windex.LockError as exc:
            ix.close()
            raise SiteError(Diagnostic(
                display_path(where, config.root), None,
                f"the search index is locked by another process (waited "
                f"{WRITER_TIMEOUT_SECONDS:g} s); is another site-builder running?")) from exc
        try:
            for doc_id in update.removed:
                writer.delete_by_term("id", doc_id)
            for doc_id in update.changed:
                if fresh:
                    writer.add_document(**docs[doc_id])
                else:
                    writer.update_document(**docs[doc_id])
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
    ix.close()
    state = {"version": SCHEMA_VERSION, "words": list(words),
             "digests": {i: d["digest"] for i, d in sorted(docs.items())}}
    state_path.write_text(json.dumps(state, ensure_ascii=False, indent=0), encoding="utf-8")
    return update


def _usable(where: Path) -> bool:
    """An index we can open; one from another version or damaged is rebuilt, not trusted."""
    try:
        return windex.exists_in(str(where))
    except Exception:  # whoosh raises anything from pickle errors to struct errors
        return False


def _read_state(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def open_index(config: Config):
    """The Whoosh index of the last build, or None if there is none."""
    where = index_dir(config)
    if not _usable(where):
        return None
    return windex.open_dir(str(where))


def whoosh_docnums(reader) -> dict[str, int]:
    """Order key → Whoosh document number, for the live documents."""
    column = reader.column_reader("order")
    return {column[d]: d for d in reader.all_doc_ids()}


def browser_dir(config: Config) -> Path:
    """The last export of the browser index, which the CLI reads too (grams.py)."""
    return index_dir(config) / "browser"
