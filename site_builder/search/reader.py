"""The query side of the exported index format (grams.py writes it): find a record in a
shard, decode its postings, match a term, fold a query with the exported folding table.

Kept apart from grams.py so a query imports no encoder tables (grams builds 16,384 varints
at import) and decodes with inlined loops: ``site-builder search`` is one short process per
query. tests/test_search_cli_startup.py checks these decoders against grams.py's.
"""

from __future__ import annotations

import os
import zlib
from itertools import compress

TYPE_CHECKING = False  # typing itself is not imported: a query process does not need it
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

# Records a query needs together share a family; title records stay apart from the large
# position lists, which only queries of 3+ characters outside the vocabulary fetch.
FAMILY_OF = {"d": "g", "t": "t", "P": "t", "p": "p", "h": "w", "w": "w"}
BLOCK_BITS = 8
BLOCK = 1 << BLOCK_BITS
BITS = bytes.maketrans(b"01", b"\0\1")

# Field lengths as one byte: exact up to 127, then ~6 % steps (integers only, so search.js
# builds the same table). Per document, in LENGTHS_FILE: every title's, then every body's.
LENGTHS_FILE = "lengths.bin"
FORMAT_VERSION = 6  # of the export (manifest "version"); 5: documents numbered oldest first;
# 6: field lengths in LENGTHS_FILE, not in the word postings
LENGTHS: list[int] = list(range(128))
while len(LENGTHS) < 256:
    LENGTHS.append(LENGTHS[-1] + max(1, LENGTHS[-1] >> 4))


def shard_of(term: str, shards: int) -> int:
    return zlib.crc32(term.encode("utf-8")) % shards


def find_record(shard: bytes, kind: str, term: str) -> bytes | None:
    """The payload of record (kind, term) in a shard, or None."""
    want_kind, want = ord(kind), term.encode("utf-8")
    i, end = 0, len(shard)
    while i < end:
        k = shard[i]
        i += 1
        n = shift = 0
        while True:
            byte = shard[i]
            i += 1
            n |= (byte & 0x7F) << shift
            if byte < 0x80:
                break
            shift += 7
        t = shard[i:i + n]
        i += n
        size = shift = 0
        while True:
            byte = shard[i]
            i += 1
            size |= (byte & 0x7F) << shift
            if byte < 0x80:
                break
            shift += 7
        if k == want_kind and t == want:
            return shard[i:i + size]
        i += size
    return None


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


def _uint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, i
        shift += 7


def _blocks(payload: bytes):
    i, end = 0, len(payload)
    while i < end:
        number, i = _uint(payload, i)
        size, i = _uint(payload, i)
        yield number << BLOCK_BITS, payload, i, i + size
        i += size


def decode_docs(payload: bytes | None) -> list[int]:
    """Documents of a ``d`` or ``t`` record, ascending."""
    out: list[int] = []
    for base, data, start, end in _blocks(payload or b""):
        if data[start] == 1:
            # one bit per document, least significant first: as b"\0"/b"\1" flags (in C)
            flags = bin(int.from_bytes(data[start + 1:end], "little"))[:1:-1]
            out.extend(compress(range(base, base + len(flags)), flags.encode().translate(BITS)))
            continue
        values = _uints(data, start + 1, end)
        last = base
        for gap in values[1:]:
            last += gap
            out.append(last)
    return out


def decode_positions(payload: bytes | None) -> list[tuple[int, list[int]]]:
    """(document, positions) of a ``p`` or ``P`` record."""
    out: list[tuple[int, list[int]]] = []
    for base, data, start, end in _blocks(payload or b""):
        values = _uints(data, start, end)
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


def decode_words(payload: bytes | None) -> list[tuple[int, int]]:
    """(document, term frequency) of an ``h`` or ``w`` record."""
    out: list[tuple[int, int]] = []
    append = out.append
    for base, data, start, _end in _blocks(payload or b""):
        count, i = _uint(data, start)
        last = base
        for _ in range(count):
            gap = data[i]  # one-byte varints inline: almost every gap and frequency
            if gap < 0x80:
                i += 1
            else:
                gap, i = _uint(data, i)
            last += gap
            tf = data[i]
            if tf < 0x80:
                i += 1
            else:
                tf, i = _uint(data, i)
            append((last, tf))
    return out


