"""Front-matter for a cut article: dates and years, regions, authors, tags, kind, summary.

Dates follow the evidence order of the issue: the page header's date; then a full date
written in the article's opening (a diary dateline, 2025年1月2日); the year alone then comes
from the page's own evidence (2021年是…, 龙年春节, 2024年“两节”). An article is never given a
date the page does not print: with only a year known, ``date`` is left out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from ..gazetteer import Gazetteer, Region, default_gazetteer
from .byline import credit_names, lead_byline, names_in, strip_lead
from .furniture import Header
from .places import Mention, choose_region, mentions
from .split import Draft
from .text import simplified

_FULL_DATE = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")
_YEAR = re.compile(r"(?<![\d.])(?P<y>(?:19|20)\d{2})\s*年(?!度|代|以来|来|前|之前|底前)")
_STRONG_YEAR = re.compile(
    r"(?<![\d.])(?P<y>(?:19|20)\d{2})\s*年(?:是|春节|“?两节|元旦|新春|[一二]?月|全省|全市|全国|\s*“?两节”?)")
# A year named for the holidays it precedes (2025年元旦春节, 2024年“两节”), and a December day
# the item itself happens on (not 去年12月…).
_HOLIDAY_YEAR = re.compile(r"(?<![\d.])(?P<y>(?:19|20)\d{2})\s*年\s*(?:元旦|春节|新春|“?两节|“?兩節)")
_DECEMBER_DAY = re.compile(r"(?<![\d年])12\s*月\s*\d{1,2}\s*日")
_OTHER_DECEMBER = re.compile(r"(?:去年|上年|前年)\s*12\s*月")
_ZODIAC = "鼠牛虎兔龙蛇马羊猴鸡狗猪"
_ZODIAC_YEAR = re.compile(rf"(?P<z>[{_ZODIAC}])年(?:春节|新春|大吉|除夕|正月|元宵|将至|到来|伊始)")
_ZODIAC_QUOTE = re.compile(rf"“(?P<z>[{_ZODIAC}])”个")  # “兔”个团圆
SUMMARY_CHARS = 120


@dataclass
class Evidence:
    """What the page says about when it was printed."""

    date: dt.date | None = None
    year: int | None = None
    how: str = ""


@dataclass
class ArticleMeta:
    title: str
    subtitle: str
    date: dt.date | None
    year: int | None
    region: Region
    regions: list[Region]
    authors: list[str]
    tags: list[str]
    kind: str
    summary: str
    year_evidence: str = ""
    extra: dict = field(default_factory=dict)


def zodiac_year(animal: str, near: int | None) -> int:
    """The year of the animal closest to ``near`` (2020 was a 鼠 year)."""
    base = 2020 + _ZODIAC.index(animal)
    target = near if near is not None else dt.date.today().year
    candidates = [base + 12 * k for k in range(-10, 10)]
    return min(candidates, key=lambda y: (abs(y - target), -y))


def text_evidence(text: str) -> Evidence:
    """Year evidence in a text: 2021年是…/2024年“两节” first, then the zodiac, then years named."""
    text = simplified(text)
    strong = Counter(int(m["y"]) for m in _STRONG_YEAR.finditer(text))
    years = [int(m["y"]) for m in _YEAR.finditer(text)]
    if strong:
        year = max(strong, key=lambda y: (strong[y], y))
        holiday = {int(m["y"]) for m in _HOLIDAY_YEAR.finditer(text)}
        if year in holiday and _DECEMBER_DAY.search(text) and not _OTHER_DECEMBER.search(text):
            # 12月27日，…启动2025年元旦春节送温暖活动: printed in December, before the holiday
            return Evidence(year=year - 1, how=f"a December item about {year}'s holidays")
        return Evidence(year=year, how="year named in the text")
    zodiac = _ZODIAC_YEAR.search(text) or _ZODIAC_QUOTE.search(text)
    if zodiac:
        return Evidence(year=zodiac_year(zodiac["z"], max(years) if years else None),
                        how=f"{zodiac['z']}年")
    if years:
        return Evidence(year=max(years), how="latest year named in the text")
    return Evidence()


def page_evidence(header: Header, drafts: list[Draft]) -> Evidence:
    if header.date:
        return Evidence(date=header.date, year=header.date.year, how="page header")
    votes: Counter = Counter()
    for draft in drafts:
        ev = text_evidence(_full_text(draft))
        if ev.year and ev.how != "latest year named in the text":
            votes[ev.year] += 1
    if votes:
        year = max(votes, key=lambda y: (votes[y], y))
        return Evidence(year=year, how="year named on the page")
    for draft in drafts:
        ev = text_evidence(_full_text(draft))
        if ev.year:
            votes[ev.year] += 1
    if votes:
        return Evidence(year=max(votes), how="latest year named on the page")
    return Evidence()


def _full_text(draft: Draft) -> str:
    return "\n".join([draft.kicker, draft.title, draft.subtitle,
                      *(p.text for p in draft.pieces)])


_QUOTED = re.compile(r"[“「『\"]([^“”「」『』\"]{2,12})[”」』\"]")


def banner_tags(banners: list[str]) -> list[str]:
    """The campaign the top page banner names (2025年两节“工会送温暖行动” → 工会送温暖行动): a tag
    every article of the page shares, so the archive can list the series. Lower banners are
    the campaign's slogan (冬日里，工会与您的“暖心约定”) and give no tag."""
    return list(dict.fromkeys(m.group(1) for m in _QUOTED.finditer(banners[0]))) if banners else []


