"""What the home and region pages show of the archive's coverage: a tile map of China's
provinces coloured by article count, and articles per year as bars.

Both are plain data made from counts at planning time (the templates draw them as SVG and
HTML), so they need no script, and a page's fingerprint sees every number it shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..archive import Archive, RegionNode

# Each province's tile as (column, row): a grid kept roughly in place, north at the top.
TILES: dict[str, tuple[int, int]] = {
    "黑龙江": (7, 0),
    "内蒙古": (4, 1), "吉林": (7, 1),
    "新疆": (0, 2), "甘肃": (2, 2), "宁夏": (3, 2), "山西": (4, 2), "北京": (5, 2),
    "天津": (6, 2), "辽宁": (7, 2),
    "西藏": (0, 3), "青海": (1, 3), "四川": (2, 3), "陕西": (3, 3), "河南": (4, 3),
    "河北": (5, 3), "山东": (6, 3),
    "云南": (2, 4), "重庆": (3, 4), "湖北": (4, 4), "安徽": (5, 4), "江苏": (6, 4),
    "上海": (7, 4),
    "贵州": (3, 5), "湖南": (4, 5), "江西": (5, 5), "浙江": (6, 5),
    "广西": (3, 6), "广东": (4, 6), "福建": (5, 6), "台湾": (6, 6),
    "海南": (3, 7), "澳门": (4, 7), "香港": (5, 7),
}
COLUMNS = 1 + max(c for c, _ in TILES.values())
ROWS = 1 + max(r for _, r in TILES.values())
LEVELS = 5  # colour steps of the map, lightest to darkest


@dataclass(frozen=True)
class Tile:
    name: str  # short name, 江苏
    column: int
    row: int
    count: int  # articles about the province (rolled up, each once)
    level: int  # 0: none; 1..LEVELS by count
    url: str  # its region page; "" when it has no articles (no page)
    current: bool  # the page being shown is this province's


@dataclass(frozen=True)
class ProvinceMap:
    tiles: tuple[Tile, ...]
    legend: tuple[tuple[int, str], ...]  # (level, the counts it stands for) of levels used
    columns: int = COLUMNS
    rows: int = ROWS


@dataclass(frozen=True)
class YearBar:
    year: int
    count: int
    url: str  # the year's page; "" for a year without articles (no page)
    percent: float  # the bar's length, of the longest


def province_map(archive: Archive, current: str | None = None) -> ProvinceMap | None:
    """Every province as a tile, coloured by its articles; ``current``: the province whose
    page shows the map. None when no province has articles (only national ones, or none)."""
    nodes = {n.region.name: n for n in archive.provinces if n.region.level == 1}
    if not nodes:
        return None
    bounds = level_bounds(max(len(n.articles) for n in nodes.values()))
    tiles = []
    for name, (column, row) in TILES.items():
        node = nodes.get(name)
        count = len(node.articles) if node else 0
        tiles.append(Tile(name, column, row, count, level_of(count, bounds),
                          node.url if node else "", name == current))
    legend, low = [], 1
    for level, high in enumerate(bounds, start=1):
        if high >= low:
            legend.append((level, str(low) if low == high else f"{low}–{high}"))
            low = high + 1
    return ProvinceMap(tuple(tiles), tuple(legend))


def level_bounds(most: int) -> tuple[int, ...]:
    """The highest count of each colour level: steps even on a log scale up to ``most``, as
    a few provinces hold most articles (a level repeats a bound when counts are few)."""
    return tuple(max(1, round(most ** (k / LEVELS))) for k in range(1, LEVELS + 1))


def level_of(count: int, bounds: tuple[int, ...]) -> int:
    if count <= 0:
        return 0
    return next((k for k, high in enumerate(bounds, start=1) if count <= high), LEVELS)


def year_bars(counts: dict[int, int], url_of) -> tuple[YearBar, ...]:
    """A bar per year from the newest to the oldest with articles, newest first; a year in
    between without articles shows as zero. ``url_of(year)``: that year's page."""
    if not counts:
        return ()
    most = max(counts.values())
    return tuple(YearBar(y, counts.get(y, 0), url_of(y) if counts.get(y) else "",
                         round(100 * counts.get(y, 0) / most, 1))
                 for y in range(max(counts), min(counts) - 1, -1))


def archive_years(archive: Archive) -> tuple[YearBar, ...]:
    return year_bars({y.year: len(y.articles) for y in archive.years}, lambda y: f"years/{y}/")


def region_years(node: RegionNode) -> tuple[YearBar, ...]:
    return year_bars({y: len(items) for y, items in node.years.items()}, node.year_url)
