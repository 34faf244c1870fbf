"""Property tests: bulletins generated from the samples' layout patterns.

Invariants: no exception escapes; every non-space character of the input is in an article,
the furniture or a recorded removed repeat (vertical presentation forms compared as their
horizontal equivalents — the one character rewrite ingest does); cutting is deterministic;
re-ingesting changes nothing; an article an editor changed is never overwritten.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.config import load_config
from site_builder.ingest import ingest_paths
from site_builder.ingest.cut import cut_bulletin
from site_builder.ingest.decode import DecodeError, decode_bulletin
from site_builder.ingest.text import char_counts

HEADLINES = ["无锡市总工会冬日暖“新”工会服务活动", "多措并举 关心职工实打实", "玉环工会新春嘉年华来袭",
             "助推数字经济 稳进提质", "市场监管总局：", "严守外卖餐饮安全底线",
             "——无锡市总服务留锡过年职工记事"]
BYLINES = ["本报讯（记者刘建林 李彦斌）", "本报讯 记者张浩呈 通讯员郑轶文、王飞报道 ", "本报记者 李丰",
           "□李钰", "据新华社电 "]
SENTENCES = [
    "春节前，镇江市总工会牵头，该市团市委、妇联、科协等群团组织共同参与，制定了主题活动方案。",
    "“感谢你们为舟山的建设贡献力量，希望大家一路顺风！”",
    "据统计，全市工会在两节期间共筹集送温暖资金900多万元，为4.32万名困难职工送上慰问金。",
    "江阴市总工会举办“龙行龘龘 欢乐过年”职工网络掼蛋赛和有奖征集等贺新春系列活动；",
    "留锡过年的外地职工收到快乐充实的趣味年礼，SYB创业培训等8大类别、30个细化项目上线。",
    "2025年两节期间，山西省总工会集中送温暖资金，加大投入力度。",
]
CREDITS = ["（孙旭诞）", "潘凡 王锐 段晓旋", "计海新 摄", "（作者单位：全国总工会组织部）"]
HEADERS = ["A06 20202020..22..2424 星期一星期一", "责编责编 汪自力汪自力 ｜｜ 版式版式 邹琦邹琦"]


@st.composite
def paragraphs(draw) -> str:
    text = "".join(draw(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=4)))
    if draw(st.booleans()):
        text = draw(st.sampled_from(BYLINES)) + text
    if draw(st.integers(0, 4)) == 0:
        text += draw(st.sampled_from(CREDITS))
    width = draw(st.sampled_from([0, 0, 9, 14, 21, 30]))
    if width:  # hard-wrap, sometimes with a stray blank line mid-sentence
        lines = [text[i : i + width] for i in range(0, len(text), width)]
        sep = "\n\n" if draw(st.integers(0, 5)) == 0 else "\n"
        text = sep.join(lines)
    return text


@st.composite
def blocks(draw) -> str:
    choice = draw(st.integers(0, 9))
    if choice <= 4:
        return draw(paragraphs())
    if choice <= 6:
        head = draw(st.sampled_from(HEADLINES))
        return head + ("\n\n" + head if draw(st.integers(0, 5)) == 0 else "")
    if choice == 7:  # vertical text, one character per line
        word = draw(st.sampled_from(["留镇过大年春节更有﹃味﹄", "记者范翊"]))
        return "\n".join(word)
    if choice == 8:
        return draw(st.sampled_from(HEADERS))
    return draw(st.text(alphabet=st.sampled_from("▲◆□ 23工会，。“”\u3000\t·ab"), max_size=12))


@st.composite
def bulletins(draw) -> str:
    parts = draw(st.lists(blocks(), min_size=1, max_size=12))
    text = "\n\n".join(parts)
    if draw(st.booleans()):
        text = text.replace("\n", draw(st.sampled_from(["\r\n", "\r"])))
    return text


SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(bulletins(), st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_nothing_lost_and_no_exception(text, encoding):
    try:
        decoded, _ = decode_bulletin(text.encode(encoding))
    except DecodeError:
        return  # too little Chinese text to be a bulletin: a clean, named error
    decoded = decoded.replace("\r\n", "\n").replace("\r", "\n")
    cut = cut_bulletin(decoded, ["送温暖", "两节"])
    assert cut.surplus == ""
    if cut.articles:  # (a page of headlines only is refused as "no article text")
        assert cut.unassigned == ""
    kept = char_counts(t for a in cut.articles for t in a.draft.page_texts())
    kept.update(char_counts(f.text for f in cut.page.furniture))
    kept.update(char_counts(d.text for d in cut.page.dropped))
    kept.update(char_counts([cut.unassigned]))
    assert kept == char_counts([text.lstrip("\ufeff")])
    # Removed repeats are only ever copies of text that was kept (the characters of a
    # kept line taken out as page furniture, e.g. a stray "□", are in the copy too).
    kept_text = "".join(t for a in cut.articles for t in a.draft.page_texts())
    furniture = set("".join(f.text for f in cut.page.furniture)) | {" "}

    def bare(text: str) -> str:
        return "".join(c for c in text if c not in furniture)

    if cut.articles:
        assert all(bare(d.text) in bare(kept_text) for d in cut.page.dropped)
    for article in cut.articles:
        assert article.meta.title.strip()
        for piece in article.draft.pieces:
            assert "\n" not in piece.text


@SETTINGS
@given(bulletins())
def test_cutting_is_deterministic(text):
    try:
        decoded, _ = decode_bulletin(text.encode("utf-8"))
    except DecodeError:
        return
    first = cut_bulletin(decoded, [])
    second = cut_bulletin(decoded, [])
    assert [(a.meta.title, [p.text for p in a.draft.pieces]) for a in first.articles] == \
        [(a.meta.title, [p.text for p in a.draft.pieces]) for a in second.articles]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(bulletins(), min_size=1, max_size=2), st.data())
def test_reingest_is_idempotent_and_edits_survive(pages, data):
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        shutil.copy(REPO / "config.yaml", site / "config.yaml")
        inbox = site / "in"
        inbox.mkdir()
        for n, page in enumerate(pages):
            (inbox / f"b{n}.txt").write_text(page, encoding="utf-8")
        config = load_config(site / "config.yaml")
        ingest_paths(config, [inbox], dry_run=False, force=False, report=False)
        before = _files(site / "content")
        ingest_paths(config, [inbox], dry_run=False, force=False, report=False)
        assert _files(site / "content") == before
        articles = sorted(p for p in before if p.endswith(".md"))
        if not articles:
            return
        target = site / "content" / data.draw(st.sampled_from(articles))
        edited = target.read_text(encoding="utf-8") + "\n编辑补充的一段话。\n"
        target.write_text(edited, encoding="utf-8")
        ingest_paths(config, [inbox], dry_run=False, force=False, report=False)
        assert target.read_text(encoding="utf-8") == edited


def _files(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(folder.rglob("*")) if p.is_file()}
