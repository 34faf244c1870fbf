"""The gram analyzer as a Whoosh tokenizer: what the exported postings hold, as Whoosh tokens
with true positions and character offsets (for Whoosh-side highlighting and tests)."""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import Token, Tokenizer

from .analysis import PART_SEPARATOR, normalize_with_offsets


class GramTokenizer(Tokenizer):
    """Bigrams of the normalized text with true positions; parts never share a bigram."""

    def __init__(self, unigrams: bool = False):
        self.unigrams = unigrams

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.unigrams == self.unigrams

    def __hash__(self) -> int:
        return hash((type(self), self.unigrams))

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "",
                 **kwargs: object) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        size = 1 if self.unigrams else 2
        pos, char_base = start_pos, start_char
        for raw in value.split(PART_SEPARATOR):
            norm, offsets = normalize_with_offsets(raw)
            for i in range(len(norm) - size + 1):
                token.text = norm[i:i + size]
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = token.text
                if positions:
                    token.pos = pos + i
                if chars:
                    token.startchar = char_base + offsets[i]
                    token.endchar = char_base + offsets[i + size - 1] + 1
                yield token
            pos += len(norm) + 1
            char_base += len(raw) + 1
