"""The cut-review page: a bulletin's raw text with each article's lines in a colour of their
own and page furniture greyed, beside the evidence ``ingest --explain`` gives, so an editor
reviews a page's cut in seconds instead of diffing files. ``serve`` shows it for every
bulletin in content/bulletins (the page is built here; serve only routes to it)."""

from __future__ import annotations

import html
from pathlib import Path

from .cut import Cut, cut_bulletin
from .decode import DecodeError, decode_bulletin
from .explain import explain_article, weak_decisions

FURNITURE = -1


def line_owners(cut: Cut) -> dict[int, int]:
    """Source line (1-based) → index of the article it belongs to, or FURNITURE.

    Each piece records the line it starts on; headline lines are found by their text; a
    line between is the continuation (hard wrap) of the line above."""
    lines = cut.text.split("\n")
    owners: dict[int, int] = {}
    for f in cut.page.furniture:
        owners[f.lineno] = FURNITURE
    for d in cut.page.dropped:
        owners.setdefault(d.lineno, FURNITURE)
    for n, article in enumerate(cut.articles):
        for piece in article.draft.pieces:
            owners.setdefault(piece.lineno, n)
    for n, article in enumerate(cut.articles):
        draft = article.draft
        heads = [t for t in (draft.title if draft.title_from_page else "", draft.kicker,
                             draft.subtitle) if t]
        flat_heads = ["".join(t.split()) for t in heads]
        for number, line in enumerate(lines, start=1):
            flat = "".join(line.split())
            if number not in owners and len(flat) >= 2 and any(flat in h for h in flat_heads):
                owners[number] = n
    current = None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if number in owners:
            current = owners[number]
        elif current is not None:
            owners[number] = current
    return owners


def _colour(n: int) -> str:
    return f"hsl({(n * 137) % 360} 70% 88%)"


def review_page(cut: Cut, name: str) -> str:
    """The review page for one bulletin's cut, as a complete HTML document."""
    owners = line_owners(cut)
    rows = []
    for number, line in enumerate(cut.text.split("\n"), start=1):
        owner = owners.get(number)
        if owner is None:
            style, label = "", ""
        elif owner == FURNITURE:
            style, label = ' class="furniture"', "furniture"
        else:
            style, label = f' class="article" style="background:{_colour(owner)}"', f"#{owner + 1}"
        rows.append(f'<tr{style}><td class="n">{number}</td><td class="who">{label}</td>'
                    f"<td>{html.escape(line) or '&nbsp;'}</td></tr>")
    cards = []
    for n, article in enumerate(cut.articles):
        explained = "".join(f"<li>{html.escape(x)}</li>" for x in explain_article(article))
        weak = "".join(f"<li>{html.escape(x)}</li>" for x in weak_decisions(article))
        cards.append(
            f'<section class="card" style="border-color:{_colour(n)}">'
            f'<h2><span class="tag" style="background:{_colour(n)}">#{n + 1}</span> '
            f"{html.escape(article.meta.title)}</h2><ul>{explained}</ul>"
            + (f'<p class="weak">Weak decisions:</p><ul class="weak">{weak}</ul>' if weak else "")
            + "</section>")
    header = cut.page.header
    facts = " · ".join(x for x in (header.paper, header.page,
                                    header.date.isoformat() if header.date else None) if x)
    lost = html.escape(cut.unassigned) if cut.unassigned else "none"
    return f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Cut review: {html.escape(name)}</title>
<style>
body {{ font: 15px/1.6 system-ui, sans-serif; margin: 1rem; color: #222; overflow-wrap: anywhere; }}
.layout {{ display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1rem; }}
@media (max-width: 800px) {{ .layout {{ grid-template-columns: 1fr; }} }}
table {{ border-collapse: collapse; width: 100%; }}
td {{ padding: 0 .4rem; vertical-align: top; white-space: pre-wrap; word-break: break-all; }}
td.n, td.who {{ color: #777; font-size: 12px; white-space: nowrap; text-align: right; }}
tr.furniture td {{ color: #999; background: #f1f1f1; }}
.card {{ border-left: 6px solid; padding: .2rem .8rem; margin-bottom: .8rem; background: #fafafa; }}
.card h2 {{ font-size: 16px; margin: .3rem 0; }}
.card ul {{ margin: .2rem 0; padding-left: 1.1rem; font-size: 13px; }}
.tag {{ padding: 0 .3rem; border-radius: 3px; }}
.weak {{ color: #8a3b00; font-size: 13px; margin: .2rem 0; }}
</style></head><body>
<h1>Cut review: {html.escape(name)}</h1>
<p>{html.escape(facts) or "no page header"} · {len(cut.articles)} articles ·
characters unassigned: {lost}</p>
<div class="layout"><table>{''.join(rows)}</table><div>{''.join(cards)}</div></div>
</body></html>
"""


def review_bulletin(path: Path, tags: list[str]) -> str:
    """The review page of a bulletin file (or a page saying why it cannot be cut)."""
    try:
        text, _ = decode_bulletin(path.read_bytes())
    except (OSError, DecodeError) as exc:
        return f"<!DOCTYPE html><meta charset='utf-8'><p>{html.escape(path.name)}: " \
               f"{html.escape(str(exc))}</p>"
    cut = cut_bulletin(text.replace("\r\n", "\n").replace("\r", "\n"), tags)
    return review_page(cut, path.name)


def review_index(bulletins: Path, prefix: str) -> str:
    """Links to the review page of every bulletin in the folder."""
    names = sorted(p.name for p in bulletins.glob("*.txt") if p.is_file()) \
        if bulletins.is_dir() else []
    items = "".join(f'<li><a href="{prefix}{html.escape(n)}">{html.escape(n)}</a></li>'
                    for n in names)
    return ("<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'><title>Cut review</title>"
            f"</head><body><h1>Cut review</h1><ul>{items or '<li>no bulletins</li>'}</ul>"
            "</body></html>")
