"""Search stage: exact Chinese full-text search with Whoosh, exported for the browser.

Entry points: ``write_search_index`` (called by the build), ``search_command`` (the CLI),
``SearchIndex`` (the dev server), ``index_dir`` (where the Whoosh index lives).
"""

from .command import search_command
from .engine import SearchIndex
from .export import write_search_index
from .indexer import browser_dir, index_dir, open_index

__all__ = ["SearchIndex", "browser_dir", "index_dir", "open_index", "search_command",
           "write_search_index"]
