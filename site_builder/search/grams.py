"""The exported index format: records of postings in blocks, in hashed binary shards.

The same shards serve the CLI (read from the state folder) and the browser (copied into
``output/search/``), so both match and score with one implementation of the rules.

Documents are numbered in article order (newest first). Postings are cut into *blocks* of
``BLOCK`` documents, so a build that changes one article re-encodes one block per record it
touches instead of whole posting lists.

A shard is a run of records sorted by (term, kind)::

    kind (1 byte) | term length (varint) | term (UTF-8) | payload length (varint) | payload

A payload is a run of blocks, by ascending block number::

    block number (varint) | block length (varint) | block bytes

Varints are LEB128. Inside a block, document numbers are relative to the block's first
document, as gaps (the first gap is the number itself). Block bytes by kind:

* ``d`` (family ``g``: documents containing a gram: every character and bigram, and the
  vocabulary words) and ``t`` (family ``t``: titles containing a character or bigram):
  ``0`` count gaps…, or ``1`` and a BLOCK/8-byte bitmap (bit i of byte i>>3), whichever is
  shorter;
* ``p`` (family ``p``) and ``P`` (family ``t``), bigram positions in all parts / in the
  title: count, then per document its gap, its number of positions and the position gaps;
* ``h``/``w`` (family ``w``, words of the title / the body, for BM25): count, then per
  document its gap, the term frequency and the field length as one byte (``LENGTHS``).

A term lives in shard ``crc32(UTF-8 term) mod shards[family]``.
"""

from __future__ import annotations

import zlib
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from itertools import pairwise

FAMILIES = ("g", "t", "p", "w")
# Records a query needs together share a family; title records stay apart from the large
# position lists, which only queries of 3+ characters outside the vocabulary fetch.
FAMILY_OF = {"d": "g", "t": "t", "P": "t", "p": "p", "h": "w", "w": "w"}
BLOCK_BITS = 8
BLOCK = 1 << BLOCK_BITS
# Bytes a shard aims at. Position lists are large records fetched only for terms of 3+
# characters outside the vocabulary: bigger shards there cost little and save many files.
SHARD_TARGET_BYTES = {"g": 6_000, "t": 6_000, "p": 16_000, "w": 6_000}

# Field lengths as one byte: exact up to 127, then ~6 % steps (integers only, so search.js
# builds the same table).
LENGTHS: list[int] = list(range(128))
while len(LENGTHS) < 256:
    LENGTHS.append(LENGTHS[-1] + max(1, LENGTHS[-1] >> 4))


def length_byte(length: int) -> int:
    return bisect_right(LENGTHS, length) - 1


def shard_of(term: str, shards: int) -> int:
    return zlib.crc32(term.encode("utf-8")) % shards


