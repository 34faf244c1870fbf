"""The query side of the exported gram postings (grams.py writes them): find a record in a
shard, decode its blocks, match a term exactly, score it, fold a query like the analyzer.

``Postings`` is what the Whoosh query type (exact.py) reads; search.js implements the same
rules over the same files, so the CLI and the browser match and score alike. These are the
only decoders of the format: the build's patches decode blocks with them too.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Callable, Iterator
from itertools import compress
from pathlib import Path

# Records a query needs together share a family; title records stay apart from the large
# position lists, which only queries of 3+ characters outside the vocabulary fetch.
# ``k``: keyword postings (``region:<path>``, ``tag:<tag>``, ``author:<name>``) for filters.
FAMILY_OF = {"d": "g", "k": "g", "t": "t", "P": "t", "p": "p", "h": "w", "w": "w"}
BLOCK_BITS = 8
BLOCK = 1 << BLOCK_BITS
BITS = bytes.maketrans(b"01", b"\0\1")

# Field lengths as one byte: exact up to 127, then ~6 % steps (integers only, so search.js
# builds the same table). Per document, in LENGTHS_FILE: every title's, then every body's.
LENGTHS_FILE = "lengths.bin"
DATES_FILE = "dates.bin"  # per document its date as u32 yyyymmdd (0: the year only)
FORMAT_VERSION = 7  # of the export (manifest "version"); 7: keyword records, dates.bin
LENGTHS: list[int] = list(range(128))
while len(LENGTHS) < 256:
    LENGTHS.append(LENGTHS[-1] + max(1, LENGTHS[-1] >> 4))

# A term's score is rounded to a multiple of 2^-SCORE_BITS (~1e-6), identically in search.js:
# sums of a few such numbers are exact in a double, so a document's total does not depend on
# the order Whoosh's matcher tree (or the browser) adds its terms in.
SCORE_BITS = 20


def quantized(score: float) -> float:
    return math.floor(score * (1 << SCORE_BITS) + 0.5) / (1 << SCORE_BITS)


class StaleIndex(Exception):
    """An export of another format version, or none: the user must build again."""


def shard_of(term: str, shards: int) -> int:
    return zlib.crc32(term.encode("utf-8")) % shards


def find_record(shard: bytes, kind: str, term: str) -> bytes | None:
    """The payload of record (kind, term) in a shard, or None."""
    want_kind, want = ord(kind), term.encode("utf-8")
    i, end = 0, len(shard)
    while i < end:
        k = shard[i]
        n, i = get_uint(shard, i + 1)
        t = shard[i:i + n]
        size, i = get_uint(shard, i + n)
        if k == want_kind and t == want:
            return shard[i:i + size]
        i += size
    return None


def get_uint(data: bytes, i: int) -> tuple[int, int]:
    """The LEB128 varint at ``i`` and the index after it."""
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, i
        shift += 7


def _uints(data: bytes, start: int, end: int) -> list[int]:
    """Every varint in data[start:end]."""
    out = []
    append = out.append
    value = shift = 0
    for byte in data[start:end]:
        if byte < 0x80:
            append(value | byte << shift)
            value = shift = 0
        else:
            value |= (byte & 0x7F) << shift
            shift += 7
    return out


def blocks(payload: bytes) -> Iterator[tuple[int, bytes]]:
    """(block number, block bytes) of a record payload."""
    i, end = 0, len(payload)
    while i < end:
        number, i = get_uint(payload, i)
        size, i = get_uint(payload, i)
        yield number, payload[i:i + size]
        i += size


# --- block decoders (documents numbered from ``base``) ---------------------------------------

def decode_docs(data: bytes, base: int = 0) -> list[int]:
    """A ``d``, ``k`` or ``t`` block: listed gaps, or a bitmap."""
    if data[0] == 1:
        # one bit per document, least significant first: as b"\0"/b"\1" flags (in C)
        flags = bin(int.from_bytes(data[1:], "little"))[:1:-1]
        return list(compress(range(base, base + len(flags)), flags.encode().translate(BITS)))
    values = _uints(data, 1, len(data))
    out, last = [], base
    for gap in values[1:]:
        last += gap
        out.append(last)
    return out


def decode_positions(data: bytes, base: int = 0) -> list[tuple[int, list[int]]]:
    """A ``p`` or ``P`` block: per document its bigram positions."""
    values = _uints(data, 0, len(data))
    out: list[tuple[int, list[int]]] = []
    last, i = base, 1
    for _ in range(values[0]):
        last += values[i]
        n = values[i + 1]
        i += 2
        poses, prev = [], 0
        for step in values[i:i + n]:
            prev += step
            poses.append(prev)
        i += n
        out.append((last, poses))
    return out


def decode_words(data: bytes, base: int = 0) -> list[tuple[int, int]]:
    """An ``h`` or ``w`` block: per document the term frequency of the word."""
    values = _uints(data, 0, len(data))
    out, last = [], base
    for k in range(1, 2 * values[0], 2):
        last += values[k]
        out.append((last, values[k + 1]))
    return out


BLOCK_DECODERS: dict[str, Callable] = {
    "d": decode_docs, "k": decode_docs, "t": decode_docs, "p": decode_positions,
    "P": decode_positions, "h": decode_words, "w": decode_words}


def decode(kind: str, payload: bytes | None) -> list:
    """Every entry of a record, documents numbered from 0 across blocks."""
    decoder = BLOCK_DECODERS[kind]
    out: list = []
    for number, data in blocks(payload or b""):
        out.extend(decoder(data, number << BLOCK_BITS))
    return out


def covering_bigrams(term: str) -> list[tuple[int, str]]:
    offsets = list(range(0, len(term) - 1, 2))
    if offsets[-1] != len(term) - 2:
        offsets.append(len(term) - 2)
    return [(o, term[o:o + 2]) for o in offsets]


class Postings:
    """The exported index in ``folder``, open for queries: exact matches and term scores by
    export document number (documents numbered oldest first), computed once per term."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        try:
            self.manifest = json.loads(self._read("manifest.json"))
        except (OSError, ValueError) as error:
            raise StaleIndex("no search index: run site-builder build first") from error
        if self.manifest.get("version") != FORMAT_VERSION:
            raise StaleIndex("the search index was made by another version of site-builder: "
                             "run site-builder build")
        self.documents: int = self.manifest["documents"]
        self.vocabulary = set(self.manifest["vocabulary"])
        self.folding = Folding(self.folder, self.manifest["fold_pages"])
        self._shards: dict[tuple[str, int], bytes] = {}
        self._files: dict[str, bytes] = {}
        self._matches: dict[tuple[str, bool], dict[int, int]] = {}
        self._scores: dict[str, dict[int, float]] = {}

    def _read(self, rel: str) -> bytes:
        return (self.folder / rel).read_bytes()

    def file(self, rel: str) -> bytes:
        if rel not in self._files:
            try:
                self._files[rel] = self._read(rel)
            except FileNotFoundError:
                self._files[rel] = b""
        return self._files[rel]

    def json(self, rel: str):
        return json.loads(self.file(rel) or b"null")

    def record(self, kind: str, term: str) -> bytes | None:
        family = FAMILY_OF[kind]
        number = shard_of(term, self.manifest["shards"][family])
        if (family, number) not in self._shards:
            try:
                self._shards[(family, number)] = self._read(f"{family}/{number}.bin")
            except FileNotFoundError:
                self._shards[(family, number)] = b""
        return find_record(self._shards[(family, number)], kind, term)

    def keyword(self, field: str, value: str) -> list[int]:
        """Documents with ``value`` in a keyword field (region paths, tags, authors)."""
        return decode("k", self.record("k", f"{field}:{value}"))

    def counted(self, term: str) -> bool:
        """Is the term proven with bigram positions (so its occurrences are counted)?"""
        return len(term) > 2 and term not in self.vocabulary

    def matches(self, term: str, title: bool = False) -> dict[int, int]:
        """Documents whose normalized text (title=True: title) contains ``term``, with its
        number of occurrences there when ``counted(term)`` (else 1)."""
        key = (term, title)
        if key not in self._matches:
            self._matches[key] = self._match(term, title)
        return self._matches[key]

    def _match(self, term: str, title: bool) -> dict[int, int]:
        if len(term) <= 2:
            kind = "t" if title else "d"
            return dict.fromkeys(decode(kind, self.record(kind, term)), 1)
        if not title and term in self.vocabulary:
            return dict.fromkeys(decode("d", self.record("d", term)), 1)
        return self._positions(term, "P" if title else "p")

    def _positions(self, term: str, kind: str) -> dict[int, int]:
        lists = [(offset, dict(decode(kind, self.record(kind, gram))))
                 for offset, gram in covering_bigrams(term)]
        common = set(lists[0][1])
        for _, postings in lists[1:]:
            common &= postings.keys()
        out = {}
        for d in sorted(common):
            starts = {p - lists[0][0] for p in lists[0][1][d]}
            for offset, postings in lists[1:]:
                starts &= {p - offset for p in postings[d]}
                if not starts:
                    break
            if starts:
                out[d] = len(starts)
        return out

    def scores(self, term: str) -> dict[int, float]:
        """Per document containing ``term``: MATCH, + TITLE_HIT if its title contains it,
        + BM25F of the term (title ×TITLE_BOOST, body): as a word (its word postings) when
        it is one, else counted from its occurrences (``counted``); rounded (``quantized``).
        The operations and their order are search.js termScores'."""
        if term not in self._scores:
            self._scores[term] = self._score(term)
        return self._scores[term]

    def _score(self, term: str) -> dict[int, float]:
        s = self.manifest["scoring"]
        every = self.matches(term)
        titled = self.matches(term, title=True)
        title_words = decode("h", self.record("h", term))
        body_words = decode("w", self.record("w", term))
        if not title_words and not body_words and self.counted(term):
            title_words = sorted(titled.items())
            body_words = [(d, c - titled.get(d, 0)) for d, c in sorted(every.items())
                          if c > titled.get(d, 0)]
        n, k1, b = s["documents"], s["k1"], s["b"]
        lengths = self.file(LENGTHS_FILE)  # every title's length byte, then every body's
        weights: dict[int, float] = {}
        for field, postings, boost, at in (("title", title_words, s["title_boost"], 0),
                                           ("body", body_words, 1, n)):
            idf = math.log(n / (len(postings) + 1)) + 1
            avg = s["avg_length"][field]
            norms = [k1 * ((1 - b) + b * length / avg) for length in LENGTHS]
            for d, tf in postings:
                score = idf * ((tf * (k1 + 1)) / (tf + norms[lengths[at + d]]))
                if boost != 1:
                    score *= boost
                weights[d] = weights[d] + score if d in weights else score
        out = {}
        for d in every:
            base = s["match"] + s["title_hit"] if d in titled else s["match"]
            out[d] = quantized(base + weights[d] if d in weights else base)
        return out

    def year_docs(self, low: int | None, high: int | None) -> set[int]:
        """Documents of the years low..high (None: open), from the manifest's year runs."""
        runs, found = self.manifest["year_runs"], set()
        for i, (year, start) in enumerate(runs):
            if (low is None or year >= low) and (high is None or year <= high):
                found.update(range(start, runs[i + 1][1] if i + 1 < len(runs) else self.documents))
        return found


