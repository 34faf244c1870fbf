"""What a hit shows of its article: the sentences that hold the query's terms, marked.

search.js makes the same snippets (snippet, findMarks): fragments start at a sentence (or,
in a long sentence, a clause) and are chosen to show every term the article's text holds,
fewest fragments first; a hit whose terms are only in its title or tags says so.
"""

from __future__ import annotations

from collections.abc import Callable

SNIPPET_CHARS = 150  # of text shown per hit, all fragments together
MAX_FRAGMENTS = 3
SENTENCE_ENDS = "。！？!?；;"
CLAUSE_ENDS = "，、,：:"
JOINER = " … "

WithOffsets = Callable[[str], tuple[str, list[int]]]
Span = tuple[int, int]


def term_spans(text: str, terms: list[str], with_offsets: WithOffsets) -> list[list[Span]]:
    """Per term, the spans of ``text`` (original characters) where it occurs."""
    norm, offsets = with_offsets(text)
    out = []
    for term in terms:
        spans = []
        start = norm.find(term)
        while start != -1:
            spans.append((offsets[start], offsets[start + len(term) - 1] + 1))
            start = norm.find(term, start + 1)
        out.append(spans)
    return out


def merged(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def find_marks(text: str, terms: list[str], with_offsets: WithOffsets) -> list[Span]:
    """Spans of ``text`` where the terms occur, merged and sorted."""
    return merged([s for spans in term_spans(text, terms, with_offsets) for s in spans])


def sentences(text: str) -> list[Span]:
    """(start, end) of each sentence: a sentence ends after 。！？!?；; (and its spaces)."""
    out, start = [], 0
    for i, char in enumerate(text):
        if char in SENTENCE_ENDS and (i + 1 == len(text) or text[i + 1] not in SENTENCE_ENDS):
            end = i + 1
            while end < len(text) and text[end] == " ":
                end += 1
            out.append((start, end))
            start = end
    if start < len(text):
        out.append((start, len(text)))
    return out


def make_snippet(text: str, terms: list[str], with_offsets: WithOffsets,
                 ) -> tuple[str, list[Span]]:
    """Fragments of ``text`` (whole sentences, cut to fit) holding every term it has, fewest
    first, in text order, joined by " … "; and the marked spans inside the snippet."""
    per_term = term_spans(text, terms, with_offsets)
    bounds = sentences(text)
    holds = [{t for t, spans in enumerate(per_term) if any(a < e and a >= s for a, _ in spans)}
             for s, e in bounds]
    wanted = {t for t, spans in enumerate(per_term) if spans}
    chosen: list[int] = []
    while wanted and len(chosen) < MAX_FRAGMENTS:
        best = max(range(len(bounds)), key=lambda i: (len(holds[i] & wanted), -i))
        if not holds[best] & wanted:
            break
        chosen.append(best)
        wanted -= holds[best]
    if not chosen and bounds:
        chosen = [0]
    chosen.sort()
    marks = merged([s for spans in per_term for s in spans])
    share = SNIPPET_CHARS // max(1, len(chosen))
    pieces: list[str] = []
    shown: list[Span] = []
    at = 0
    for i in chosen:
        start, end = bounds[i]
        first = next((a for a, b in marks if a >= start and b <= end), None)
        if first is not None and first + 8 > start + share:  # the hit is past the share
            clause = max((j + 1 for j in range(start, first) if text[j] in CLAUSE_ENDS),
                         default=start)
            start = clause if first + 8 <= clause + share else max(start, first - 10)
        cut = min(end, start + share)
        piece = text[start:cut].rstrip()
        if pieces:
            at += len(JOINER)
        stop = start + len(piece)
        shown += [(max(a, start) - start + at, min(b, stop) - start + at) for a, b in marks
                  if a < stop and b > start]
        pieces.append(piece + ("…" if cut < end and piece else ""))
        at += len(pieces[-1])
    return JOINER.join(pieces), shown
