"""A patched shard is spliced, not parsed and rebuilt (issue 6): the bytes must be exactly
what build_shard writes for the patched records, whatever is replaced, removed or added."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.search.grams import build_shard, encode_raw_record, locate, parse_shard, splice

terms = st.text(alphabet="送温暖工会职abc\U00020000", min_size=1, max_size=4)
keys = st.tuples(terms, st.sampled_from("dtPphw"))
payloads = st.binary(min_size=1, max_size=300)  # long enough for two-byte lengths


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, payloads, max_size=30),
       st.dictionaries(keys, st.none() | payloads, max_size=12))
def test_splice_writes_what_build_shard_writes(records, changes):
    shard = build_shard(records)
    assert parse_shard(shard) == records
    order = sorted(changes, key=lambda k: (k[0].encode(), k[1]))
    spans = locate(shard, [(t.encode(), kind) for t, kind in order])
    for (term, kind), (_, at, stop) in zip(order, spans, strict=True):
        assert (shard[at:stop] if at >= 0 else None) == records.get((term, kind))
    new = splice(shard, spans, [encode_raw_record(kind, term.encode(), changes[(term, kind)])
                                if changes[(term, kind)] else b"" for term, kind in order])
    patched = {**records, **changes}
    assert new == build_shard({k: v for k, v in patched.items() if v is not None})


def test_locate_on_an_empty_shard_inserts_everything():
    spans = locate(b"", [(b"a", "d"), (b"b", "d")])
    assert spans == [(0, -1, 0), (0, -1, 0)]
    assert splice(b"", spans, [b"x", b"y"]) == b"xy"


def _patch_by_reencoding(kind: str, payload: bytes, entries: dict) -> bytes:
    """The reference: every block decoded, the changed ones replaced, all framed again."""
    from collections import defaultdict

    from site_builder.search.export import BLOCK, BLOCK_BITS, _entries
    from site_builder.search.grams import frame
    from site_builder.search.postings import encode_entries
    from site_builder.search.reader import blocks

    by_block = dict(blocks(payload))
    changes: dict = defaultdict(dict)
    for number, entry in entries.items():
        changes[number >> BLOCK_BITS][number & (BLOCK - 1)] = entry
    for block, change in changes.items():
        current = dict(_entries(kind, by_block[block])) if block in by_block else {}
        for local, entry in change.items():
            if entry is None:
                current.pop(local, None)
            else:
                current[local] = entry
        if current:
            by_block[block] = encode_entries(kind, sorted(current.items()))
        else:
            by_block.pop(block, None)
    return b"".join(frame(b, by_block[b]) for b in sorted(by_block))


numbers = st.integers(min_value=0, max_value=5000)  # ~20 blocks of 256 documents
word_entries = st.integers(1, 300)  # term frequencies (two-byte varints too)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(numbers, word_entries, max_size=60),
       st.dictionaries(numbers, st.none() | word_entries, max_size=10))
def test_a_patched_word_record_is_what_encoding_it_anew_gives(documents, changes):
    """A record's changed blocks are spliced in, the others copied: the bytes are those of
    the record encoded anew (a block emptied is dropped, a new one inserted in order)."""
    from site_builder.search.export import patch_payload

    payload = _patch_by_reencoding("w", b"", dict(documents))
    assert patch_payload("w", payload, dict(changes)) == \
        _patch_by_reencoding("w", payload, dict(changes))


@settings(max_examples=200, deadline=None)
@given(st.sets(numbers, max_size=60), st.dictionaries(numbers, st.none() | st.just(True),
                                                       max_size=10))
def test_a_patched_document_list_is_what_encoding_it_anew_gives(documents, changes):
    from site_builder.search.export import patch_payload

    payload = _patch_by_reencoding("d", b"", dict.fromkeys(documents, True))
    assert patch_payload("d", payload, dict(changes)) == \
        _patch_by_reencoding("d", payload, dict(changes))
