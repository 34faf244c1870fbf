"""The one analyzer used to index and to query: folding, exact character grams and words.

Matching is exact: a query term matches the articles whose text contains it, after folding
(traditional → simplified per character with OpenCC, full-width → ASCII, lower case) and with
white space ignored. Folding works character by character, so ``fold(a + b) == fold(a) +
fold(b)``: a string contained in a text is still contained after folding, which OpenCC's
phrase-level conversion would not guarantee (乾隆 vs 乾淨).

Two token streams come out of a text:

* grams — character bigrams at their true positions in the folded, space-free text, plus the
  single characters. "q is a substring" is then exactly "the bigrams of q occur at consecutive
  positions", a phrase query; a one-character term is a unigram lookup.
* words — jieba (rjieba) search-mode segments, used only for ranking, never for matching.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from functools import cache, lru_cache

from ..segment import search_engine, simplifier
from .reader import ZERO_WIDTH as _ZERO_WIDTH  # invisible characters, ignored like spaces

# Separates the parts of one document (title, subtitle, authors, ...) in one string; no gram
# spans it. A control character the content stage never lets through.
PART_SEPARATOR = "\x1f"

# Campaign vocabulary every site gets; config.ingest.tags and config.search.user_dictionary
# add to it. Words the stock jieba dictionary splits, so ranking sees them whole.
CAMPAIGN_WORDS = (
    "送温暖", "两节", "娘家人", "新就业形态", "新就业形态劳动者", "留岗过年", "就地过年",
    "稳岗留工", "快递小哥", "外卖骑手", "网约车司机", "货车司机", "困难职工", "户外劳动者",
    "职工之家", "新春慰问", "工会常伴", "贴心送暖", "春送岗位", "暖心驿站", "爱心驿站",
    "户外劳动者服务站点", "职工服务中心", "帮扶中心", "困难职工帮扶", "劳模", "劳模工匠",
    "一线职工", "农民工", "返岗", "复工复产", "疫情防控", "技能培训", "法律援助", "年货",
    "慰问金", "慰问品", "微心愿", "工会会员", "总工会", "全总", "12351",
)

def is_ignored(char: str) -> bool:
    """White space and invisible characters: never part of a match, on either side."""
    return char.isspace() or char in _ZERO_WIDTH


@cache
def fold_char(char: str) -> str:
    """One character → one character: simplified, half-width, lower case.

    Each step is kept only if it yields exactly one character, so positions never shift and
    highlight offsets stay true.
    """
    out = simplifier().convert(char)
    if len(out) != 1:
        out = char
    if "\uff01" <= out <= "\uff5e" and out.isalnum():  # full-width ASCII letters and digits
        out = chr(ord(out) - 0xFEE0)
    lower = out.lower()
    return lower if len(lower) == 1 else out


class _Tables:
    """str.translate tables grown as new characters are seen (translate runs in C)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.fold: dict[int, str] = {}
        self.fold_strip: dict[int, str | None] = {}
        self.changed: set[str] = set()  # characters that fold or vanish, white space aside
        self.lock = threading.Lock()

    def learn(self, text: str | set[str]) -> None:
        new = (text if isinstance(text, set) else set(text)) - self.seen
        if not new:
            return
        with self.lock:
            for char in new:
                folded = fold_char(char)
                if folded != char:
                    self.fold[ord(char)] = folded
                    self.fold_strip[ord(char)] = folded
                    self.changed.add(char)
                if is_ignored(char):
                    self.fold_strip[ord(char)] = None
                    if not char.isspace():
                        self.changed.add(char)
            self.seen |= new


_TABLES = _Tables()


def fold(text: str) -> str:
    """Fold every character; keeps length and white space."""
    chars = set(text)
    _TABLES.learn(chars)
    if chars.isdisjoint(_TABLES.changed):
        return text
    return text.translate(_TABLES.fold)


def normalize(text: str) -> str:
    """The matching form: folded, white space removed."""
    chars = set(text)
    _TABLES.learn(chars)
    if chars.isdisjoint(_TABLES.changed):  # the common case: only white space to drop
        return "".join(text.split())  # split() drops exactly the str.isspace() characters
    return text.translate(_TABLES.fold_strip)


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """The matching form and, for each of its characters, its index in ``text``."""
    chars: list[str] = []
    offsets: list[int] = []
    for i, char in enumerate(text):
        if not is_ignored(char):
            chars.append(fold_char(char))
            offsets.append(i)
    return "".join(chars), offsets


# --- words -------------------------------------------------------------------------------


class Segmenter:
    """rjieba (jieba-rs: jieba's dictionary and algorithm, ~30x faster) with our words added."""

    def __init__(self, extra_words: Iterable[str] = ()):
        self.words = tuple(sorted({w.strip() for w in (*CAMPAIGN_WORDS, *extra_words)
                                   if w and w.strip()}))
        self._jieba = search_engine()
        self._known: dict[str, str] = {}
        for word in self.words:
            self._jieba.add_word(fold(word), None, None)

    def words_of(self, text: str) -> list[str]:
        """Search-mode words of folded text; punctuation and spaces dropped."""
        word = self._word
        return [w for w in map(word, self._jieba.cut_for_search(fold(text))) if w]

    def word_counts(self, text: str) -> Counter:
        """words_of(text), counted."""
        out: Counter = Counter()
        word = self._word
        for token, n in Counter(self._jieba.cut_for_search(fold(text))).items():
            w = word(token)
            if w:
                out[w] += n
        return out

    def _word(self, token: str) -> str:
        """The word a segment counts as ('' for punctuation and spaces); memoized."""
        known = self._known.get(token)
        if known is None:
            stripped = token.strip()
            known = stripped if any(c.isalnum() for c in stripped) else ""
            if len(self._known) < 1_000_000:
                self._known[token] = known
        return known


@lru_cache(maxsize=8)
def segmenter(extra_words: tuple[str, ...] = ()) -> Segmenter:
    return Segmenter(extra_words)
