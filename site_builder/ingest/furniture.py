"""Page furniture: the header line (page, date, weekday) and the editors line of a page.

Some typesetting exports print every glyph run twice (``20202020..22..2424 星期一星期一``);
``undouble`` recovers the single form, and is only ever applied to header candidates and to
whole headline lines, never to running text (where 谢谢 or 天天 are real words).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache

_ROLE = r"(?:责任编辑|值班编辑|责编|编辑|版式|美编|校对|审读|组版|设计|终审|照排)"
_EDITOR = re.compile(rf"({_ROLE})\s*[:：]?\s*([\u4e00-\u9fff·]{{2,4}}(?:[、,，\s]+[\u4e00-\u9fff·]{{2,4}})*)")
_EDITORS_LINE = re.compile(rf"^\s*{_ROLE}\s*[:：]?\s*[\u4e00-\u9fff]")
_DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[.\-/年]\s*(?P<m>\d{1,2})\s*[.\-/月]\s*(?P<d>\d{1,2})\s*日?")
_WEEKDAY = re.compile(r"星期[一二三四五六日天]|周[一二三四五六日]")
_PAGE = re.compile(r"(?:^|\s)(?P<page>[A-Z]\d{1,2}|第\s*[0-9一二三四五六七八九十]+\s*版|\d{1,2}\s*版"
                   r"|\d{1,2}(?=\s*$)|(?<![^\s])\d{1,2}(?=\s+(?:19|20)\d{2}))(?=\s|$|[:：])")
# A paper's name as a header prints it: 工人日报, 江苏工人报, 新华每日电讯, 劳动午报.
_PAPER = re.compile(r"[\u4e00-\u9fff]{2,10}?(?:日报|晚报|早报|午报|工人报|都市报|时报|电讯|报)")
_NUMERALS = {c: str(n) for n, c in enumerate("一二三四五六七八九十", start=1)}
_NAME_SEP = re.compile(r"[、,，\s]+")
_WEATHER = re.compile(r"[晴阴雨雪雾霾]|多云")


@dataclass
class Header:
    """What the page header and editors line say about the page."""

    paper: str | None = None
    page: str | None = None
    date: dt.date | None = None
    editors: list[str] = field(default_factory=list)


@cache
def undouble(token: str) -> str | None:
    """``20202020`` → ``2020``, ``..22..`` → ``.2.``, ``星期一星期一`` → ``星期一``; None if the
    token is not a sequence of doubled runs."""
    if len(token) < 2 or len(token) % 2 or len(token) > 64:
        return None

    @cache
    def parse(i: int) -> str | None:
        if i == len(token):
            return ""
        for size in range((len(token) - i) // 2, 0, -1):
            unit = token[i : i + size]
            if token[i + size : i + 2 * size] == unit:
                rest = parse(i + 2 * size)
                if rest is not None:
                    return unit + rest
        return None

    return parse(0)


def undouble_line(line: str) -> str | None:
    """The line with every token undoubled, when most of its tokens are doubled; else None."""
    tokens = line.split()
    long_tokens = [t for t in tokens if len(t) >= 2]
    if len(long_tokens) < 2:
        return None
    fixed = [undouble(t) for t in tokens]
    doubled = sum(1 for t, f in zip(tokens, fixed, strict=True) if len(t) >= 2 and f is not None)
    if doubled * 10 < len(long_tokens) * 6:
        return None
    return " ".join(f if f is not None else t for t, f in zip(tokens, fixed, strict=True))


def parse_editors(line: str) -> list[str] | None:
    """``责编 汪自力 ｜ 版式 邹琦`` → ["责编 汪自力", "版式 邹琦"]; None if not an editors line."""
    if not _EDITORS_LINE.match(line) or len(line) > 80:
        return None
    found = [role + " " + " ".join(_NAME_SEP.split(names.strip()))
             for role, names in _EDITOR.findall(line)]
    rest = _EDITOR.sub("", line)
    if re.search(r"[\u4e00-\u9fff]{3,}", rest):
        return None
    return found or None


def parse_date_line(line: str, *, near_edge: bool, was_doubled: bool) -> Header | None:
    """A page header like ``A06 2020.2.24 星期一`` or ``2024年2月26日 星期一 第3版``."""
    if len(line) > 60:
        return None
    m = _DATE.search(line)
    if not m:
        return None
    page = _PAGE.search(line)
    weekday = _WEEKDAY.search(line)
    if not (page or weekday):
        return None
    if not (page or was_doubled or (near_edge and not _WEATHER.search(line))):
        return None
    rest = line.replace(m.group(0), "")
    for found in (page, weekday):
        if found:
            rest = rest.replace(found.group(0).strip(), "")
    if len(re.sub(r"[\s|｜·•]", "", rest)) > 12:
        return None
    try:
        date = dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return None
    paper = _PAPER.search(rest)
    return Header(paper=paper.group(0) if paper else None,
                  page=page["page"].replace(" ", "") if page else None, date=date)


def page_number(printed: str) -> str:
    """The page's number, for comparing pages printed differently: 第3版, 06, 3版 → 3; a
    lettered page (A06) as printed."""
    digits = "".join(_NUMERALS.get(c, c) for c in printed if c.isdigit() or c in _NUMERALS)
    if printed[:1].isalpha() and printed[:1].isascii():
        return printed.replace(" ", "")
    return str(int(digits)) if digits.isdigit() else printed.replace(" ", "")
