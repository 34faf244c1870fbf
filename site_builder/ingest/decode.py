"""Bytes → text: UTF-8 (with or without BOM), GB18030/GBK or Big5, with sanity checks.

GB18030 accepts almost any byte string and Big5 many, so a successful decode proves little:
each candidate is scored by how much of it is common Chinese text, and the best one wins.
charset-normalizer (maintained) is the fallback for anything else (UTF-16, ...).
"""

from __future__ import annotations

from functools import cache

from charset_normalizer import from_bytes

from .text import HAN, han_count

MAX_BYTES = 5 * 1024 * 1024
MAX_LINE_CHARS = 20_000
MIN_HAN = 20

# The most frequent simplified characters; their traditional forms are derived with OpenCC.
_COMMON = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过"
    "子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体"
    "制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内"
    "数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提"
    "直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计"
    "别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海"
    "口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身"
    "车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石"
    "记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青"
    "省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型"
    "眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞职暖送慰问节"
)


class DecodeError(ValueError):
    """The bytes are not a readable bulletin; ``line`` is 1-based when a place is known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@cache
def _common_chars() -> frozenset[str]:
    from opencc import OpenCC

    traditional = OpenCC("s2t").convert(_COMMON)
    return frozenset(_COMMON) | frozenset(traditional)


def _plausibility(text: str) -> float:
    """Share of the text's Han characters that are common Chinese characters (0..1)."""
    han = HAN.findall(text)
    if not han:
        return 0.0
    common = _common_chars()
    return sum(1 for c in han if c in common) / len(han)


def _looks_binary(raw: bytes) -> bool:
    if b"\x00" in raw[:65536] and not (raw.startswith((b"\xff\xfe", b"\xfe\xff"))):
        return True
    sample = raw[:65536]
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return control > max(8, len(sample) // 100)


def decode_bulletin(raw: bytes) -> tuple[str, str]:
    """Decode a bulletin; return (text, encoding name). Raise DecodeError with a reason."""
    if not raw.strip():
        raise DecodeError("empty file")
    if len(raw) > MAX_BYTES:
        raise DecodeError(f"file is {len(raw)} bytes; a bulletin page is at most {MAX_BYTES}")
    if _looks_binary(raw):
        raise DecodeError("binary data, not a text bulletin")
    utf8_error: UnicodeDecodeError | None = None
    try:
        text = raw.decode("utf-8-sig")
        return _check(text), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    candidates: list[tuple[float, int, str, str]] = []
    for rank, encoding in enumerate(("gb18030", "big5")):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        candidates.append((_plausibility(text), -rank, encoding, text))
    best = max(candidates, default=None)
    if best is None or best[0] < 0.5:
        guess = from_bytes(raw).best()
        if guess is not None and guess.encoding not in ("utf_8", "gb18030", "big5"):
            text = str(guess)
            if _plausibility(text) >= 0.5:
                return _check(text), guess.encoding
    if best is None or best[0] < 0.5:
        line = raw[: utf8_error.start].count(b"\n") + 1 if utf8_error else None
        raise DecodeError("cannot decode: not UTF-8, GB18030/GBK or Big5 Chinese text "
                          f"(first bad byte at offset {utf8_error.start if utf8_error else '?'})",
                          line)
    return _check(best[3]), best[2]


def _check(text: str) -> str:
    """Reject text that decodes but is not a bulletin page."""
    text = text.lstrip("\ufeff")
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise DecodeError(f"line is {len(line)} characters long (at most {MAX_LINE_CHARS} "
                              "in a bulletin): not a bulletin page", number)
        start += len(line) + 1
    if han_count(text) < MIN_HAN:
        raise DecodeError(f"not a bulletin: fewer than {MIN_HAN} Chinese characters")
    if _control_share(text) > 0.01:
        raise DecodeError("binary data, not a text bulletin")
    return text


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for c in text if (ord(c) < 32 and c not in "\n\r\t\f") or c == "\ufffd")
    return bad / len(text)
