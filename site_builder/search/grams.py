"""The exported index format: records of postings in blocks, in hashed binary shards.

The same shards serve the CLI (read from the state folder, through Whoosh: exact.py) and
the browser (copied into ``output/search/``); reader.py decodes them.

Documents are numbered in article order, oldest first (export.numbered). Postings are cut into *blocks* of
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
  shorter; ``k`` (family ``g``, keywords ``region:<path>``, ``tag:<tag>``, ``author:<name>``,
  for the filters) likewise;
* ``p`` (family ``p``) and ``P`` (family ``t``), bigram positions in all parts / in the
  title: count, then per document its gap, its number of positions and the position gaps;
* ``h``/``w`` (family ``w``, words of the title / the body, for BM25): count, then per
  document its gap and the term frequency. Field lengths are not in them: one byte per
  document and field (``LENGTHS``) in ``lengths.bin``, so an edit that moves a document's
  length past a step rewrites that file, not every word record of the document.

A term lives in shard ``crc32(UTF-8 term) mod shards[family]``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from itertools import pairwise

# The constants a query needs too live in reader.py, which a query imports alone.
from .reader import BLOCK, BLOCK_BITS, LENGTHS, get_uint  # noqa: F401  (BLOCK_BITS: re-exported)
from .reader import FAMILY_OF as FAMILY_OF  # re-exported: the writers import them from here
from .reader import shard_of as shard_of

FAMILIES = ("g", "t", "p", "w")
# Bytes a shard aims at. Position lists are large records fetched only for terms of 3+
# characters outside the vocabulary: bigger shards there cost little and save many files.
SHARD_TARGET_BYTES = {"g": 6_000, "t": 6_000, "p": 16_000, "w": 6_000}


def length_byte(length: int) -> int:
    return bisect_right(LENGTHS, length) - 1


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


def varint(value: int) -> bytes:
    return _SMALL[value] if value < 16384 else _varint(value)


def varints(values: Iterable[int]) -> bytes:
    return b"".join(map(varint, values))


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


def encode_words(entries: list[tuple[int, int]]) -> bytes:
    out = [varint(len(entries))]
    last = 0
    for d, tf in entries:
        out.append(varint(d - last))
        last = d
        out.append(varint(tf))
    return b"".join(out)


def _gaps(values: list[int]) -> list[int]:
    return [values[0], *(b - a for a, b in pairwise(values))] if values else []


ENCODERS: dict[str, Callable] = {"d": encode_docs, "k": encode_docs, "t": encode_docs,
                                 "p": encode_positions,
                                 "P": encode_positions, "h": encode_words, "w": encode_words}


def frame(block: int, data: bytes) -> bytes:
    return varint(block) + varint(len(data)) + data


# --- shards ------------------------------------------------------------------------------

def encode_record(kind: str, term: str, payload: bytes) -> bytes:
    return encode_raw_record(kind, term.encode("utf-8"), payload)


def encode_raw_record(kind: str, raw: bytes, payload: bytes) -> bytes:
    """A record whose term is already UTF-8 (merge.py keeps terms as bytes)."""
    return kind.encode("ascii") + varint(len(raw)) + raw + varint(len(payload)) + payload


def record_size(term: str, payload_size: int) -> int:
    """Bytes a record takes in a shard (what shard counts are computed from)."""
    raw = len(term.encode("utf-8"))
    return 1 + len(varint(raw)) + raw + len(varint(payload_size)) + payload_size


def build_shard(records: dict[tuple[str, str], bytes]) -> bytes:
    """Records keyed by (term, kind) → one shard's bytes (deterministic order)."""
    return b"".join(encode_record(kind, term, records[(term, kind)])
                    for term, kind in sorted(records, key=lambda k: (k[0].encode(), k[1])))


def iter_records(shard: bytes) -> Iterator[tuple[bytes, str, bytes]]:
    """(term as UTF-8, kind, payload) of every record of a shard, in order."""
    i, end = 0, len(shard)
    while i < end:
        kind = chr(shard[i])
        n, i = get_uint(shard, i + 1)
        raw = shard[i:i + n]
        i += n
        size, i = get_uint(shard, i)
        yield raw, kind, shard[i:i + size]
        i += size


Span = tuple[int, int, int]  # a record's start, its payload's start, its end; absent: (at, -1, at)


def locate(shard: bytes, keys: list[tuple[bytes, str]]) -> list[Span]:
    """Where each record is, or would go, in a shard: ``keys`` are (term as UTF-8, kind) in
    shard order. Reads record headers only, up to the last key (an edit's patch touches a
    few records in each of a few hundred shards: parsing them whole cost more than the rest)."""
    return _locate(shard, keys, records=True)


def locate_blocks(payload: bytes, wanted: list[int]) -> list[Span]:
    """``locate`` for the blocks of a record payload: ``wanted``, ascending block numbers.
    An edit changes one block of a word's record: the others are copied, not re-framed."""
    return _locate(payload, wanted, records=False)


def _locate(data: bytes, wanted: list, *, records: bool) -> list[Span]:
    """Span of each wanted key in a run of length-prefixed entries sorted by key: records
    of a shard (key: term and kind) or blocks of a payload (key: block number)."""
    spans: list[Span] = []
    i, end, t = 0, len(data), 0
    while i < end and t < len(wanted):
        if records:
            n, j = get_uint(data, i + 1)
            size, k = get_uint(data, j + n)
            here: object = (data[j:j + n], chr(data[i]))
        else:
            here, j = get_uint(data, i)
            size, k = get_uint(data, j)
        while t < len(wanted) and wanted[t] < here:
            spans.append((i, -1, i))
            t += 1
        if t < len(wanted) and wanted[t] == here:
            spans.append((i, k, k + size))
            t += 1
        i = k + size
    spans.extend((end, -1, end) for _ in wanted[t:])
    return spans


def splice(shard: bytes, spans: list[Span], records: list[bytes]) -> bytes:
    """The shard with the record at each span (from ``locate``) replaced by the new record's
    bytes (b"": removed; an absent one inserted there): what build_shard writes for the
    patched records."""
    out, last = [], 0
    for (start, at, stop), record in zip(spans, records, strict=True):
        out.append(shard[last:start])
        out.append(record)
        last = stop if at >= 0 else start
    out.append(shard[last:])
    return b"".join(out)


def parse_shard(shard: bytes) -> dict[tuple[str, str], bytes]:
    return {(raw.decode("utf-8"), kind): payload for raw, kind, payload in iter_records(shard)}
