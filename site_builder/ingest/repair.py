"""Repair the layout damage of a text export: page furniture, vertical and letter-spaced
headlines, hard wraps, stray blank lines and doubled headlines.

The result is a list of logical lines (``Unit``): each is one paragraph, headline, byline or
marker line, with the source line it starts on. Nothing is discarded silently: header lines
go to ``furniture`` and removed duplicates to ``dropped``, so the character accounting in
``accounting.py`` can prove nothing was lost.
"""

from __future__ import annotations

import itertools
import re
import statistics
from dataclasses import dataclass, field

from .. import segment
from .furniture import Header, parse_date_line, parse_editors, undouble, undouble_line
from .text import (
    BODY_ONLY,
    CLOSERS,
    HAN_CHAR_CLASS,
    OPENERS,
    ends_sentence,
    first_clause,
    has_body_punct,
    horizontal,
    is_byline,
    is_credit_line,
    is_han,
    join_wrapped,
    last_significant,
    looks_like_name,
    marked_headline,
    normalize_spaces,
    simplified,
    width,
)

# A line starting with one of these begins a new item (digest, timeline, list).
MARKERS = "◆▲●■□★☆◇○◎※▶►"
_NUMERAL = "一二三四五六七八九十"
_MARKER_START = re.compile(rf"^\s*(?:[{MARKERS}]|——|（[{_NUMERAL}]+）|\([{_NUMERAL}]+\)|[①-⑳])")
_ITEM_START = re.compile(rf"^\s*[{MARKERS.replace('◆', '')}]")
_NAME_AFTER_MARKER = re.compile(r"^\s*□\s*[\u4e00-\u9fff·]{2,4}$")
_DATELINE = re.compile(r"^\s*(?:19|20)\d{2}年\d{1,2}月\d{1,2}日\s*(?:星期|周)[一二三四五六日天]\s*\S{0,4}$")
_TIMELINE_DATE = re.compile(r"^\s*◆\s*\S{1,14}$")
# The opening of a news item that names its source (a lead): 本报讯, an agency's dateline
# (新华社北京1月17日电, 中新网兰州2月6日电), a web or county-media lead (邵阳新闻在线讯,
# 枣庄新闻网讯, 华龙网1月28日讯, 会泽县融媒体中心讯, 武冈融媒报道：). ``AGENCY_PLACE`` captures
# the dateline's place, which says where the item was filed, not what it is about. The 讯 of
# 通讯员 (本报通讯员 沈涛 摄) opens no lead.
_DATED = r"\d{1,2}\s*月\s*\d{1,2}\s*日"
LEAD_BYLINE = re.compile(
    r"^\s*(?:本报讯|本刊讯|本报[\u4e00-\u9fff]{0,4}讯(?!员)|"
    rf"据?(?P<agency>新华社|中新社|中新网|人民网|新华网|央视网|中工网|[\u4e00-\u9fff]{{2,6}}(?:网|社))"
    rf"(?P<place>[\u4e00-\u9fff]{{0,8}}?)\s*(?:{_DATED})?\s*电|"
    r"据[\u4e00-\u9fff]{2,8}(?:报|网|电视台)?消息|"
    rf"[\u4e00-\u9fff]{{2,12}}(?:{_DATED})?讯(?!员)(?=\s*[（(]|\s*\d|\s+\S)|"
    r"[\u4e00-\u9fff]{2,10}(?:融媒|融媒体中心|新闻中心|客户端)(?:报道|讯)\s*[：:]?)")
LONG_UNIT = 90  # display width (45 CJK characters) beyond which a line is running text


@dataclass
class Unit:
    """One logical line: a paragraph, headline, byline or marker line."""

    text: str
    lineno: int  # 1-based source line of its first character
    gap: int = 0  # blank lines (or removed furniture lines) before it
    source_lines: int = 1  # how many source lines were joined into it
    vertical: bool = False  # re-assembled from one character per line
    spaced: bool = False  # letter-spaced headline (为 工 会 改 革)
    after_marker: bool = False  # the text line right under a marker line (◆ 1月24日)
    doubled: bool = False  # a headline printed twice in a row on one line
    column: int = 0  # display width of its block's wrapped lines (the median, last line aside)


@dataclass
class Furniture:
    text: str  # the line as printed
    lineno: int
    kind: str  # "header", "editors", "marker", "banner"


@dataclass
class Dropped:
    text: str
    lineno: int
    reason: str  # "repeated headline", "doubled headline"


