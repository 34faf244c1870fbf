"""The exact-match index: character grams in hashed binary shards.

The same shards serve the CLI (read from the index folder) and the browser (copied into
``output/search/``), so both match with one implementation of the rule in analysis.py.

How a normalized term is matched (exactly, whatever its length):

* 1 or 2 characters: the list of documents containing it (every 1- and 2-gram has one);
* 3 or 4 characters: that list if the term is a *frequent* gram (campaign words and common
  words get one: cheap for the queries most people type), else as below;
* otherwise: proven with positions — the bigrams that cover the term must occur at the right
  distances in one part of a document (parts never share a bigram).

A shard is a run of records sorted by (term, kind)::

    kind (1 byte) | term length (varint) | term (UTF-8) | payload length (varint) | payload

Varints are LEB128. A doc list payload is ``0`` + count + doc-number gaps, or ``1`` + a bitmap
(bit d of byte d>>3 set: whichever is shorter). Families and kinds:

* ``g``: ``d`` documents containing the gram, ``t`` titles containing it (1- and 2-grams);
* ``p``: ``p`` bigram positions in all parts, ``P`` in the title only. Payload: count, then per
  document its gap, its number of positions and the position gaps;
* ``w`` words (ranking, from the Whoosh fields): ``h`` title, ``w`` body. Payload: Whoosh's
  document frequency, count, then per document its gap, the term frequency and Whoosh's
  one-byte field length.

A term lives in shard ``crc32(UTF-8 term) mod shards[family]``.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from dataclasses import dataclass, field

FAMILIES = ("g", "p", "w")
SHARD_TARGET_BYTES = 6_000


def shard_of(term: str, shards: int) -> int:
    return zlib.crc32(term.encode("utf-8")) % shards


def put_uint(out: bytearray, value: int) -> None:
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def get_uint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, i
        shift += 7


# --- per-document analysis ---------------------------------------------------------------


FREQUENT_SIZES = (3, 4)  # gram lengths that get a doc list when frequent


class GramCollector:
    """Accumulates the g and p records document by document, encoding as it goes (the
    postings of a large archive would not fit in memory as Python lists)."""

    def __init__(self, frequent: set[str]):
        self.frequent = frequent
        self.docs: dict[str, DocList] = {}
        self.titles: dict[str, DocList] = {}
        self.positions: dict[str, PositionList] = {}
        self.title_positions: dict[str, PositionList] = {}

    def add(self, number: int, parts: list[str]) -> None:
        """Parts are normalized; the title is part 0 and sits at position 0."""
        positions: defaultdict[str, list[int]] = defaultdict(list)
        grams: set[str] = set()
        start = 0
        for part in parts:
            grams.update(part)
            for i in range(len(part) - 1):
                positions[part[i:i + 2]].append(start + i)
            for size in FREQUENT_SIZES:
                grams.update(self.frequent.intersection(
                    part[i:i + size] for i in range(len(part) - size + 1)))
            start += len(part) + 1
        grams.update(positions)
        for gram in grams:
            _get(self.docs, gram, DocList).add(number)
        for gram, poses in positions.items():
            _get(self.positions, gram, PositionList).add(number, poses)
        title = parts[0] if parts else ""
        for gram in {*title, *(title[i:i + 2] for i in range(len(title) - 1))}:
            _get(self.titles, gram, DocList).add(number)
        for gram, poses in positions.items():
            if poses[0] < len(title) - 1:
                _get(self.title_positions, gram, PositionList).add(
                    number, [p for p in poses if p < len(title) - 1])

    def records(self, documents: int) -> tuple[dict, dict]:
        g = {(k, "d"): v.encode(documents) for k, v in self.docs.items()}
        g.update({(k, "t"): v.encode(documents) for k, v in self.titles.items()})
        p = {(k, "p"): v.encode() for k, v in self.positions.items()}
        p.update({(k, "P"): v.encode() for k, v in self.title_positions.items()})
        return g, p


def _get(table: dict, key: str, factory):
    value = table.get(key)
    if value is None:
        value = table[key] = factory()
    return value


class DocList:
    __slots__ = ("count", "gaps", "last", "numbers")

    def __init__(self) -> None:
        self.gaps = bytearray()
        self.numbers: list[int] = []
        self.count = 0
        self.last = 0

    def add(self, number: int) -> None:
        put_uint(self.gaps, number - self.last)
        self.last = number
        self.count += 1
        self.numbers.append(number)

    def encode(self, documents: int) -> bytes:
        head = bytearray([0])
        put_uint(head, self.count)
        listed = bytes(head + self.gaps)
        size = (documents + 7) // 8
        if size + 1 < len(listed):
            bits = 0
            for number in self.numbers:
                bits |= 1 << number
            return b"\x01" + bits.to_bytes(size, "little")
        return listed


class PositionList:
    __slots__ = ("count", "data", "last")

    def __init__(self) -> None:
        self.data = bytearray()
        self.count = 0
        self.last = 0

    def add(self, number: int, poses: list[int]) -> None:
        data = self.data
        put_uint(data, number - self.last)
        self.last = number
        self.count += 1
        put_uint(data, len(poses))
        prev = 0
        for p in poses:
            put_uint(data, p - prev)
            prev = p

    def encode(self) -> bytes:
        head = bytearray()
        put_uint(head, self.count)
        return bytes(head + self.data)


# --- encoding ----------------------------------------------------------------------------


def encode_words(df: int, postings: list[tuple[int, int, int]]) -> bytes:
    out = bytearray()
    put_uint(out, df)
    put_uint(out, len(postings))
    last = 0
    for d, tf, length_byte in postings:
        put_uint(out, d - last)
        last = d
        put_uint(out, tf)
        out.append(length_byte)
    return bytes(out)


def encode_record(kind: str, term: str, payload: bytes) -> bytes:
    out = bytearray(kind.encode("ascii"))
    raw = term.encode("utf-8")
    put_uint(out, len(raw))
    out += raw
    put_uint(out, len(payload))
    out += payload
    return bytes(out)


def shard_count(total_bytes: int, previous: int | None = None) -> int:
    """A power of two near total/target; the previous count is kept while it is close, so an
    edit to one article does not reshuffle every shard."""
    ideal = max(1, -(-total_bytes // SHARD_TARGET_BYTES))
    if previous and previous // 2 <= ideal <= previous * 2:
        return previous
    count = 1
    while count < ideal:
        count *= 2
    return count


def build_shards(records: dict[tuple[str, str], bytes], shards: int) -> list[bytes]:
    """Records keyed by (term, kind) → the bytes of each shard (deterministic order)."""
    buckets: list[list[tuple[str, str]]] = [[] for _ in range(shards)]
    for key in records:
        buckets[shard_of(key[0], shards)].append(key)
    out = []
    for keys in buckets:
        keys.sort()
        out.append(b"".join(encode_record(kind, term, records[(term, kind)])
                            for term, kind in keys))
    return out


# --- decoding (the CLI's side; search.js has the same) -----------------------------------


def find_record(shard: bytes, kind: str, term: str) -> bytes | None:
    want_kind, want = ord(kind), term.encode("utf-8")
    i, end = 0, len(shard)
    while i < end:
        k = shard[i]
        n, i = get_uint(shard, i + 1)
        t = shard[i:i + n]
        i += n
        size, i = get_uint(shard, i)
        if k == want_kind and t == want:
            return shard[i:i + size]
        i += size
    return None


def decode_docs(payload: bytes | None) -> list[int]:
    if not payload:
        return []
    if payload[0] == 1:
        bits = int.from_bytes(payload[1:], "little")
        return [i for i in range(bits.bit_length()) if bits >> i & 1]
    count, i = get_uint(payload, 1)
    docs, last = [], 0
    for _ in range(count):
        gap, i = get_uint(payload, i)
        last += gap
        docs.append(last)
    return docs


def decode_positions(payload: bytes | None) -> dict[int, list[int]]:
    if not payload:
        return {}
    count, i = get_uint(payload, 0)
    out: dict[int, list[int]] = {}
    last = 0
    for _ in range(count):
        gap, i = get_uint(payload, i)
        last += gap
        n, i = get_uint(payload, i)
        poses, prev = [], 0
        for _ in range(n):
            step, i = get_uint(payload, i)
            prev += step
            poses.append(prev)
        out[last] = poses
    return out


def decode_words(payload: bytes | None) -> tuple[int, list[tuple[int, int, int]]]:
    if not payload:
        return 0, []
    df, i = get_uint(payload, 0)
    count, i = get_uint(payload, i)
    out, last = [], 0
    for _ in range(count):
        gap, i = get_uint(payload, i)
        last += gap
        tf, i = get_uint(payload, i)
        out.append((last, tf, payload[i]))
        i += 1
    return df, out


def covering_bigrams(term: str) -> list[tuple[int, str]]:
    """(offset, bigram) pairs covering every character of a term of 3+ characters:
    bigrams end to end, plus the last one. Enough to prove the term occurs at a position."""
    offsets = list(range(0, len(term) - 1, 2))
    if offsets[-1] != len(term) - 2:
        offsets.append(len(term) - 2)
    return [(o, term[o:o + 2]) for o in offsets]


@dataclass
class ShardSource:
    """Reads shards from a folder, caching each (the CLI reads a few per query)."""

    folder: object  # pathlib.Path
    shards: dict[str, int]
    cache: dict[tuple[str, int], bytes] = field(default_factory=dict)

    def shard(self, family: str, term: str) -> bytes:
        number = shard_of(term, self.shards[family])
        key = (family, number)
        if key not in self.cache:
            path = self.folder / family / f"{number}.bin"  # type: ignore[operator]
            self.cache[key] = path.read_bytes() if path.exists() else b""
        return self.cache[key]

    def record(self, family: str, kind: str, term: str) -> bytes | None:
        return find_record(self.shard(family, term), kind, term)


def match_docs(source: ShardSource, term: str, title: bool = False) -> set[int]:
    """Documents (title=True: titles) whose normalized text contains ``term``."""
    if len(term) <= 2:
        return set(decode_docs(source.record("g", "t" if title else "d", term)))
    if not title and len(term) in FREQUENT_SIZES:
        listed = source.record("g", "d", term)
        if listed is not None:
            return set(decode_docs(listed))
    kind = "P" if title else "p"
    lists = [(offset, decode_positions(source.record("p", kind, gram)))
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