def article_meta(draft: Draft, page: Evidence, tags_vocabulary: list[str],
                 gazetteer: Gazetteer | None = None, *, series: tuple[str, ...] = ()) -> ArticleMeta:
    gaz = gazetteer or default_gazetteer()
    text = _full_text(draft)
    folded = simplified(text)  # tags are matched on the simplified copy of a traditional page
    date, year, how = page.date, page.year, page.how
    if date is None:
        opening = "\n".join(p.text for p in draft.pieces[:3])
        m = _FULL_DATE.search(opening)
        if m:
            try:
                date = dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
                year, how = date.year, "date in the article"
            except ValueError:
                date = None
    if date is None:
        own = text_evidence(text)
        if (own.year and own.how != "latest year named in the text") or (year is None and own.year):
            year, how = own.year, own.how
    region, regions, region_evidence = region_with_evidence(draft, gaz)
    kind = article_kind(draft)
    if kind == "digest":
        region = _digest_region(draft, gaz)
        region_evidence = f"{region.path}: a digest, about one place only when every item is"
    return ArticleMeta(
        title=draft.title, subtitle=" ".join(x for x in (draft.kicker, draft.subtitle) if x),
        date=date, year=year, region=region, regions=regions[:8], authors=article_authors(draft),
        tags=list(dict.fromkeys([*(t for t in tags_vocabulary if t and simplified(t) in folded),
                                 *series])),
        kind=kind,
        summary=summary(draft), year_evidence=how, extra={"region_evidence": region_evidence})


def article_region(draft: Draft, gaz: Gazetteer) -> tuple[Region, list[Region]]:
    """Headline mentions weigh 3, the opening paragraph 2, the rest 1."""
    return region_with_evidence(draft, gaz)[:2]


def region_with_evidence(draft: Draft, gaz: Gazetteer) -> tuple[Region, list[Region], str]:
    """The article's region, the regions it is about, and the evidence in words
    (``江苏/苏州/昆山: 昆山市总工会 ×3 (union), 崑山 (headline)``).

    A lead's dateline (新华社北京…电) says where the item was filed, not where it happens: the
    lead and its byline are left out."""
    weighted: list[tuple[Mention, float]] = []
    found: list[tuple[Mention, str]] = []
    context = _full_text(draft)
    for text, weight, role in _weighted_texts(draft):
        home_end = -1  # end of the last home-town mention: 来自四川广安 holds two
        for m in mentions(text, gaz, context=context):
            # The union acting (无锡市总工会, 拱墅区总工会) names the article's own place.
            union = _UNION.match(simplified(text), m.start + len(m.text))
            home = m.start == home_end or _home_town(simplified(text), m)
            home_end = m.start + len(m.text) if home else -1
            factor = (2.0 if union else _REGISTRATION if _bracketed(text, m)
                      else _HOME_TOWN if home else 1.0)
            weighted.append((m, weight * factor))
            found.append((m, role + (", union" if union else "")))
    region, regions = choose_region(weighted, gaz)
    acting = _acting_union(region, found)
    if acting is not None:
        region, regions = acting, [acting, *(r for r in regions if r != acting)]
    return region, regions, _explain_region(region, found)


def _acting_union(region: Region, found: list[tuple[Mention, str]]) -> Region | None:
    """The union acting in the headline or opening (广丰区总工会走进…) is the organisation the
    story is about: when it sits inside the chosen region, and is the only such union there,
    the article goes down to it."""
    acting = {m.region.path: m.region for m, role in found
              if role in ("headline, union", "opening, union")
              and m.region.path.startswith(region.path + "/")}
    if region.is_national or len(acting) != 1:
        return None
    return next(iter(acting.values()))


def _explain_region(region: Region, found: list[tuple[Mention, str]]) -> str:
    inside = Counter()
    outside = Counter()
    for m, role in found:
        path = m.region.path
        label = f"{m.text} ({role})"
        if region.is_national or path == region.path or path.startswith(region.path + "/") \
                or region.path.startswith(path + "/"):
            inside[label] += 1
        else:
            outside[label] += 1
    def listed(counts: Counter) -> str:
        return ", ".join(f"{k} ×{n}" if n > 1 else k for k, n in counts.most_common(6))
    if not found:
        return f"{region.path}: no place named"
    text = f"{region.path}: {listed(inside) or 'no dominant place'}"
    if outside and not region.is_national:
        text += f"; outweighed: {listed(outside)}"
    return text


