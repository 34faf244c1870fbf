"""Character classes and small text predicates shared by the ingest steps.

Bulletins mix full-width (，。) and half-width (,.) punctuation, so every predicate here
accepts both.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

from .. import segment

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
HAN_CHAR_CLASS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
SENTENCE_END = frozenset("。！？!?…；;")
CLAUSE_PUNCT = frozenset("，,、：:；;")
# Closing brackets and quotes that may follow the full stop of a sentence: 了！” or 。）
CLOSERS = frozenset("”’』」）)》】〕〉\"'")
OPENERS = frozenset("“‘『「（(《【〔〈")
# Characters a headline never contains (a full stop inside means it is running text).
BODY_ONLY = frozenset("。！？!?；;")
# Spaces bulletins use besides the ASCII one: full-width, no-break, thin, tab.
_SPACES = str.maketrans({"\u3000": " ", "\u00a0": " ", "\u2002": " ", "\u2003": " ",
                         "\u2009": " ", "\t": " ", "\u200b": ""})


def is_han(ch: str) -> bool:
    return bool(HAN.match(ch))


def han_count(text: str) -> int:
    return len(HAN.findall(text))


def normalize_spaces(line: str) -> str:
    """Full-width, no-break and other spaces as ASCII spaces; zero-width space removed."""
    return line.translate(_SPACES)


def canon_char(ch: str) -> str:
    """The form a character is compared in: vertical presentation forms (﹃) as their
    horizontal equivalents (『), the only characters ingest rewrites."""
    if "\ufe10" <= ch <= "\ufe1f" or "\ufe30" <= ch <= "\ufe4f":
        return unicodedata.normalize("NFKC", ch) or ch
    return ch


def horizontal(text: str) -> str:
    """Replace vertical presentation forms (used in text set one character per line)."""
    return "".join(canon_char(c) for c in text)


def char_counts(texts: Iterable[str]) -> Counter:
    """Multiset of the non-space characters of the texts, in canonical form."""
    counts: Counter = Counter()
    for text in texts:
        counts.update(canon_char(c) for c in text if not c.isspace())
    return counts


_TRAILING_BRACKET = re.compile(r"[（(][^（()）]{1,40}[）)]$")


_TRAILING_NAMES = re.compile(
    r"(?<=[。！？!?”』」）)…])\s+((?:[\u4e00-\u9fff·]{2,5}\s+){0,5}[\u4e00-\u9fff·]{2,5}(?:\s*摄)?)$")


_BRACKET_NAMES = re.compile(r"[（(]([^（()）]{2,40})[）)]$")


def split_trailing_credit(text: str) -> tuple[str, str]:
    """``…趣味性。 潘凡 王锐`` → (``…趣味性。``, ``潘凡 王锐``); ('text', '') when there is none.

    Only a run of space-separated 2–5 character words after a sentence end counts, and only
    when the words look like names or end with 摄 (photo credit)."""
    m = _TRAILING_NAMES.search(text.rstrip())
    if not m:
        b = _BRACKET_NAMES.search(text.rstrip())
        if b and (b.start() == 0 or last_significant(text[: b.start()]) in SENTENCE_END):
            inner = b.group(1).split()
            if (inner and all(looks_like_name(w) for w in inner)) or b.group(1).startswith("作者") \
                    or is_signed_credit(b.group(1)):
                return text[: b.start()].rstrip(), b.group(0)
        return text, ""
    credit = m.group(1)
    if not credit.endswith("摄") and not all(looks_like_name(w) for w in credit.split()):
        return text, ""
    return text[: m.start()].rstrip(), credit


# A paper, site, station or county media centre named before a role (福州日报记者, 中工网记者,
# 固原融媒记者, 鹤报融媒体记者).
_ONE_MEDIA = r"[\u4e00-\u9fff]{2,6}?(?:日报|晚报|工人报|报|网|社|台|融媒体中心|融媒体|融媒|新闻中心|客户端)"
MEDIA = rf"(?:{_ONE_MEDIA}[-－—·])?{_ONE_MEDIA}"  # two joined: 工人日报-中工网记者
# A personal name: 2–4 characters, or a transliterated name joined by middle dots (热依拉·艾买提).
PERSON = r"(?:[\u4e00-\u9fff]{1,8}·[\u4e00-\u9fff]{1,8}(?:·[\u4e00-\u9fff]{1,8})?|[\u4e00-\u9fff·]{2,4})"
# What a credit says besides names: roles (记者, 通讯员), a paper or site (福州日报, 中工网) and
# what each contributed (文/图, 摄).
CREDIT_ROLE = (rf"(?:本报|本刊|新华社|{MEDIA})?"
               r"(?:特约|见习|首席|实习)?(?:记者|通讯员|实习生|撰稿|作者|摄影|编辑)")
_CREDIT_EXTRA = re.compile(rf"{CREDIT_ROLE}|[\u4e00-\u9fff]{{2,6}}(?:日报|晚报|工人报|报|网)(?=\s)|"
                           r"(?:/\s*(?:文图|图文|文|图|摄影|摄)|(?<=\s)(?:文/图|图/文|摄影)|摄)\s*$|"
                           r"^报道\s*[:：]")
_CREDIT_NAME = re.compile(rf"^{PERSON}$")


# What each name contributed may come first: 文/记者 郭晓霞 图/通讯员 任丽娟.
BYLINE_ROLE = (rf"(?:(?:文字|图片|文|图|文图|图文|摄影|视频)\s*[/／:：]\s*)?(?:本报|本刊|新华社|{MEDIA})?"
               r"(?:特约|见习|首席|实习)?(?:记者|通讯员|实习生|撰稿|作者|摄影|摄)")
BYLINE = re.compile(rf"^(?:{BYLINE_ROLE}\s*[:：]?\s*{PERSON}"
                    rf"(?:[\s、，,]+{PERSON})*\s*)+$")


# A box or bullet some papers print before a byline (■本报记者 郭晓霞, ◎记者 郭晓霞).
BYLINE_MARKS = "■◎□●◆▲★☆○◇"


def credit_form(text: str) -> str:
    """The text as bylines and credits are matched: simplified, full-width slashes as ``/``
    (记者 郭晓霞／摄); same length, so spans found in it are spans of the printed text."""
    return simplified(text).replace("／", "/")


def is_byline(line: str) -> bool:
    """A line that is only a byline: 本报记者 李丰, 记者 范翊 通讯员 王芳, 新华社记者 樊曦,
    ■本报记者 郭晓霞."""
    return bool(BYLINE.match(credit_form(line.strip()).lstrip(BYLINE_MARKS + " ")))


def is_signed_credit(text: str) -> bool:
    """``记者 曾凡 通讯员 李小兰``, ``福州日报 李白蕾``, ``胡佳丽 徐晨/文图``, ``报道：通讯员 梁慧``:
    names with the roles, paper or contribution that say they are a credit (bare names are
    judged by ``looks_like_name``)."""
    plain = simplified(text.strip())
    marked = _CREDIT_EXTRA.search(plain)
    if not marked:
        return False
    rest = _CREDIT_EXTRA.sub(" ", plain)
    words = [w for w in re.split(r"[\s、，,/：:]+", rest) if w]
    return bool(words) and all(_CREDIT_NAME.match(w) for w in words) and len(words) <= 6


_PHOTO_CREDIT = re.compile(rf"^(?:(?:{BYLINE_ROLE})?\s*{PERSON}\s+)*(?:{BYLINE_ROLE})?\s*{PERSON}\s*/?\s*摄$")


# A picture supplied by an organisation: 图片：茶山镇总工会供图, （受访者供图）.
_SUPPLIED = re.compile(r"^(?:(?:图片|图|摄影)\s*[:：/]\s*)?[\u4e00-\u9fff]{2,20}供图$")


def is_credit_line(line: str) -> bool:
    """A line that is only a credit or byline: ``本报记者 刘旭 摄``, ``记者：马骁 通讯员：杨洁、虎勇``,
    ``（天水日报记者 张丽）``, or one to five names alone (``李文``)."""
    plain = credit_form(line.strip())
    if not plain:
        return False
    inner = plain[1:-1] if plain[0] in "（(" and plain[-1] in "）)" else plain
    if _PHOTO_CREDIT.match(inner) or is_byline(inner) or is_signed_credit(inner):
        return True
    if _SUPPLIED.match(inner):
        return True
    words = inner.split()
    return 1 <= len(words) <= 5 and all(looks_like_name(w) for w in words)


# The hundred commonest Chinese surnames (they cover about 85% of the population).
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤")
COMMON_PREFIX_FREQ = 50  # 张家 in 张家港: a surname opening a common word is not a name


def looks_like_name(word: str) -> bool:
    """A 2–4 character personal name, judged by jieba's part-of-speech tags (nr*)."""
    if not 2 <= len(word) <= 4 or not all(is_han(c) for c in word):
        return False
    tokens = segment.tagged(word)
    if tokens[0][1].startswith("nr"):
        return True
    if segment.word_tag(word[0]).startswith("nr") and len(tokens) <= 2:
        return True
    # A common surname before a given name the dictionary does not hold as a word (张海鹰):
    # jieba tags 张 as a measure word, yet no dictionary word starts the name.
    return word[0] in SURNAMES and len(word) <= 3 and segment.frequency(word) == 0 \
        and segment.frequency(word[:2]) < COMMON_PREFIX_FREQ


