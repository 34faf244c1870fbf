"""Search stage: exact Chinese full-text search, exported for the browser, with Whoosh.

Entry points: ``write_search_index`` (called by the build), ``search_command`` (the CLI),
``SearchIndex`` (the dev server), ``index_dir`` (where the index lives). Imported lazily, so
``site-builder search`` does not load the build's modules.
"""

from __future__ import annotations

from importlib import import_module

_WHERE = {"SearchIndex": "engine", "browser_dir": "indexer", "index_dir": "indexer",
          "open_index": "indexer", "search_command": "command",
          "write_search_index": "export"}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(name)
