"""The home page's coverage chart: articles per year, stacked by province, as inline SVG.

Made at build time from counts alone, so it needs no script and is identical between builds.
"""

from __future__ import annotations

from html import escape

from ..archive import Archive

PALETTE = ("#b3261e", "#d9822b", "#3a7d44", "#2f6690", "#7b4b94", "#8c8c8c")
TOP_PROVINCES = len(PALETTE) - 1


def coverage_svg(archive: Archive, width: int = 640, bar_height: int = 22) -> str:
    """A horizontal stacked bar per year; the five largest provinces get colours, the rest 其他."""
    if not archive.years:
        return ""
    own: dict[str, int] = {}  # articles by their own province (not rolled up)
    for a in archive.articles:
        own[a.region.path.split("/")[0]] = own.get(a.region.path.split("/")[0], 0) + 1
    ranked = sorted(own, key=lambda p: (-own[p], p))
    leaders = ranked[:TOP_PROVINCES]
    names = [*leaders, "其他"] if len(ranked) > TOP_PROVINCES else leaders
    label_w, gap, top = 48, 8, 8
    longest = max(len(y.articles) for y in archive.years)
    scale = (width - label_w - 40) / longest
    rows = []
    for i, year in enumerate(archive.years):
        y = top + i * (bar_height + gap)
        counts: dict[str, int] = {}
        for a in year.articles:  # by the article's own province: each counts once
            counts[a.region.path.split("/")[0]] = counts.get(a.region.path.split("/")[0], 0) + 1
        parts = [(n, counts.get(n, 0)) for n in leaders]
        if "其他" in names:
            parts.append(("其他", len(year.articles) - sum(c for _, c in parts)))
        x = float(label_w)
        rows.append(f'<text x="0" y="{y + bar_height * 0.72:.1f}" class="label">{year.year}</text>')
        for n, count in parts:
            if count <= 0:
                continue
            w = count * scale
            colour = PALETTE[names.index(n)]
            rows.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{colour}">'
                f"<title>{escape(n)} {year.year}: {count}</title></rect>"
            )
            x += w
        rows.append(f'<text x="{x + 6:.1f}" y="{y + bar_height * 0.72:.1f}" '
                    f'class="count">{len(year.articles)}</text>')
    legend_y = top + len(archive.years) * (bar_height + gap) + 4
    legend, lx = [], float(label_w)
    for n in names:
        legend.append(f'<rect x="{lx:.1f}" y="{legend_y}" width="12" height="12" '
                      f'fill="{PALETTE[names.index(n)]}"/>')
        legend.append(f'<text x="{lx + 16:.1f}" y="{legend_y + 11}" class="legend">{escape(n)}</text>')
        lx += 16 + 14 * len(n) + 18
    height = legend_y + 20
    return (
        f'<svg class="coverage" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="coverage-title" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="coverage-title">各年份报道数量（按省份）</title>{"".join(rows)}{"".join(legend)}</svg>'
    )