DECODERS: dict[str, Callable] = {"d": decode_docs, "t": decode_docs, "p": decode_positions,
                                 "P": decode_positions, "h": decode_words, "w": decode_words}


def decode(kind: str, payload: bytes | None) -> list:
    """Every entry of a record, documents numbered from 0 across blocks (grams.decode)."""
    return DECODERS[kind](payload)


def covering_bigrams(term: str) -> list[tuple[int, str]]:
    offsets = list(range(0, len(term) - 1, 2))
    if offsets[-1] != len(term) - 2:
        offsets.append(len(term) - 2)
    return [(o, term[o:o + 2]) for o in offsets]


def match_docs(record: Callable[[str, str], bytes | None], term: str, vocabulary: set[str],
               title: bool = False) -> set[int]:
    """Documents (title=True: titles) whose normalized text contains ``term`` (the rules
    search.js follows too)."""
    if len(term) <= 2:
        return set(decode_docs(record("t" if title else "d", term)))
    if not title and term in vocabulary:
        return set(decode_docs(record("d", term)))
    kind = "P" if title else "p"
    lists = [(offset, dict(decode_positions(record(kind, gram))))
             for offset, gram in covering_bigrams(term)]
    common = set(lists[0][1])
    for _, postings in lists[1:]:
        common &= postings.keys()
    out = set()
    for d in common:
        starts = {p - lists[0][0] for p in lists[0][1][d]}
        for offset, postings in lists[1:]:
            starts &= {p - offset for p in postings[d]}
            if not starts:
                break
        if starts:
            out.add(d)
    return out


# --- folding from the exported table (what search.js does) ---------------------------------

# Invisible characters ignored like white space on both sides of a match (analysis.is_ignored
# uses these; defined here so a query does not import the analyzer).
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
# Every character for which str.isspace() is true (tests check the list against Python's).
WHITE_SPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
               "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
# analysis.is_ignored as str.translate tables (in C, and no re to import for a query)
DELETE_IGNORED = dict.fromkeys(map(ord, WHITE_SPACE + ZERO_WIDTH))
IGNORED_TO_SPACE = dict.fromkeys(map(ord, WHITE_SPACE + ZERO_WIDTH), " ")
ASCII_UPPER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


class Folding:
    """analysis.fold_char from the export's ``fold/<page>.json`` tables (equal to it by
    construction, tests check), loaded a 256-code-point page at a time: no OpenCC for a
    query. ``pairs`` ("aA" runs: a document's own folds) are used without loading pages;
    ``tables`` (page: pairs, the CLI's docstore keeps them) instead of reading the files.

    Folding maps one character to one character and ASCII only to lower case, so it is a
    str.translate table (run in C)."""

    def __init__(self, folder: str | Path | None, pages: list[int] | None,
                 pairs: str = "", tables: dict[int, str] | None = None) -> None:
        self.folder = folder
        self.pages = set(pages or ())
        self.tables = tables
        self.loaded: set[int] = set()
        self.table: dict[int, int] = dict(ASCII_UPPER)
        self._add(pairs)
        self.complete = folder is None and tables is None  # the caller knows every fold

    def _add(self, pairs: str) -> None:
        self.table.update(zip(map(ord, pairs[0::2]), map(ord, pairs[1::2]), strict=True))

    def _load(self, text: str) -> None:
        if self.complete or text.isascii():
            return
        wanted = {ord(c) >> 8 for c in set(text) if c >= "\x80"} & self.pages
        for page in sorted(wanted - self.loaded):
            if self.tables is not None:
                self._add(self.tables[page])
            else:
                import json

                with open(os.path.join(self.folder, "fold", f"{page}.json"), "rb") as handle:
                    self._add(json.loads(handle.read()))
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
