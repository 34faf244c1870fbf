"""Author names from bylines and closing credits, without role words."""

from __future__ import annotations

import re

from .repair import LEAD_BYLINE
from .text import BYLINE_MARKS, BYLINE_ROLE, MEDIA, PERSON, credit_form, looks_like_name, simplified

_ROLE_WORDS = re.compile(
    rf"本报|本刊|新华社|{MEDIA}(?=\s|记者|通讯员)|特约|见习|首席|"
    r"实习生|实习|记者|通讯员|撰稿|作者|摄影|报道|摄|编译|整理|文字|图片|文图|图文|文/|图/|/文|/图")
_NAME = re.compile(rf"^{PERSON}$")
# After a lead (本报讯, 新华社北京1月17日电, 邵阳新闻在线讯, 武冈融媒报道：): （记者… 通讯员…）, or
# 记者张浩呈 通讯员郑轶文、王飞报道
_AFTER_LEAD_BRACKET = re.compile(r"\s*[（(]([^（()）]{1,80})[）)]")
_AFTER_LEAD_REPORT = re.compile(r"\s+(.{1,80}?)报道\s*")
# An agency dateline set on a line of its own, its byline on the next: 新华社北京1月22日电 /
# 新华社记者 樊华 (re-joined as one line when the page wraps them).
_AFTER_LEAD_BYLINE = re.compile(rf"\s*((?:{BYLINE_ROLE})\s*[:：]?\s*{PERSON}(?:[\s、]+{PERSON})*)\s*$")


def names_in(text: str) -> list[str]:
    """Names in a byline or credit fragment: role words removed, split on spaces and 、.

    Matching is done on the simplified form (a Big5 page); names are returned as printed."""
    plain = credit_form(text)
    if "单位" in plain or "《" in plain:
        return []
    cleaned = _ROLE_WORDS.sub(lambda m: " " * len(m.group(0)), plain)
    cleaned = "".join(" " if c in "（）() " or c in BYLINE_MARKS else c for c in cleaned)
    return [text[m.start() : m.end()] for m in re.finditer(r"[^\s、，,/：:]+", cleaned)
            if _NAME.match(m.group(0))]


def lead_byline(text: str) -> tuple[str, list[str]]:
    """(lead with its byline, names) of a paragraph opening with a lead; ('', []) if none."""
    plain = simplified(text)
    lead = LEAD_BYLINE.match(plain)
    if not lead:
        return "", []
    for pattern in (_AFTER_LEAD_BRACKET, _AFTER_LEAD_REPORT, _AFTER_LEAD_BYLINE):
        m = pattern.match(plain, lead.end())
        if m:
            names = names_in(text[m.start(1) : m.end(1)])
            if names or _ROLE_WORDS.search(m.group(1)):
                return text[: m.end()], names
    return text[: lead.end()], []


def strip_lead(text: str) -> str:
    prefix, _ = lead_byline(text)
    return text[len(prefix) :].lstrip() if prefix else text


def credit_names(text: str) -> list[str]:
    """Names in a closing credit: （孙旭诞）, 潘凡 王锐 段晓旋, 计海新 摄."""
    names = names_in(text)
    if text.strip().startswith(("（", "(")) or _ROLE_WORDS.search(simplified(text)):
        return names  # bracketed or role-marked (记者：马骁 通讯员：杨洁、虎勇): every slot is a name
    return [n for n in names if looks_like_name(n)] if len(names) > 1 else names
