"""The gram records of a block of articles, built with numpy: the bulk of a cold build.

Byte for byte what ``postings.encode_block`` writes for the ``d``, ``t``, ``p`` and ``P``
records (tests/test_search.py checks it), which the incremental path keeps using for the few
articles an edit touches. Pure Python spends ~1 µs a position; a block of 256 articles here
is a handful of sorts and one varint pass.
"""

from __future__ import annotations

import numpy as np

from .grams import BLOCK, frame, varint

SEP = "\x1f"  # white space: never inside a normalized part
_SEP = ord(SEP)
_LOW = 21  # bits of a code point


def _varint_bytes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """LEB128 of every value, concatenated; and each value's first byte offset."""
    values = values.astype(np.uint64)
    sizes = np.ones(len(values), dtype=np.int64)
    for k in range(1, 6):
        sizes += values >= (1 << (7 * k))
    offsets = np.cumsum(sizes) - sizes
    out = np.zeros(int(sizes.sum()), dtype=np.uint8)
    for k in range(int(sizes.max(initial=1))):
        mask = sizes > k
        chunk = (values[mask] >> np.uint64(7 * k)) & np.uint64(0x7F)
        more = (sizes[mask] > k + 1).astype(np.uint64) << np.uint64(7)
        out[offsets[mask] + k] = (chunk | more).astype(np.uint8)
    return out, offsets


def _key_text(key: int, bigram: bool) -> str:
    return chr(key >> _LOW) + chr(key & ((1 << _LOW) - 1)) if bigram else chr(key)


def _grams(docs: list[str]):
    """Code points, document numbers and positions of the block's texts (parts joined by SEP)."""
    text = SEP.join(docs)
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    lengths = np.array([len(d) + 1 for d in docs], dtype=np.int64)
    doc = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)[:len(cps)]
    starts = np.cumsum(lengths) - lengths
    pos = np.arange(len(cps), dtype=np.int64) - starts[doc]
    return cps, doc, pos


def _doc_lists(keys: np.ndarray, doc: np.ndarray, bigram: bool, block: int,
               kind: str, out: dict) -> None:
    """``d``/``t`` records: for each key, the documents it occurs in."""
    if not len(keys):
        return
    pairs = np.sort(keys * BLOCK + doc)
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]]
    k, d = pairs // BLOCK, pairs % BLOCK
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    counts = np.diff(np.r_[starts, len(k)])
    gaps = d - np.r_[0, d[:-1]]
    gaps[starts] = d[starts]
    # value stream per record: count, gaps… (the 0 marker is added per record below)
    index = np.arange(len(k)) + np.repeat(np.arange(len(starts)) + 1, counts)
    values = np.zeros(len(k) + len(starts), dtype=np.int64)
    values[index] = gaps
    values[starts + np.arange(len(starts))] = counts
    data, offsets = _varint_bytes(values)
    raw = data.tobytes()
    bounds = np.r_[offsets[starts + np.arange(len(starts))], len(data)].tolist()
    bitmaps = np.zeros((len(starts), BLOCK), dtype=bool)
    bitmaps[np.repeat(np.arange(len(starts)), counts), d] = True
    packed = np.packbits(bitmaps, axis=1, bitorder="little").tobytes()
    size = BLOCK // 8
    for r, key in enumerate(k[starts].tolist()):
        listed = raw[bounds[r]:bounds[r + 1]]
        body = (b"\x00" + listed if len(listed) < 1 + size
                else b"\x01" + packed[r * size:(r + 1) * size])
        out[(_key_text(key, bigram), kind)] = frame(block, body)


def _position_lists(keys: np.ndarray, doc: np.ndarray, pos: np.ndarray, block: int,
                    kind: str, out: dict) -> None:
    """``p``/``P`` records: for each bigram, per document its positions."""
    if not len(keys):
        return
    order = np.argsort(keys * BLOCK + doc, kind="stable")  # positions stay ascending
    k, d, p = keys[order], doc[order], pos[order]
    new_entry = np.r_[True, (k[1:] != k[:-1]) | (d[1:] != d[:-1])]
    new_record = np.r_[True, k[1:] != k[:-1]]
    entry_of = np.cumsum(new_entry) - 1
    record_of = np.cumsum(new_record) - 1
    entry_starts = np.flatnonzero(new_entry)
    record_starts = np.flatnonzero(new_record)
    entry_counts = np.diff(np.r_[entry_starts, len(k)])
    entry_record = record_of[entry_starts]
    record_entries = np.bincount(entry_record, minlength=len(record_starts))
    pos_gaps = p - np.r_[0, p[:-1]]
    pos_gaps[entry_starts] = p[entry_starts]
    entry_doc = d[entry_starts]
    first_entry = np.r_[True, entry_record[1:] != entry_record[:-1]]
    doc_gaps = entry_doc - np.r_[0, entry_doc[:-1]]
    doc_gaps[first_entry] = entry_doc[first_entry]
    n_values = len(k) + 2 * len(entry_starts) + len(record_starts)
    values = np.zeros(n_values, dtype=np.int64)
    values[np.arange(len(k)) + 2 * (entry_of + 1) + record_of + 1] = pos_gaps
    at_entry = entry_starts + 2 * np.arange(len(entry_starts)) + entry_record + 1
    values[at_entry] = doc_gaps
    values[at_entry + 1] = entry_counts
    first_entry_of_record = np.flatnonzero(first_entry)
    at_record = at_entry[first_entry_of_record] - 1
    values[at_record] = record_entries
    data, offsets = _varint_bytes(values)
    raw = data.tobytes()
    bounds = np.r_[offsets[at_record], len(data)].tolist()
    for r, key in enumerate(k[record_starts].tolist()):
        out[(_key_text(key, True), kind)] = frame(block, raw[bounds[r]:bounds[r + 1]])


def gram_records(block: int, parts: list[list[str]], vocab_hits: list[list[str]]
                 ) -> dict[tuple[str, str], bytes]:
    """Framed ``d``, ``t``, ``p``, ``P`` blocks of the documents (normalized parts each)."""
    out: dict[tuple[str, str], bytes] = {}
    for texts, gram_kind, pos_kind in (([SEP.join(ps) for ps in parts], "d", "p"),
                                       ([ps[0] for ps in parts], "t", "P")):
        cps, doc, pos = _grams(texts)
        chars = cps != _SEP
        _doc_lists(cps[chars], doc[chars], False, block, gram_kind, out)
        pair = chars[:-1] & chars[1:]
        keys = (cps[:-1] << _LOW | cps[1:])[pair]
        _doc_lists(keys, doc[:-1][pair], True, block, gram_kind, out)
        _position_lists(keys, doc[:-1][pair], pos[:-1][pair], block, pos_kind, out)
    # vocabulary words (3+ characters) join the d records
    words: dict[str, list[int]] = {}
    for local, hits in enumerate(vocab_hits):
        for word in hits:
            words.setdefault(word, []).append(local)
    for word, docs in words.items():
        out[(word, "d")] = frame(block, _encode_list(docs))
    return out


def _encode_list(docs: list[int]) -> bytes:
    from .grams import encode_docs

    return encode_docs(docs)


__all__ = ["gram_records", "varint"]
