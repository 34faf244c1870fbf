"""Score ingest against hand-made truth: ``python -m site_builder.ingest.evaluate TRUTH_DIR``.

A truth file (``<page>.yaml`` beside ``<page>.txt``) names the page's identity (``paper``,
``date``, ``page``) and, per article, where its body starts and ends (``starts``/``ends``:
the first and last characters of its body, white space ignored; the body is everything
between, byline and credits included, the headline not), and its ``title``, ``region``,
``year``, ``date``, ``authors`` and ``kind``.

An article is found when ingest cut a body of exactly that text: nothing missing, nothing
from a neighbour (split precision/recall/F1). Field accuracy is over the truth articles, each
compared with the cut article holding the start of its body. ``lost`` counts characters of
the input found in no article, furniture or removed repeat.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..config import load_config
from .cut import Cut, cut_bulletin
from .decode import decode_bulletin
from .furniture import page_number
from .text import canon_char

FIELDS = ("title", "region", "authors", "year", "date", "kind")
IDENTITY = ("paper", "date", "page")


def flat(text: str) -> str:
    """The text compared: white space removed, vertical forms as horizontal."""
    return "".join(canon_char(c) for c in text if not c.isspace())


@dataclass
class PageScore:
    name: str
    truth: int = 0
    cut: int = 0
    found: int = 0
    lost: int = 0
    fields: Counter = field(default_factory=Counter)  # field → right answers
    identity: Counter = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)


def truth_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.yaml") if (p.with_suffix(".txt")).exists())


def predicted(article, fieldname: str):
    meta = article.meta
    return {"title": meta.title, "region": meta.region.path, "authors": sorted(meta.authors),
            "year": meta.year, "date": meta.date.isoformat() if meta.date else None,
            "kind": meta.kind}[fieldname]


def expected(entry: dict, fieldname: str):
    value = entry.get(fieldname)
    if fieldname == "authors":
        return sorted(value or [])
    if fieldname == "date" and value is not None:
        return str(value)
    return value


def score_page(path: Path, tags: list[str]) -> tuple[PageScore, Cut]:
    truth = yaml.safe_load(path.read_text(encoding="utf-8"))
    source = path.with_suffix(".txt")
    text, _ = decode_bulletin(source.read_bytes())
    cut = cut_bulletin(text.replace("\r\n", "\n").replace("\r", "\n"), tags)
    page = flat(text)
    bodies = [flat("".join(p.text for p in a.draft.pieces)) for a in cut.articles]
    score = PageScore(path.stem, truth=len(truth["articles"]), cut=len(cut.articles),
                      lost=len(cut.unassigned))
    unmatched = list(range(len(bodies)))
    for entry in truth["articles"]:
        start = page.find(flat(entry["starts"]))
        end = page.find(flat(entry["ends"]), max(start, 0))
        body = page[start : end + len(flat(entry["ends"]))] if start >= 0 and end >= 0 else None
        if body is not None and body in [bodies[i] for i in unmatched]:
            unmatched.remove(next(i for i in unmatched if bodies[i] == body))
            score.found += 1
        else:
            score.misses.append(f"{path.stem}: not cut whole: {entry['title']}")
        holder = next((a for a, b in zip(cut.articles, bodies, strict=True)
                       if flat(entry["starts"]) in b), None)
        for name in FIELDS:
            got = predicted(holder, name) if holder is not None else None
            if holder is not None and got == expected(entry, name):
                score.fields[name] += 1
            else:
                score.misses.append(f"{path.stem}: {name} {got!r} != {expected(entry, name)!r}"
                                    f" ({entry['title']})")
    header = cut.page.header
    got_identity = {"paper": header.paper, "page": page_number(header.page) if header.page else None,
                    "date": header.date.isoformat() if header.date else None}
    for name in IDENTITY:
        want = truth.get(name)
        want = str(want) if want is not None else None
        if got_identity[name] == want:
            score.identity[name] += 1
        else:
            score.misses.append(f"{path.stem}: page {name} {got_identity[name]!r} != {want!r}")
    return score, cut


@dataclass
class Summary:
    pages: int
    truth: int
    cut: int
    found: int
    lost: int
    fields: dict[str, float]
    identity: dict[str, float]

    @property
    def precision(self) -> float:
        return self.found / self.cut if self.cut else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.truth if self.truth else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def summarize(scores: list[PageScore]) -> Summary:
    truth = sum(s.truth for s in scores)
    fields = {name: sum(s.fields[name] for s in scores) / truth if truth else 0.0
              for name in FIELDS}
    identity = {name: sum(s.identity[name] for s in scores) / len(scores) if scores else 0.0
                for name in IDENTITY}
    return Summary(pages=len(scores), truth=truth, cut=sum(s.cut for s in scores),
                   found=sum(s.found for s in scores), lost=sum(s.lost for s in scores),
                   fields=fields, identity=identity)


def evaluate(folder: Path, tags: list[str]) -> tuple[Summary, list[PageScore]]:
    scores = [score_page(path, tags)[0] for path in truth_files(folder)]
    return summarize(scores), scores


def format_summary(summary: Summary, label: str) -> str:
    lines = [f"{label}: {summary.pages} pages, {summary.truth} articles, {summary.cut} cut",
             f"  split  P {summary.precision:.3f}  R {summary.recall:.3f}  F1 {summary.f1:.3f}"]
    lines.append("  fields " + "  ".join(f"{k} {v:.3f}" for k, v in summary.fields.items()))
    lines.append("  page   " + "  ".join(f"{k} {v:.3f}" for k, v in summary.identity.items()))
    lines.append(f"  characters lost {summary.lost}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m site_builder.ingest.evaluate",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("truth_dirs", nargs="+", type=Path, metavar="TRUTH_DIR",
                        help="folder of <page>.txt + <page>.yaml (searched recursively)")
    parser.add_argument("--config", type=Path, default=Path("config.yaml"),
                        help="config whose ingest.tags are used (default: config.yaml, if any)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    tags = list(load_config(args.config).ingest.tags) if args.config.exists() else []
    code = 0
    for folder in args.truth_dirs:
        if not truth_files(folder):
            print(f"{folder}: no <page>.yaml truth files beside <page>.txt", file=sys.stderr)
            code = 2
            continue
        summary, scores = evaluate(folder, tags)
        print(format_summary(summary, str(folder)))
        if args.verbose:
            for s in scores:
                for miss in s.misses:
                    print("  - " + miss)
    return code


if __name__ == "__main__":
    sys.exit(main())
