"""Why ingest decided what it did: per article, the evidence behind its title, region, year,
authors and kind (``ingest --explain``), and which decisions were weak (``ingest --report``),
so an editor can trust or correct a cut quickly."""

from __future__ import annotations

from .byline import credit_names, lead_byline, names_in
from .cut import Cut, CutArticle


def authors_evidence(article: CutArticle) -> list[str]:
    """Each author with where the name was read: a byline line, a lead, a closing credit."""
    out: list[str] = []
    for piece in article.draft.pieces:
        if piece.kind == "byline":
            found, where = names_in(piece.text), f"byline line {piece.lineno}"
        elif piece.kind == "credit":
            found, where = credit_names(piece.text), f"credit line {piece.lineno}"
        elif piece.kind == "p":
            prefix, found = lead_byline(piece.text)
            where = f"lead “{prefix[:24]}”"
        else:
            continue
        out.extend(f"{name} ({where})" for name in found)
    return out


def title_evidence(article: CutArticle) -> str:
    draft = article.draft
    if not draft.title_from_page:
        return "derived from the first sentence (the page prints no headline for it)"
    parts = ["printed headline"]
    if draft.kicker:
        parts.append(f"kicker “{draft.kicker}”")
    if draft.subtitle:
        parts.append(f"deck “{draft.subtitle}”")
    return ", ".join(parts)


def explain_article(article: CutArticle) -> list[str]:
    meta = article.meta
    date = f" {meta.date.isoformat()}" if meta.date else ""
    authors = authors_evidence(article)
    return [
        f"title   {meta.title}: {title_evidence(article)}",
        f"region  {meta.extra.get('region_evidence', meta.region.path)}",
        f"year    {meta.year}{date}: {meta.year_evidence or 'no evidence'}",
        f"authors {', '.join(authors) if authors else 'none named on the page'}",
        f"kind    {meta.kind}",
    ]


def weak_decisions(article: CutArticle) -> list[str]:
    """Decisions an editor should look at, with the reason they are weak."""
    meta, draft = article.meta, article.draft
    weak = []
    if not draft.title_from_page:
        weak.append("title derived: the page prints no headline for this text")
    evidence = meta.extra.get("region_evidence", "")
    if meta.region.is_national and "no place named" not in evidence:
        weak.append("region 全国 although places are named: no province holds most of the weight")
    if "outweighed" in evidence:
        weak.append("region chosen over other places named: " + evidence.split("outweighed: ")[1])
    if meta.year_evidence in ("latest year named in the text", "latest year named on the page") \
            or meta.year_evidence.endswith("年"):
        weak.append(f"year {meta.year} from {meta.year_evidence}")
    if meta.year_evidence.startswith("a December item"):
        weak.append(f"year {meta.year}: {meta.year_evidence}")
    if not meta.authors:
        weak.append("no author found (no byline, lead or credit)")
    if article.chars < 40:
        weak.append(f"only {article.chars} characters: a fragment of a neighbour?")
    return weak


def format_explain(cut: Cut) -> str:
    lines = []
    for n, article in enumerate(cut.articles, start=1):
        lines.append(f"  {n:2d}. line {article.draft.lineno}")
        lines.extend("      " + line for line in explain_article(article))
    return "\n".join(lines)


def format_weak(cut: Cut) -> list[str]:
    out = []
    for n, article in enumerate(cut.articles, start=1):
        for reason in weak_decisions(article):
            out.append(f"  weak {n:2d}. {article.meta.title}: {reason}")
    return out
