"""Search stage: exact Chinese full-text search, exported for the browser, queried with Whoosh.

Entry points: ``write_search_index`` (called by the build), ``search_command`` (the CLI),
``SearchIndex`` (a query on a project's index: the CLI and the dev server), ``ExactParser``
and ``Ranked`` (Whoosh's parser and order for this index, for Python users), ``index_dir``
and ``browser_dir`` (where the index lives). Imported lazily, so a command that does not
search does not load the search modules.
"""

from __future__ import annotations

from importlib import import_module

_WHERE = {"ExactParser": "exact", "Ranked": "exact", "SearchIndex": "engine",
          "browser_dir": "indexer", "index_dir": "indexer", "search_command": "command",
          "write_search_index": "export"}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(name)
