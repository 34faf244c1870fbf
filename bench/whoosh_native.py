"""Whoosh-native exact matching against the gram postings, on the same articles.

The exact text rule (a term matches the articles whose folded text contains it) can live in
Whoosh itself: a field of character bigrams with their positions (a term of 3+ characters is
then a Phrase of its bigrams, one of 1-2 characters a Term of a unigram or bigram field).
This script writes such an index for the first N articles of a built project and times the
writer and the queries of bench/queries.txt, beside the same queries through the exported
gram postings (exact.ExactQuery, what site-builder search runs). docs/performance.md keeps
the figures and the decision.

    python bench/whoosh_native.py bench/work/n10000 --n 1000
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from whoosh.analysis import Token, Tokenizer

from site_builder.search.analysis import PART_SEPARATOR, normalize

BENCH = Path(__file__).resolve().parent


class Grams(Tokenizer):
    """Characters (size 1) or bigrams (size 2) of the folded parts, true positions."""

    def __init__(self, size: int) -> None:
        self.size = size

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if mode == "query":  # a query term is already folded: one token
            token.text, token.pos, token.boost, token.stopped = value, 0, 1.0, False
            yield token
            return
        pos = 0
        for part in value.split(PART_SEPARATOR):
            norm = normalize(part)
            for i in range(len(norm) - self.size + 1):
                token.text = norm[i:i + self.size]
                token.pos, token.boost, token.stopped = pos + i, 1.0, False
                yield token
            pos += len(norm) + 1




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("project", type=Path, help="a project built with site-builder build")
    parser.add_argument("--n", type=int, default=1000, help="articles written to Whoosh")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()

    from whoosh import fields, index
    from whoosh import query as wq

    from site_builder.config import load_config
    from site_builder.content import load_library
    from site_builder.search.engine import SearchIndex
    from site_builder.search.export import numbered
    from site_builder.search.schema import searchable_parts

    config = load_config(args.project / "config.yaml")
    library = load_library(config.content_dir, project_root=config.root)
    articles = numbered(library.articles)[:args.n]
    schema = fields.Schema(
        chars=fields.TEXT(analyzer=Grams(1), phrase=False),
        grams=fields.TEXT(analyzer=Grams(2), phrase=True))
    folder = Path(tempfile.mkdtemp(prefix="whoosh-native-"))
    try:
        ix = index.create_in(str(folder), schema)
        texts = [PART_SEPARATOR.join(searchable_parts(a)) for a in articles]
        started = time.perf_counter()
        writer = ix.writer(limitmb=256)
        for text in texts:
            writer.add_document(chars=text, grams=text)
        writer.commit()
        write = time.perf_counter() - started
        size = sum(p.stat().st_size for p in folder.iterdir())
        print(f"Whoosh-native writer: {len(texts)} articles in {write:.1f} s "
              f"({1000 * write / len(texts):.1f} ms an article; x{10000 / len(texts):g} "
              f"for 10,000: {write * 10000 / len(texts):.0f} s), index {size / 1e6:.1f} MB")

        queries = [q.strip().strip('"') for q in (BENCH / "queries.txt").read_text(
            encoding="utf-8").splitlines() if q.strip() and not q.startswith("#")]
        words = [normalize(w) for q in queries for w in q.replace('"', " ").split()]
        native: list[float] = []
        with ix.searcher() as searcher:
            for word in words:
                if len(word) == 1:
                    q = wq.Term("chars", word)
                elif len(word) == 2:
                    q = wq.Term("grams", word)
                else:
                    q = wq.Phrase("grams", [word[i:i + 2] for i in range(len(word) - 1)])
                for _ in range(args.reps):
                    t = time.perf_counter()
                    found = {hit.docnum for hit in searcher.search(q, limit=None)}
                    del found
                    native.append(time.perf_counter() - t)
        print(f"Whoosh-native queries ({len(words)} terms x {args.reps}) over {len(texts)} "
              f"articles: median {1000 * statistics.median(native):.1f} ms, "
              f"max {1000 * max(native):.1f} ms")
        grams: list[float] = []
        for word in words:
            for _ in range(args.reps):
                exact = SearchIndex(config.root)  # fresh: nothing cached between runs
                t = time.perf_counter()
                exact.search(f'"{word}"', limit=0)  # matched, scored, sorted; no snippets
                grams.append(time.perf_counter() - t)
                exact.close()
        print(f"gram postings through Whoosh (ExactQuery, site-builder search's path) over "
              f"all {len(library.articles)} articles: median "
              f"{1000 * statistics.median(grams):.1f} ms, max {1000 * max(grams):.1f} ms")
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
