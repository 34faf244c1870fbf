"""One article's terms, and the postings of a block of articles, encoded.

This is the only place text is analyzed for the index: each article once per build that
changes it (the build forks workers over blocks of ``grams.BLOCK`` articles), and the old
version of an edited article again from the texts cache to know which records to patch.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import groupby
from operator import add

from .analysis import normalize, segmenter
from .grams import ENCODERS, frame, length_byte

# What the search stage reads from an article: the matched parts (title first), the title
# and the body text for words, and its keywords ("region:<path>", "tag:<tag>",
# "author:<name>"). Plain tuples of strings, so they marshal into the cache.
DocText = tuple[tuple[str, ...], str, str, tuple[str, ...]]


@dataclass
class DocTerms:
    grams: set[str]  # d: characters, bigrams and vocabulary words the text contains
    title_grams: set[str]  # t: characters and bigrams of the title
    positions: dict[str, list[int]]  # p: bigram → positions in all parts
    title_positions: dict[str, list[int]]  # P: bigram → positions in the title
    title_words: Counter  # h: word → term frequency
    body_words: Counter  # w
    title_length: int
    body_length: int
    keywords: tuple[str, ...]  # k: region paths, tags, authors (as "field:value")

    def entries(self) -> dict[tuple[str, str], object]:
        """(term, kind) → this document's entry in that record (what a block encodes)."""
        out: dict[tuple[str, str], object] = {}
        for g in self.grams:
            out[(g, "d")] = True
        for g in self.title_grams:
            out[(g, "t")] = True
        for g, poses in self.positions.items():
            out[(g, "p")] = poses
        for g, poses in self.title_positions.items():
            out[(g, "P")] = poses
        for w, tf in self.title_words.items():
            out[(w, "h")] = tf
        for w, tf in self.body_words.items():
            out[(w, "w")] = tf
        for keyword in self.keywords:
            out[(keyword, "k")] = True
        return out

    def length_bytes(self) -> tuple[int, int]:
        """The title's and the body's length as one byte each (lengths.bin)."""
        return length_byte(self.title_length), length_byte(self.body_length)


def bigram_positions(part: str, start: int, out: dict[str, list[int]]) -> None:
    """Add each bigram of ``part`` with its positions (offset by ``start``), in order."""
    n = len(part) - 1
    if n <= 0:
        return
    grams = list(map(add, part[:-1], part[1:]))
    get = grams.__getitem__
    for gram, where in groupby(sorted(range(n), key=get), get):  # sorting runs in C
        poses = list(where)
        if start:
            poses = [start + i for i in poses]
        have = out.get(gram)
        if have is None:
            out[gram] = poses
        else:
            have.extend(poses)


def analyze(text: DocText, vocabulary: tuple[str, ...], words: tuple[str, ...]) -> DocTerms:
    """Grams, positions and words of one article (normalized parts one position apart)."""
    parts, title, body, keywords = text
    norm = [normalize(p) for p in parts]
    title_positions: dict[str, list[int]] = {}
    bigram_positions(norm[0], 0, title_positions)
    positions = {g: list(p) for g, p in title_positions.items()}
    start = len(norm[0]) + 1
    grams = set(norm[0])
    for part in norm[1:]:
        bigram_positions(part, start, positions)
        grams.update(part)
        start += len(part) + 1
    grams.update(positions)
    grams.update(vocabulary_hits(norm, vocabulary))
    title_words, body_words = word_counts(title, body, words)
    return DocTerms(grams=grams, title_grams=set(norm[0]) | title_positions.keys(),
                    positions=positions, title_positions=title_positions,
                    title_words=title_words, body_words=body_words,
                    title_length=sum(title_words.values()),
                    body_length=sum(body_words.values()), keywords=keywords)


def vocabulary_hits(norm: list[str], vocabulary: tuple[str, ...]) -> list[str]:
    joined = "\x1f".join(norm)  # \x1f is white space: never inside a normalized part
    return [w for w in vocabulary if w in joined]


def word_counts(title: str, body: str, words: tuple[str, ...]) -> tuple[Counter, Counter]:
    seg = segmenter(words)
    return seg.word_counts(title), seg.word_counts(body)


def encode_block_fast(block: int, texts: list[DocText], vocabulary: tuple[str, ...],
                      words: tuple[str, ...],
                      ) -> tuple[dict[tuple[str, str], bytes], list[int], list[bytearray]]:
    """What encode_block(block, [analyze(t) for t in texts]) gives, grams built with numpy;
    the summed title and body lengths; and per document each length as a byte."""
    from .vector import gram_records

    parts, hits = [], []
    keyword_docs: dict[str, list[int]] = {}
    title_lists: dict[str, list] = {}
    body_lists: dict[str, list] = {}
    lengths = [0, 0]
    length_bytes = [bytearray(), bytearray()]
    for local, (raw_parts, title, body, keywords) in enumerate(texts):
        for keyword in keywords:
            keyword_docs.setdefault(keyword, []).append(local)
        norm = [normalize(p) for p in raw_parts]
        parts.append(norm)
        hits.append(vocabulary_hits(norm, vocabulary))
        title_counts, body_counts = word_counts(title, body, words)
        for counts, lists, field in ((title_counts, title_lists, 0),
                                     (body_counts, body_lists, 1)):
            length = sum(counts.values())
            lengths[field] += length
            length_bytes[field].append(length_byte(length))
            for word, tf in counts.items():
                have = lists.get(word)
                if have is None:
                    lists[word] = [(local, tf)]
                else:
                    have.append((local, tf))
    out = gram_records(block, parts, hits)
    for keyword, docs in keyword_docs.items():
        out[(keyword, "k")] = frame(block, ENCODERS["k"](docs))
    for lists, kind in ((title_lists, "h"), (body_lists, "w")):
        encode = ENCODERS[kind]
        for word, entries in lists.items():
            out[(word, kind)] = frame(block, encode(entries))
    return out, lengths, length_bytes


def encode_entries(kind: str, entries: list[tuple[int, object]]) -> bytes:
    """One record's block from (document number inside the block, entry) pairs."""
    if kind in ("d", "k", "t"):
        return ENCODERS[kind]([d for d, _ in entries])
    return ENCODERS[kind](entries)


def encode_block(block: int, docs: list[DocTerms]) -> dict[tuple[str, str], bytes]:
    """The framed block of every record the documents of block ``block`` appear in."""
    collected: dict[tuple[str, str], list] = {}
    for local, terms in enumerate(docs):
        for key, entry in terms.entries().items():
            have = collected.get(key)
            if have is None:
                collected[key] = [(local, entry)]
            else:
                have.append((local, entry))
    return {key: frame(block, encode_entries(key[1], entries))
            for key, entries in collected.items()}