def simplified(text: str) -> str:
    """Traditional characters as simplified, character for character (same length, so a span
    found in the copy is the same span of the printed text); the text itself when OpenCC
    would change its length."""
    if text.isascii():
        return text
    converted = segment.simplifier().convert(text)
    return converted if len(converted) == len(text) else text


def width(text: str) -> int:
    """Display width: CJK characters count 2, others 1 (so digits in a wrapped line count right)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def last_significant(text: str) -> str:
    """The last character that is not a space or a closing quote/bracket."""
    for ch in reversed(text.rstrip()):
        if ch not in CLOSERS:
            return ch
    return ""


def ends_sentence(text: str) -> bool:
    """True when the text ends a sentence: 。！？… or one followed by closing quotes (了！”)."""
    stripped = text.rstrip()
    if not stripped:
        return False
    if last_significant(stripped) in SENTENCE_END:
        return True
    # A closing credit after a full stop: 。（孙旭诞）, 。 潘凡 王锐, 。 计海新 摄
    if split_trailing_credit(stripped)[1]:
        return True
    m = _TRAILING_BRACKET.search(stripped)
    return bool(m and (m.start() == 0 or last_significant(stripped[: m.start()]) in SENTENCE_END))


def marked_headline(text: str) -> bool:
    """A headline that exclaims or asks (过年好！工会把“福”送到家门口, 春节不回家？工会陪你过大年,
    “娘家人”来了！): short, one clause, no full stop, and not a quotation standing alone
    (“谢谢工会！” is speech)."""
    t = text.strip()
    if not t or width(t) > 60 or not any(c in "！？!?" for c in t):
        return False
    if any(c in "。；;…" for c in t) or t.count("，") + t.count(",") > 1 or quote_balance(t):
        return False
    if t[0] in "“「\"" and t[-1] in "”」\"":
        return False
    return last_significant(t) not in "，,、：:"


def has_body_punct(text: str) -> bool:
    return any(c in BODY_ONLY for c in text)


def first_clause(text: str) -> str:
    """Text before the first clause or sentence punctuation."""
    m = re.search(r"[，,、：:；;。！？!?]", text)
    return text[: m.start()] if m else text


def join_wrapped(left: str, right: str) -> str:
    """Re-join a hard-wrapped line: nothing between CJK characters, a space between Latin words."""
    left = left.rstrip()
    right = right.lstrip()
    if not left or not right:
        return left + right
    a, b = left[-1], right[0]
    if a.isascii() and b.isascii() and a.isalnum() and b.isalnum() and (a.isalpha() or b.isalpha()):
        return f"{left} {right}"
    return left + right


def quote_balance(text: str) -> int:
    """Opening minus closing double quotes (“ ”): negative when the text starts mid-quote."""
    return text.count("“") - text.count("”")
