"""Content stage: markdown files with front-matter → validated Article objects."""

from .article import KINDS, Article
from .loader import Library, load_library

__all__ = ["KINDS", "Article", "Library", "load_library"]