# --- folding from the exported table (what search.js does) ---------------------------------

# Invisible characters ignored like white space on both sides of a match: zero-width
# characters and the bidirectional marks and controls (analysis.is_ignored uses these).
ZERO_WIDTH = ("\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u061c"
              "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Every character for which str.isspace() is true (tests check the list against Python's).
WHITE_SPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
               "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
DELETE_IGNORED = dict.fromkeys(map(ord, WHITE_SPACE + ZERO_WIDTH))
DELETE_INVISIBLE = dict.fromkeys(map(ord, ZERO_WIDTH))
IGNORED_TO_SPACE = dict.fromkeys(map(ord, WHITE_SPACE + ZERO_WIDTH), " ")
ASCII_UPPER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


class Folding:
    """analysis.fold_char from the export's ``fold/<page>.json`` tables (equal to it by
    construction, tests check), loaded a 256-code-point page at a time: no OpenCC for a
    query. ``pairs`` ("aA" runs: a document's own folds) are used without loading pages.

    Folding maps one character to one character and ASCII only to lower case, so it is a
    str.translate table (run in C)."""

    def __init__(self, folder: Path | None, pages: list[int] | None, pairs: str = "") -> None:
        self.folder = folder
        self.pages = set(pages or ())
        self.loaded: set[int] = set()
        self.table: dict[int, int] = dict(ASCII_UPPER)
        self._add(pairs)

    def _add(self, pairs: str) -> None:
        self.table.update(zip(map(ord, pairs[0::2]), map(ord, pairs[1::2]), strict=True))

    def with_pairs(self, pairs: str) -> Folding:
        """This folding and a document's own pairs (no page loaded for its characters)."""
        other = Folding(None, None)
        other.table = {**self.table}
        other._add(pairs)
        return other

    def _load(self, text: str) -> None:
        if self.folder is None or text.isascii():
            return
        wanted = {ord(c) >> 8 for c in set(text) if c >= "\x80"} & self.pages
        for page in sorted(wanted - self.loaded):
            self._add(json.loads((self.folder / "fold" / f"{page}.json").read_bytes()))
            self.loaded.add(page)

    def normalize(self, text: str) -> str:
        """analysis.normalize: folded, white space and invisible characters removed."""
        self._load(text)
        return text.translate(DELETE_IGNORED).translate(self.table)

    def normalize_with_offsets(self, text: str) -> tuple[str, list[int]]:
        """analysis.normalize_with_offsets."""
        self._load(text)
        offsets: list[int] = []
        marked = text.translate(IGNORED_TO_SPACE)  # every ignored character is one " "
        last = 0
        gap = marked.find(" ")
        while gap != -1:
            offsets.extend(range(last, gap))
            last = gap + 1
            gap = marked.find(" ", last)
        offsets.extend(range(last, len(text)))
        return text.translate(DELETE_IGNORED).translate(self.table), offsets


def index_folder(root: str | Path) -> Path:
    """Where a project's search index lives (gitignored, outside output/)."""
    return Path(root, ".site-builder", "index")


__all__ = ["Folding", "Postings", "StaleIndex", "decode"]
