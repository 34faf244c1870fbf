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