_REGISTRATION = 0.25  # weight of a place in brackets: 招商局重工（江苏）有限公司
_HOME_TOWN = 0.25  # weight of a person's home town: 来自四川广安的李师傅, 回湖南老家, 川籍
_FROM_BEFORE = re.compile(r"(?:来自|老家在?|家乡在?|家住|祖籍|原籍|籍贯)$")
_FROM_AFTER = re.compile(r"(?:籍|老家|家乡)")


def _home_town(text: str, m: Mention) -> bool:
    """A place introduced as where a person comes from says nothing of where the story happens
    (a worker's home town in the opening must not outweigh the union acting)."""
    end = m.start + len(m.text)
    return bool(_FROM_BEFORE.search(text[max(0, m.start - 4) : m.start])
                or _FROM_AFTER.match(text, end)
                or (text[m.start - 1 : m.start] == "回" and text[end : end + 2] == "老家"))


def _bracketed(text: str, m: Mention) -> bool:
    """A place alone in brackets qualifies a company's name (where it is registered), it does
    not say where the story happens."""
    end = m.start + len(m.text)
    return text[m.start - 1 : m.start] in ("（", "(") and text[end : end + 1] in ("）", ")")


def _weighted_texts(draft: Draft) -> list[tuple[str, float, str]]:
    out = [(draft.title, 3.0, "headline"), (draft.subtitle, 3.0, "headline"),
           (draft.kicker, 1.0, "kicker")]
    first = True
    for piece in draft.pieces:
        if piece.kind not in ("p", "h2"):
            continue
        text = strip_lead(piece.text) if first and piece.kind == "p" else piece.text
        out.append((text, 2.0 if first else 1.0, "opening" if first else "text"))
        first = first and piece.kind != "p"
    return out


def _digest_region(draft: Draft, gaz: Gazetteer) -> Region:
    """A digest is about one place only when every item is."""
    found = set()
    for piece in draft.pieces:
        region, _ = choose_region([(m, 1.0) for m in mentions(piece.text, gaz)], gaz)
        found.add(region.path)
    return gaz.by_path[found.pop()] if len(found) == 1 else gaz.national


def article_authors(draft: Draft) -> list[str]:
    names: list[str] = []
    for piece in draft.pieces:
        if piece.kind == "byline":
            names += names_in(piece.text)
        elif piece.kind == "credit":
            names += credit_names(piece.text)
        elif piece.kind == "p":
            _, found = lead_byline(piece.text)
            names += found
    return list(dict.fromkeys(names))


# The union after a place, possibly of a zone inside it (苏州工业园区总工会).
_UNION = re.compile(r"[省市区县州]?(?:工业园区|高新区|经开区|开发区|新区)?"
                    r"(?:总工会|工会|市总|区总|县总|省总)")
_NOTICE = re.compile(r"亲爱的|倡议书|启事|公告|通知$|征集|联系方式|邮政编码")


def article_kind(draft: Draft) -> str:
    pieces = draft.pieces
    labels = simplified(" ".join(draft.labels))
    paragraphs = [p for p in pieces if p.kind == "p"]
    if draft.digest or sum(1 for p in paragraphs if p.text.startswith(("▲", "●", "■"))) >= 2:
        return "digest"
    if sum(1 for p in pieces if p.kind == "h3") >= 3:
        return "timeline"
    if "日记" in labels or any(p.kind == "dateline" for p in pieces):
        return "diary"
    if re.search(r"时评|评论|短评|述评|社论", labels):
        return "editorial"
    credits = [p for p in pieces if p.kind == "credit"]
    if credits and credits[-1].text.rstrip().endswith("摄") and len(paragraphs) <= 2:
        return "photo"
    if any(_NOTICE.search(simplified(p.text[:12])) for p in paragraphs[:2]) or \
            _NOTICE.search(simplified(draft.title)):
        return "notice"
    has_lead = any(lead_byline(p.text)[0] for p in paragraphs[:1])
    if not has_lead and any(p.kind == "credit" for p in pieces[:1]) and len(paragraphs) >= 4:
        return "editorial"
    # An opinion piece signs off with its author's post: （作者系…）/（作者单位：…）.
    if not has_lead and credits and re.match(r"^[（(]作者", simplified(credits[-1].text)) \
            and len(paragraphs) >= 2:
        return "editorial"
    if sum(1 for p in pieces if p.kind == "h2") >= 2 or (
            not has_lead and any(p.kind == "byline" for p in pieces[:1])):
        return "feature"
    if not has_lead and len(paragraphs) == 1 and re.match(r"^\d{1,2}月\d{1,2}日", paragraphs[0].text):
        return "photo"
    return "news"


def summary(draft: Draft) -> str:
    for piece in draft.pieces:
        if piece.kind == "p":
            text = strip_lead(piece.text).strip()
            if text:
                return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS].rstrip() + "…"
    return draft.title
