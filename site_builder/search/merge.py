"""The shards of a full export, from the encode tasks' partial records, in bounded memory.

A full export encodes the articles in tasks (runs of blocks), each holding some of the
blocks of nearly every record. Merging them as millions of small Python objects cost more
memory than the rest of the build together, so records travel as bytes, laid out as in a
shard (``grams.encode_record``), and are merged one *partition* at a time:

1. each task splits its records into ``PARTITIONS`` parts per family by the low bits of the
   term's crc32, every part sorted as a shard is (``split_records``, in the workers);
2. each partition's parts from all tasks are merged, payloads joined in task order — blocks
   stay ascending — (``merge_partition``, in parallel); a partition's size is exact, so the
   family's total, and from it its shard count, is known before any shard is cut;
3. a shard is ``crc32 mod count`` with ``count`` a power of two, so with ``count >=
   PARTITIONS`` every shard lies inside one partition and keeps its order; with fewer
   shards (small sites) the partitions a shard gathers are merged by key (``cut_shards``).

The bytes are those ``grams.build_shard`` writes for the same records.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from typing import TYPE_CHECKING

from .grams import FAMILY_OF, encode_raw_record, iter_records

if TYPE_CHECKING:  # numpy is imported where it is used: a build that patches never needs it
    import numpy as np

PARTITIONS = 64  # a power of two
_MASK = PARTITIONS - 1

Part = tuple[str, int]  # (family, partition)
Merged = tuple[bytes, "np.ndarray", "np.ndarray"]  # records, each record's crc32 and start


def split_records(records: dict[tuple[str, str], bytes]) -> dict[Part, bytes]:
    """One task's records → its part of every partition, in shard layout and order."""
    parts: defaultdict[Part, list] = defaultdict(list)
    for (term, kind), payload in records.items():
        raw = term.encode("utf-8")
        parts[(FAMILY_OF[kind], zlib.crc32(raw) & _MASK)].append((raw, kind, payload))
    return {part: b"".join(encode_raw_record(kind, raw, payload) for raw, kind, payload in sorted(items))
            for part, items in parts.items()}


def merge_partition(pieces: list[bytes]) -> Merged:
    """The tasks' parts of one partition (in task order) → the merged records, sorted, with
    each record's crc32 and start offset."""
    payloads: dict[tuple[bytes, str], list[bytes]] = {}
    for piece in pieces:
        for raw, kind, payload in iter_records(piece):
            have = payloads.get((raw, kind))
            if have is None:
                payloads[(raw, kind)] = [payload]
            else:
                have.append(payload)
    out = bytearray()
    crcs, starts = [], []
    for raw, kind in sorted(payloads):
        crcs.append(zlib.crc32(raw))
        starts.append(len(out))
        out += encode_raw_record(kind, raw, b"".join(payloads[(raw, kind)]))
    import numpy as np

    return (bytes(out), np.array(crcs, dtype=np.uint32), np.array(starts, dtype=np.int64))


def cut_shards(partitions: list[Merged], count: int) -> dict[int, bytes]:
    """The merged partitions of one family (partition p at index p) → shard number → bytes,
    for ``count`` shards (a power of two); shards without records are left out."""
    if count < PARTITIONS:
        return _gather(partitions, count)
    import numpy as np

    shards: dict[int, bytes] = {}
    for data, crcs, starts in partitions:
        if not len(crcs):
            continue
        sizes = np.diff(np.r_[starts, len(data)])
        numbers = (crcs & np.uint32(count - 1)).astype(np.int64)
        order = np.argsort(numbers, kind="stable")  # records keep their order in a shard
        # every byte of the partition, in the new record order
        lengths = sizes[order]
        firsts = np.repeat(starts[order] - (np.cumsum(lengths) - lengths), lengths)
        moved = np.frombuffer(data, dtype=np.uint8)[np.arange(len(data)) + firsts].tobytes()
        run_numbers = numbers[order]
        bounds = np.flatnonzero(np.r_[True, run_numbers[1:] != run_numbers[:-1]])
        offsets = np.r_[np.cumsum(lengths) - lengths, len(data)]
        ends = np.r_[bounds[1:], len(order)]
        for first, last in zip(bounds.tolist(), ends.tolist(), strict=True):
            shards[int(run_numbers[first])] = moved[offsets[first]:offsets[last]]
    return shards


def _gather(partitions: list[Merged], count: int) -> dict[int, bytes]:
    """Fewer shards than partitions: a shard is the key-ordered merge of several."""
    gathered: defaultdict[int, list] = defaultdict(list)
    for data, _crcs, _starts in partitions:
        for raw, kind, payload in iter_records(data):
            gathered[zlib.crc32(raw) & (count - 1)].append((raw, kind, payload))
    return {number: b"".join(encode_raw_record(kind, raw, payload) for raw, kind, payload in sorted(items))
            for number, items in gathered.items()}


__all__ = ["PARTITIONS", "cut_shards", "merge_partition", "split_records"]