@dataclass
class Page:
    units: list[Unit]
    header: Header
    furniture: list[Furniture] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)

    @property
    def banners(self) -> list[str]:
        """Page-level section banners (a campaign or section title over every article)."""
        return [f.text for f in self.furniture if f.kind == "banner"]


def repair(text: str) -> Page:
    """Decoded bulletin text → logical lines plus recorded furniture and dropped repeats."""
    lines = [normalize_spaces(line).rstrip() for line in
             text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    header = Header()
    furniture: list[Furniture] = []
    _take_header(lines, header, furniture)
    items = _vertical_and_spaced(lines)
    units = _wrap(items)
    units = _join_stray_blanks(units)
    page = Page(units=[], header=header, furniture=furniture)
    page.units = _drop_repeats(units, page.dropped)
    _split_markers(page)
    return page


def _take_header(lines: list[str], header: Header, furniture: list[Furniture]) -> None:
    """Move header and editors lines out of the text (blanked, so they act as a gap)."""
    content = [i for i, line in enumerate(lines) if line.strip()]
    edge = set(content[:3] + content[-3:])
    for i in content:
        raw = lines[i].strip()
        fixed = undouble_line(raw)
        line = simplified(fixed or raw)
        editors = parse_editors(line)
        parsed = None if editors else parse_date_line(
            line, near_edge=i in edge, was_doubled=fixed is not None)
        if editors:
            header.editors.extend(e for e in editors if e not in header.editors)
            furniture.append(Furniture(raw, i + 1, "editors"))
        elif parsed:
            header.page = header.page or parsed.page
            header.date = header.date or parsed.date
            if parsed.paper and not header.paper:  # the name as printed (吉林日報), not its simplified copy
                at = line.find(parsed.paper)
                header.paper = (fixed or raw)[at : at + len(parsed.paper)]
            furniture.append(Furniture(raw, i + 1, "header"))
        else:
            continue
        lines[i] = ""


@dataclass
class _Item:
    """A source line, or a re-assembled vertical/letter-spaced headline."""

    text: str
    lineno: int
    vertical: bool = False
    spaced: bool = False


def _is_single_glyph(line: str) -> bool:
    s = line.strip()
    return len(s) == 1 and not s.isascii()


def _vertical_and_spaced(lines: list[str]) -> list[_Item | None]:
    """Source lines as items (None for a blank), vertical runs re-assembled into one item."""
    page_text = "".join(line.strip() for line in lines if not _is_single_glyph(line))
    out: list[_Item | None] = []
    i = 0
    while i < len(lines):
        run_end = i
        while run_end < len(lines) and _is_single_glyph(lines[run_end]):
            run_end += 1
        if run_end - i >= 2:
            group = [(i, run_end)]
            j = run_end
            # Further runs separated by one blank line belong to the same vertical group.
            while j + 1 < len(lines) and not lines[j].strip() and _is_single_glyph(lines[j + 1]):
                k = j + 1
                while k < len(lines) and _is_single_glyph(lines[k]):
                    k += 1
                if k - (j + 1) < 2:
                    break
                group.append((j + 1, k))
                j = k
            if sum(b - a for a, b in group) >= 3:
                words = [horizontal("".join(lines[n].strip() for n in range(a, b)))
                         for a, b in group]
                out.append(_Item(vertical_columns(words[0], page_text), group[0][0] + 1,
                                 vertical=True))
                # Short runs after the headline (记者 / 范翊) are one credit line.
                if len(words) > 1:
                    out.append(None)
                    out.append(_Item(" ".join(words[1:]), group[1][0] + 1, vertical=True))
                i = j
                continue
        line = lines[i]
        if not line.strip():
            out.append(None)
        else:
            tokens = line.split()
            if len(tokens) >= 4 and all(len(t) == 1 and is_han(t) for t in tokens):
                out.append(_Item("".join(tokens), i + 1, spaced=True))
            else:
                out.append(_Item(line.strip(), i + 1))
        i += 1
    return out


VERTICAL_COLUMN_MIN = 9  # a vertical headline this long was set in two columns


def vertical_columns(headline: str, page_text: str) -> str:
    """``留镇过大年春节更有『味』`` → ``留镇过大年 春节更有『味』``: a long headline set one character
    per line was printed as two columns; the break is put at a word boundary where the page
    evidences it (the text repeats one of the two phrases, as 留镇过大年 in the article; the
    more balanced split wins a tie). Without such evidence the headline is left whole rather
    than broken at a guess."""
    if len(headline) < VERTICAL_COLUMN_MIN or " " in headline or has_body_punct(headline):
        return headline
    text = page_text.replace(" ", "")
    best: tuple[float, int] | None = None
    for _word, start, _end in segment.tokenize(headline):
        left, right = headline[:start], headline[start:]
        if len(left) < 3 or len(right) < 3 or not is_han(left[-1]) or right[0] in CLOSERS:
            continue
        evidence = sum(1 for part in (left, right) if text.count(part) >= 1)
        if not evidence:
            continue
        score = evidence - abs(len(left) - len(right)) / len(headline)
        if best is None or score > best[0]:
            best = (score, start)
    if best is None:
        return headline
    return headline[: best[1]] + " " + headline[best[1] :]


def _headline_block(block: list[_Item]) -> bool:
    """A block of short lines with no sentence punctuation: a headline stack, not a paragraph."""
    if len(block) > 4:
        return False
    for item in block:
        if width(item.text) > 64 or has_body_punct(item.text):
            return False
        if last_significant(item.text) in "，,、":
            return False
    widths = [width(item.text) for item in block]
    if len(block) >= 3 and max(widths) - min(widths[:-1]) <= 4:
        return False  # lines of one column width: a wrapped paragraph
    return not any(_word_across(a.text, b.text) for a, b in itertools.pairwise(block))


def _wrap(items: list[_Item | None]) -> list[Unit]:
    """Join hard-wrapped lines inside each blank-line-separated block."""
    units: list[Unit] = []
    gap = 0
    block: list[_Item] = []

    def flush() -> None:
        nonlocal gap
        if block:
            units.extend(_block_units(block, gap))
            gap = 0
        block.clear()

    for item in items:
        if item is None:
            flush()
            gap += 1
        elif item.vertical or item.spaced:
            flush()
            units.append(Unit(item.text, item.lineno, gap, vertical=item.vertical,
                              spaced=item.spaced))
            gap = 0
        else:
            block.append(item)
    flush()
    return units


def _block_units(block: list[_Item], gap: int) -> list[Unit]:
    if len(block) == 1 or _headline_block(block):
        out = [Unit(item.text, item.lineno, gap if n == 0 else 0) for n, item in enumerate(block)]
        for n in range(len(out) - 1, 0, -1):
            if _headline_tail(out[n - 1].text, out[n].text):
                out[n - 1].text = join_wrapped(out[n - 1].text, out[n].text)
                out[n - 1].source_lines += 1
                del out[n]
        for prev, unit in itertools.pairwise(out):
            unit.after_marker = bool(_TIMELINE_DATE.match(prev.text))
        return out
    full = max(width(item.text) for item in block)
    column = statistics.median_high(width(item.text) for item in block[:-1])
    out = [Unit(block[0].text, block[0].lineno, gap, column=column)]
    for prev_item, item in itertools.pairwise(block):
        cur = out[-1]
        if _breaks_after(prev_item.text, item.text, full, cur.text):
            out.append(Unit(item.text, item.lineno, 0, column=column,
                            after_marker=bool(_TIMELINE_DATE.match(prev_item.text))))
        else:
            cur.text = join_wrapped(cur.text, item.text)
            cur.source_lines += 1
    return out


def _breaks_after(line: str, following: str, full: int, so_far: str = "") -> bool:
    """Whether a line ends its paragraph inside a block (else it is a hard wrap)."""
    inside_title = so_far.count("《") > so_far.count("》")
    if (_MARKER_START.match(following) and not inside_title) or LEAD_BYLINE.match(simplified(following)):
        return True
    if _TIMELINE_DATE.match(line) or line.rstrip().endswith("□"):
        return True
    if is_byline(line) and not is_byline(following):  # 本报记者 李丰 above the first paragraph
        return True
    if (so_far == line and not _PUNCT_ANY.search(line) and not re.search(r"[A-Za-z0-9]", line)
            and width(line) < 0.6 * full):
        return True  # a kicker or headline set alone above its text: a wrapped line fills the column
    if so_far == line and not _PUNCT_ANY.search(line) and _opens_paragraph(following):
        return True  # a headline as wide as the column right above a paragraph's opening clause
    last = line.rstrip()[-1]
    ends = ends_sentence(line) or last in "：:" or last in CLOSERS
    if is_credit_line(line) and not _PUNCT_ANY.sub("", line).isdigit():
        return True  # a credit line ends its unit (文字：叶欣 通讯员 何明 / 图片：…供图)
    if ends_sentence(line) and is_credit_line(following):
        return True  # a credit under a sentence that happens to fill the column (…慰问品。/ 李文)
    if ends_sentence(line) and _bare_heading(following) and width(following) < 0.8 * full:
        # A short line without any punctuation cannot end a paragraph: the next headline
        # (web copy set one paragraph a line, no blank lines between items).
        return True
    return ends and width(line) < full - 4


# Characters that cannot open a headline line: it continues the line above (…送去技术 / 和年货).
_CONTINUATION_START = "和与及并的之等了着过们"


def _headline_tail(line: str, following: str) -> bool:
    """The second line of a headline wrapped in two (…送去年夜饭食材和防寒 / 用品): a scrap of
    at most five characters under a long line, or a line opening with a conjunction or
    particle. A name (a byline), a label or a —— subtitle is never a tail."""
    tail = following.strip()
    if not tail or " " in tail or tail.startswith("—") or _PUNCT_ANY.search(tail):
        return False
    if _PUNCT_ANY.search(line) and last_significant(line) in "：:":
        return False
    if looks_like_name(tail) or width(line) < 24:
        return False
    return width(tail) <= 10 or tail[0] in _CONTINUATION_START


_DATE_OPENING = re.compile(r"^\d{1,2}\s*月\s*\d{1,2}\s*日(?:上午|下午|晚上|清晨|早上|凌晨)?[，,]")


def _opens_paragraph(line: str) -> bool:
    """A line that opens a paragraph with a time clause: ``1月16日，`` or ``近日，`` (a time word,
    adverb or conjunction of at most four characters before the comma)."""
    plain = simplified(line.lstrip())
    if _DATE_OPENING.match(plain):
        return True
    clause = first_clause(plain)
    return (1 <= len(clause) <= 4 and plain[len(clause) : len(clause) + 1] in ("，", ",")
            and segment.word_tag(clause)[:1] in ("t", "c", "d"))


def _word_across(left: str, right: str) -> bool:
    """True when a dictionary word spans the break (生产岗|位 → 岗位): the break is a wrap."""
    a, b = left.rstrip()[-4:], right.lstrip()[:4]
    if not a or not b or not is_han(a[-1]) or not is_han(b[0]):
        return False
    for word, start, end in segment.tokenize(a + b):
        if start < len(a) < end and len(word) >= 2 and segment.frequency(word) >= 3:
            return True
    return False


_PUNCT_START = re.compile(r"^[，。、；：,.;:！？!?）)》」』]")
_SHORT_CLAUSE = re.compile(rf"^[{HAN_CHAR_CLASS}]{{1,2}}[，、,]")
# Part-of-speech tags of words that open sentences (time words, conjunctions, adverbs...).
_OPENER_TAGS = frozenset({"t", "c", "d", "p", "r", "l", "i", "m"})


def _sentence_opener(word: str) -> bool:
    """近日, 此外, 目前...: a paragraph may start with these; 行动 or 形势 would not."""
    tag = segment.word_tag(word)
    return not tag or tag[0] in _OPENER_TAGS or word.startswith("据")


def _continues(prev: Unit, nxt: Unit, next_full: int | None) -> bool:
    """Whether ``nxt`` (after a blank line) continues ``prev`` mid-sentence."""
    text = prev.text
    if ends_sentence(text) or not nxt.text:
        return False
    if _MARKER_START.match(nxt.text) or LEAD_BYLINE.match(simplified(nxt.text)):
        return False
    if prev.vertical or prev.spaced or nxt.vertical or nxt.spaced:
        return False
    if _TIMELINE_DATE.match(text):
        return False
    last = last_significant(text)
    if prev.source_lines == 1 and marked_headline(text):
        return False  # 春节不回家？工会陪你过大年 set alone: a headline, not a broken sentence
    if _bare_heading(nxt.text) and not _word_across(text, nxt.text):
        return False  # a dangling column end (continued elsewhere) before a headline
    if _DATELINE.match(text) or _DATELINE.match(nxt.text):
        return False
    if _ITEM_START.match(text) and not _NAME_AFTER_MARKER.match(text) and not is_byline(text):
        return True
    if prev.source_lines > 1 or width(text) >= LONG_UNIT or prev.after_marker:
        return True
    if last in "，,、：:；;" or text.rstrip()[-1] in OPENERS:
        return True
    if any(c in BODY_ONLY for c in text) or sum(text.count(c) for c in "，,") >= 2:
        return True
    if nxt.text[0] in CLOSERS or _PUNCT_START.match(nxt.text):
        return True
    if _SHORT_CLAUSE.match(nxt.text) and not _sentence_opener(first_clause(nxt.text)):
        return True
    if _word_across(text, nxt.text):
        return True
    half = len(text) // 2
    if len(text) % 2 == 0 and text[:half] == text[half:]:
        return False  # a doubled headline
    return bool(next_full and width(text) >= 0.85 * next_full and is_han(text[-1])
                and is_han(nxt.text[0]) and not _title_like_pair(text))


_PUNCT_ANY = re.compile(r"[，,、：:；;。！？!?…（）()《》]")


def _bare_heading(text: str) -> bool:
    """A short line without any punctuation: 阅读提示, 蹲点日记, 我在车间当工人."""
    return width(text) <= 48 and not _PUNCT_ANY.search(text)


def _narrow_runs(units: list[Unit]) -> set[int]:
    """Indexes of units in a narrow column printed with a blank line after every line
    (时已立春，万 / 象更新。在这场 / 看不见硝烟的战 ...): those blanks are not paragraph breaks."""
    marked: set[int] = set()
    i = 0
    while i < len(units):
        j = i
        while (j < len(units) and units[j].source_lines == 1 and not units[j].vertical
               and not units[j].spaced and width(units[j].text) <= 30
               and (j == i or units[j].gap == 1)
               and abs(width(units[j].text) - width(units[i].text)) <= 4):
            j += 1
        run = units[i:j]
        if len(run) >= 3 and any(_PUNCT_ANY.search(u.text) for u in run) and not all(
                ends_sentence(u.text) for u in run):
            marked.update(range(i + 1, j))
        i = max(j, i + 1)
    return marked


def _title_like_pair(text: str) -> bool:
    """Two phrases separated by a space (多措并举 关心职工实打实) read as a headline."""
    return bool(re.search(r"\S\s+\S", text))


def _join_stray_blanks(units: list[Unit]) -> list[Unit]:
    """Re-join paragraphs split by a blank line mid-sentence; keep real paragraph breaks."""
    if not units:
        return units
    # Width of the column each unit's block was set in, to recognise a full last line.
    out = [units[0]]
    narrow = _narrow_runs(units)
    for n, unit in enumerate(units[1:], start=1):
        prev = out[-1]
        next_full = _block_width(units, n)
        narrow_wrap = n in narrow and not ends_sentence(prev.text)
        if narrow_wrap or (unit.gap >= 1 and _continues(prev, unit, next_full)):
            prev.text = join_wrapped(prev.text, unit.text)
            prev.source_lines += unit.source_lines
        else:
            out.append(unit)
    return out


def _block_width(units: list[Unit], n: int) -> int | None:
    unit = units[n]
    if unit.source_lines < 2:
        return None
    # The typical width of the lines that wrapped: a short last line (吳清）) must not narrow it.
    return unit.column or -(-width(unit.text) // unit.source_lines)


def _drop_repeats(units: list[Unit], dropped: list[Dropped]) -> list[Unit]:
    """Drop a headline repeated verbatim right after itself, and undo a doubled headline line."""
    out: list[Unit] = []
    for unit in units:
        text = unit.text
        short = width(text) <= 80 and not has_body_punct(text)
        if short and out and out[-1].text == text:
            dropped.append(Dropped(text, unit.lineno, "repeated headline"))
            continue
        if short and len(text) >= 8 and len(text) % 2 == 0:
            half = text[: len(text) // 2]
            if text[len(text) // 2 :] == half and undouble(text) is not None:
                dropped.append(Dropped(half, unit.lineno, "doubled headline"))
                unit.text = half
                unit.doubled = True
        out.append(unit)
    return out


_DIGITS_ONLY = re.compile(r"^\d{1,2}$")


def _split_markers(page: Page) -> None:
    """Lone numbers between blocks (photo numbers) are page furniture, not text."""
    kept = []
    for unit in page.units:
        if _DIGITS_ONLY.match(unit.text):
            page.furniture.append(Furniture(unit.text, unit.lineno, "marker"))
            continue
        kept.append(unit)
    page.units = kept