def shard_count(total_bytes: int, family: str) -> int:
    """A power of two near total/target: a function of the content alone, never of history."""
    ideal = max(1, -(-total_bytes // SHARD_TARGET_BYTES[family]))
    count = 1
    while count < ideal:
        count *= 2
    return count


# --- varints -----------------------------------------------------------------------------

def _varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


_SMALL = [_varint(v) for v in range(1 << 14)]
_BYTES = [bytes((b,)) for b in range(256)]


def varint(value: int) -> bytes:
    return _SMALL[value] if value < 16384 else _varint(value)


def varints(values: Iterable[int]) -> bytes:
    return b"".join(map(varint, values))


def get_uint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, i
        shift += 7


# --- block encoders (documents are numbers inside the block, ascending) --------------------

def encode_docs(docs: list[int]) -> bytes:
    listed = b"\x00" + varint(len(docs)) + varints(_gaps(docs))
    if len(listed) <= 1 + BLOCK // 8:
        return listed
    bits = 0
    for d in docs:
        bits |= 1 << d
    return b"\x01" + bits.to_bytes(BLOCK // 8, "little")


def encode_positions(entries: list[tuple[int, list[int]]]) -> bytes:
    out = [varint(len(entries))]
    last = 0
    for d, poses in entries:
        out.append(varint(d - last))
        last = d
        out.append(varint(len(poses)))
        out.append(varints(_gaps(poses)))
    return b"".join(out)


def encode_words(entries: list[tuple[int, int, int]]) -> bytes:
    out = [varint(len(entries))]
    last = 0
    for d, tf, length in entries:
        out.append(varint(d - last))
        last = d
        out.append(varint(tf))
        out.append(_BYTES[length])
    return b"".join(out)


def _gaps(values: list[int]) -> list[int]:
    return [values[0], *(b - a for a, b in pairwise(values))] if values else []


ENCODERS: dict[str, Callable] = {"d": encode_docs, "t": encode_docs, "p": encode_positions,
                                 "P": encode_positions, "h": encode_words, "w": encode_words}


def frame(block: int, data: bytes) -> bytes:
    return varint(block) + varint(len(data)) + data


# --- block decoders ----------------------------------------------------------------------

def decode_docs(data: bytes, base: int = 0) -> list[int]:
    if data[0] == 1:
        bits = int.from_bytes(data[1:], "little")
        return [base + i for i in range(bits.bit_length()) if bits >> i & 1]
    count, i = get_uint(data, 1)
    out, last = [], base
    for _ in range(count):
        gap, i = get_uint(data, i)
        last += gap
        out.append(last)
    return out


def decode_positions(data: bytes, base: int = 0) -> list[tuple[int, list[int]]]:
    count, i = get_uint(data, 0)
    out, last = [], base
    for _ in range(count):
        gap, i = get_uint(data, i)
        last += gap
        n, i = get_uint(data, i)
        poses, prev = [], 0
        for _ in range(n):
            step, i = get_uint(data, i)
            prev += step
            poses.append(prev)
        out.append((last, poses))
    return out


def decode_words(data: bytes, base: int = 0) -> list[tuple[int, int, int]]:
    count, i = get_uint(data, 0)
    out, last = [], base
    for _ in range(count):
        gap, i = get_uint(data, i)
        last += gap
        tf, i = get_uint(data, i)
        out.append((last, tf, data[i]))
        i += 1
    return out


DECODERS: dict[str, Callable] = {"d": decode_docs, "t": decode_docs, "p": decode_positions,
                                 "P": decode_positions, "h": decode_words, "w": decode_words}


def blocks(payload: bytes) -> Iterator[tuple[int, bytes]]:
    """(block number, block bytes) of a record payload."""
    i, end = 0, len(payload)
    while i < end:
        number, i = get_uint(payload, i)
        size, i = get_uint(payload, i)
        yield number, payload[i:i + size]
        i += size


def decode(kind: str, payload: bytes | None) -> list:
    """Every entry of a record, documents numbered from 0 across blocks."""
    if not payload:
        return []
    decoder = DECODERS[kind]
    out: list = []
    for number, data in blocks(payload):
        out.extend(decoder(data, number << BLOCK_BITS))
    return out


# --- shards ------------------------------------------------------------------------------

def encode_record(kind: str, term: str, payload: bytes) -> bytes:
    raw = term.encode("utf-8")
    return kind.encode("ascii") + varint(len(raw)) + raw + varint(len(payload)) + payload


def record_size(term: str, payload_size: int) -> int:
    """Bytes a record takes in a shard (what shard counts are computed from)."""
    raw = len(term.encode("utf-8"))
    return 1 + len(varint(raw)) + raw + len(varint(payload_size)) + payload_size


def build_shard(records: dict[tuple[str, str], bytes]) -> bytes:
    """Records keyed by (term, kind) → one shard's bytes (deterministic order)."""
    return b"".join(encode_record(kind, term, records[(term, kind)])
                    for term, kind in sorted(records, key=lambda k: (k[0].encode(), k[1])))


def parse_shard(shard: bytes) -> dict[tuple[str, str], bytes]:
    out: dict[tuple[str, str], bytes] = {}
    i, end = 0, len(shard)
    while i < end:
        kind = chr(shard[i])
        n, i = get_uint(shard, i + 1)
        term = shard[i:i + n].decode("utf-8")
        i += n
        size, i = get_uint(shard, i)
        out[(term, kind)] = shard[i:i + size]
        i += size
    return out


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


# --- matching (the CLI's side; search.js has the same) -----------------------------------

def covering_bigrams(term: str) -> list[tuple[int, str]]:
    """(offset, bigram) pairs covering every character of a term of 3+ characters:
    bigrams end to end, plus the last one. Enough to prove the term occurs at a position."""
    offsets = list(range(0, len(term) - 1, 2))
    if offsets[-1] != len(term) - 2:
        offsets.append(len(term) - 2)
    return [(o, term[o:o + 2]) for o in offsets]


def match_docs(record: Callable[[str, str], bytes | None], term: str, vocabulary: set[str],
               title: bool = False) -> set[int]:
    """Documents (title=True: titles) whose normalized text contains ``term``.

    ``record(kind, term)`` returns a record's payload (or None).
    """
    if len(term) <= 2:
        return set(decode("t" if title else "d", record("t" if title else "d", term)))
    if not title and term in vocabulary:
        return set(decode("d", record("d", term)))
    kind = "P" if title else "p"
    lists = [(offset, dict(decode(kind, record(kind, gram))))
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
