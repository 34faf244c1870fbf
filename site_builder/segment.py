"""Chinese word segmentation for the whole project: the one place that loads a segmenter.

Two engines, both with jieba's dictionary and algorithm:

* ``dictionary()`` — jieba (Python), for ingest: dictionary frequencies (is a place name
  also a common word?), part-of-speech tags (is this a personal name?) and word spans
  (does a dictionary word straddle a line break?). Only the Python package exposes these.
* ``search_engine()`` — rjieba (jieba-rs, ~30x faster at cutting), for search ranking, where
  only the cut is needed and thousands of articles are cut per build.

Both load lazily: a command that never segments never pays for a dictionary. The same
goes for ``simplifier()``, the traditional → simplified converter that ingest (place and tag
matching on a folded copy) and search (folding) share.
"""

from __future__ import annotations

from functools import cache


@cache
def simplifier():
    """OpenCC's traditional → simplified converter (``.convert(text)``), made once."""
    from opencc import OpenCC

    return OpenCC("t2s")


@cache
def dictionary():
    """The initialised ``jieba`` module (dictionary loaded, log quiet)."""
    import logging
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        import jieba
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def frequency(word: str) -> int:
    """How often jieba's dictionary has seen the word (0 when it is not a dictionary word)."""
    return dictionary().dt.FREQ.get(word, 0)


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """Dictionary words of the text as (word, start, end), without HMM guessing."""
    return list(dictionary().tokenize(text, HMM=False))


def words(text: str) -> list[str]:
    """The text cut into dictionary words (no HMM guessing)."""
    return dictionary().lcut(text, HMM=False)


def word_tag(word: str) -> str:
    """The dictionary's part-of-speech tag of a word ('' when the dictionary lacks it)."""
    import jieba.posseg

    dictionary()
    return jieba.posseg.dt.word_tag_tab.get(word, "")


def tagged(text: str) -> list[tuple[str, str]]:
    """(word, part-of-speech tag) pairs of the text, HMM on (names are out of dictionary)."""
    import jieba.posseg

    dictionary()
    return [(t.word, t.flag) for t in jieba.posseg.cut(text, HMM=True)]


_DEFAULT_CLAIMED = False


def search_engine():
    """A fresh rjieba segmenter for search's vocabulary.

    rjieba builds a segmenter with jieba's dictionary when imported, which this
    project never uses as is: the first caller takes it instead of building a second one."""
    global _DEFAULT_CLAIMED
    import rjieba

    default = getattr(rjieba, "_DEFAULT_JIEBA", None)
    if not _DEFAULT_CLAIMED and isinstance(default, rjieba.Jieba):
        _DEFAULT_CLAIMED = True
        return default
    return rjieba.Jieba()
