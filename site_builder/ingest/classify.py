"""What each logical line of a page is: running text, headline, byline, credit, marker..."""

from __future__ import annotations

import re

from .repair import _DATELINE, _TIMELINE_DATE, LEAD_BYLINE, Unit
from .text import (
    BYLINE_ROLE,
    has_body_punct,
    is_byline,
    is_credit_line,
    is_signed_credit,
    last_significant,
    looks_like_name,
    marked_headline,
    simplified,
    split_trailing_credit,
    width,
)

TEXT = "text"
LEAD = "lead"  # running text that opens with a byline: 本报讯（记者…）…
HEAD = "head"  # headline, kicker, deck or section subhead
LABEL = "label"  # column label: 阅读提示, 蹲点日记, 苏工时评
BYLINE = "byline"  # a byline on its own line: 本报记者 李丰, □李钰, 记者 范翊
CREDIT = "credit"  # a closing credit on its own line: （孙旭诞）, 何应洋
DIGEST = "digest"  # digest heading: 短新闻□
ENTRY = "entry"  # timeline date: ◆ 1月24日
DATELINE = "dateline"  # diary date: 2025年1月2日 星期四 晴

ROLE = BYLINE_ROLE
_BOX_NAME = re.compile(r"^□\s*[\u4e00-\u9fff·]{2,4}(?:[\s、]+[\u4e00-\u9fff·]{2,4})*$")
_BRACKET_CREDIT = re.compile(r"^[（(][^（()）]{1,40}[）)]$")
_PHOTO_CREDIT = re.compile(
    rf"^(?:(?:{ROLE})?\s*[\u4e00-\u9fff·]{{2,4}}\s+)*(?:{ROLE})?\s*[\u4e00-\u9fff·]{{2,4}}\s*/?\s*摄$")
_DIGEST_HEAD = re.compile(r"^(?:短新闻|简讯|快讯|新闻速递|要闻速览|新闻简报|资讯)\s*□?$|^[^□\s][^□]{0,7}□$")
# Column labels (a vocabulary of newspaper practice, not of any one page).
_LABEL = re.compile(r"^.{0,4}(?:提示|日记|时评|短评|评论|编者按|按语|导读|链接|手记|札记|视点|速递|声音|"
                    r"访谈|专访|特写|述评|观察)$")


def classify(units: list[Unit]) -> list[str]:
    kinds = [_kind(u) for u in units]
    # A short line ending in a colon directly above text is a salutation (亲爱的读者朋友：).
    for i, unit in enumerate(units[:-1]):
        if kinds[i] == HEAD and unit.text.rstrip()[-1] in "：:" and units[i + 1].gap == 0 \
                and kinds[i + 1] == TEXT:
            kinds[i] = TEXT
    return kinds


def _kind(unit: Unit) -> str:
    text = simplified(unit.text.strip())  # a Big5 page is matched in simplified form
    if _TIMELINE_DATE.match(text):
        return ENTRY
    if _DATELINE.match(text):
        return DATELINE
    if LEAD_BYLINE.match(text):
        return LEAD
    if _DIGEST_HEAD.match(text):
        return DIGEST
    if is_byline(text) or _BOX_NAME.match(text):
        return BYLINE
    if _BRACKET_CREDIT.match(text) or _PHOTO_CREDIT.match(text.replace("／", "/")) \
            or is_signed_credit(text) or is_credit_line(text):
        return CREDIT
    if unit.vertical or unit.spaced:
        return HEAD
    tokens = text.split()
    if 1 <= len(tokens) <= 5 and all(looks_like_name(t) for t in tokens):
        return CREDIT
    if _LABEL.match(text) and width(text) <= 16:
        return LABEL
    if is_headline(text) or (unit.source_lines == 1 and marked_headline(text)):
        return HEAD
    return TEXT


def is_headline(text: str) -> bool:
    """Short, no sentence punctuation, not ending mid-clause."""
    return (width(text) <= 84 and not has_body_punct(text) and text.count("，") + text.count(",") < 2
            and last_significant(text) not in "，,、" and not split_trailing_credit(text)[1])
