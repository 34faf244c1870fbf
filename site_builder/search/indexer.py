"""The Whoosh index beside the export: created once, then ``update_document`` for the
articles that changed and ``delete_by_term`` for the removed ones. A build product under
``.site-builder/index/``."""

from __future__ import annotations

import warnings

INDEX_DIR = (".site-builder", "index")  # under the project's root (reader.index_folder)
BROWSER_DIR = "browser"  # in INDEX_DIR: the export the browser's files are copied from

TYPE_CHECKING = False  # typing is not imported: a query process does not need it
if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path  # nor pathlib: the CLI joins these names with os.path

    from ..config import Config
    from ..content import Article

warnings.filterwarnings("ignore", category=SyntaxWarning, module=r"whoosh(\..*)?")

IDS_FILE = "ids.txt"  # in browser_dir: the article id of each document number (CLI only)
WRITER_TIMEOUT_SECONDS = 60.0  # another process writing the index: wait this long, then fail


def _windex():
    """whoosh.index, imported on first use (a build that changes nothing does not need it)."""
    from whoosh import index

    return index


def index_dir(config: Config) -> Path:
    """Where the Whoosh index of the last build lives (gitignored, outside output/)."""
    return index_dir_of(config.root)


def index_dir_of(root: Path) -> Path:
    """index_dir of the project in ``root`` (the folder of its config file)."""
    return root.joinpath(*INDEX_DIR)


def browser_dir(config: Config) -> Path:
    """The last export of the browser index, which the CLI reads too (grams.py)."""
    return browser_dir_of(config.root)


def browser_dir_of(root: Path) -> Path:
    return index_dir_of(root) / BROWSER_DIR


def extra_words(config: Config) -> tuple[str, ...]:
    """Words the segmenter must keep whole: campaign tags and the configured dictionary."""
    words = {*config.ingest.tags, *config.search.user_dictionary}
    return tuple(sorted(w.strip() for w in words if w and w.strip()))


def create_whoosh(where: Path, articles: Iterable[Article]) -> None:
    """A new Whoosh index holding ``articles``, numbered in order (replacing whatever was
    there)."""
    import shutil

    from .export import doc_view
    from .schema import document, make_schema

    windex = _windex()
    if where.exists():
        shutil.rmtree(where)
    where.mkdir(parents=True)
    ix = windex.create_in(str(where), make_schema())
    writer = ix.writer(limitmb=128)
    try:
        for number, article in enumerate(articles):
            writer.add_document(**document(article, number, doc_view(article)))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    ix.close()


def update_whoosh(where: Path, changed: Iterable[tuple[int, Article]],
                  removed: Iterable[str]) -> None:
    """update_document for the articles at changed document numbers (edited, or moved in
    the order), delete for removed ids."""
    changed, removed = list(changed), list(removed)
    if not changed and not removed:
        return
    from ..errors import Diagnostic, SiteError, display_path
    from .export import doc_view
    from .schema import document

    windex = _windex()
    ix = windex.open_dir(str(where))
    try:
        writer = ix.writer(timeout=WRITER_TIMEOUT_SECONDS)
    except windex.LockError as exc:
        ix.close()
        raise SiteError(Diagnostic(
            display_path(where), None,
            f"the search index is locked by another process (waited "
            f"{WRITER_TIMEOUT_SECONDS:g} s); is another site-builder running?")) from exc
    try:
        for doc_id in removed:
            writer.delete_by_term("id", doc_id)
        for number, article in changed:
            writer.update_document(**document(article, number, doc_view(article)))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    ix.close()


def usable(where: Path) -> bool:
    """An index we can open; one from another version or damaged is rebuilt, not trusted."""
    try:
        return _windex().exists_in(str(where))
    except Exception:  # whoosh raises anything from pickle errors to struct errors
        return False
