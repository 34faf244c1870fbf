"""The pure steps of ingest one by one: decode, repair, places, years, credits."""

from __future__ import annotations

import datetime as dt

import pytest

from site_builder.gazetteer import default_gazetteer
from site_builder.ingest.byline import lead_byline, names_in
from site_builder.ingest.cut import cut_bulletin
from site_builder.ingest.decode import DecodeError, decode_bulletin
from site_builder.ingest.furniture import undouble, undouble_line
from site_builder.ingest.metadata import text_evidence, zodiac_year
from site_builder.ingest.places import choose_region, mentions
from site_builder.ingest.repair import repair
from site_builder.ingest.text import split_trailing_credit

BODY = "春节前，镇江市总工会牵头，该市团市委、妇联、科协等群团组织共同参与，制定了主题活动方案。"


def texts(page_text: str) -> list[str]:
    return [u.text for u in repair(page_text).units]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_decode_chinese_encodings(encoding):
    text, _ = decode_bulletin((BODY * 2).encode(encoding))
    assert text == BODY * 2


def test_decode_big5_keeps_traditional_script():
    text, used = decode_bulletin(("無錫市總工會送溫暖，" * 5).encode("big5"))
    assert used == "big5" and text.startswith("無錫市總工會")


@pytest.mark.parametrize(("raw", "message"), [
    (b"", "empty file"),
    (b"   \n\n", "empty file"),
    (bytes(range(256)) * 10, "binary"),
    (b"plain English text, nothing else\n" * 10, "not a bulletin"),
    (("工" * 30_000).encode(), "characters long"),
])
def test_decode_refuses_with_a_reason(raw, message):
    with pytest.raises(DecodeError, match=message):
        decode_bulletin(raw)


def test_undouble_page_furniture():
    assert undouble("20202020..22..2424") == "2020.2.24"
    assert undouble_line("A06 20202020..22..2424 星期一星期一") == "A06 2020.2.24 星期一"
    assert undouble_line("责编责编 汪自力汪自力 ｜｜ 版式版式 邹琦邹琦") == "责编 汪自力 ｜ 版式 邹琦"
    assert undouble_line("谢谢大家 天天向上") is None


def test_header_is_furniture_not_text():
    page = repair("A06 20202020..22..2424 星期一星期一\n责编责编 汪自力汪自力\n\n" + BODY)
    assert page.header.date == dt.date(2020, 2, 24) and page.header.page == "A06"
    assert page.header.editors == ["责编 汪自力"]
    assert [u.text for u in page.units] == [BODY]


def test_hard_wraps_rejoined_cjk_without_space_latin_with_space():
    assert texts("春节前，镇江市总工会牵\n头，该市团市委参与。") == \
        ["春节前，镇江市总工会牵头，该市团市委参与。"]
    assert texts("职工参加SYB创业培训和\nonline\ncourses，共计8大类别、30个项目。")[0] == \
        "职工参加SYB创业培训和online courses，共计8大类别、30个项目。"


def test_stray_blank_line_mid_sentence_is_rejoined_real_breaks_kept():
    first = "为破解用工难题，无锡出台若干措施，支持企业有序生产，稳定就业"
    page = first + "\n\n形势，为推动经济保驾护航。\n\n第二段。"
    assert texts(page) == [first + "形势，为推动经济保驾护航。", "第二段。"]


def test_vertical_text_reassembled():
    page = "\n".join("留镇过大年春节更有﹃味﹄") + "\n\n记\n者\n\n范\n翊\n\n" + BODY
    assert texts(page) == ["留镇过大年春节更有『味』", "记者 范翊", BODY]


def test_repeated_and_doubled_headlines_dropped_once():
    page = repair("多措并举 关心职工实打实\n\n多措并举 关心职工实打实\n\n" + BODY
                  + "\n\n世界级海工平台起航世界级海工平台起航\n\n" + BODY)
    assert [u.text for u in page.units] == ["多措并举 关心职工实打实", BODY, "世界级海工平台起航", BODY]
    assert [d.reason for d in page.dropped] == ["repeated headline", "doubled headline"]


def test_trailing_credits_split_from_the_paragraph():
    assert split_trailing_credit("提升学习趣味性。 潘凡 王锐 段晓旋") == \
        ("提升学习趣味性。", "潘凡 王锐 段晓旋")
    assert split_trailing_credit("整体造价超20亿元。 计海新 摄") == ("整体造价超20亿元。", "计海新 摄")
    assert split_trailing_credit("送到广大职工身边。（孙旭诞）") == ("送到广大职工身边。", "（孙旭诞）")
    assert split_trailing_credit("见《工人日报》。（2月6日）") == ("见《工人日报》。（2月6日）", "")


def test_byline_names_without_role_words():
    assert lead_byline("本报讯（记者刘建林 李彦斌）“产改政策”")[1] == ["刘建林", "李彦斌"]
    assert lead_byline("本报讯 记者张浩呈 通讯员郑轶文、王飞报道 新春将至")[1] == ["张浩呈", "郑轶文", "王飞"]
    assert names_in("本报记者 黄洪涛 本报通讯员 赵周恒 韩石华") == ["黄洪涛", "赵周恒", "韩石华"]
    assert names_in("（作者单位：全国总工会组织部）") == []


def _region(text: str) -> str:
    gaz = default_gazetteer()
    region, _ = choose_region([(m, 1.0) for m in mentions(text, gaz, context=text)], gaz)
    return region.path


def test_places_resolved_against_the_gazetteer():
    assert _region("江阴市总工会在江阴举办活动，江阴职工参加。") == "江苏/无锡/江阴"
    assert _region("为留锡过年的外地职工送上年礼，留锡职工很高兴。") == "江苏/无锡"
    assert _region("北仑区总工会为留仑职工送礼，留仑职工很开心。") == "浙江/宁波/北仑"
    assert _region("国家卫健委修订了规范，多地中小学陆续开学。") == "全国"
    # 澄江街道 is a street of 江阴, not Yunnan's 澄江; a 路 is a street, not a city.
    assert _region("江阴市澄江街道总工会举办对话活动，澄江合伙人参加。江阴市总工会支持。") == "江苏/无锡/江阴"
    assert "广东" not in _region("地址：南京市鼓楼区中山北路202号")


def test_year_evidence_order():
    assert text_evidence("龙年春节期间，工会送温暖。").year == 2024
    assert text_evidence("2021年是文化宫成立70周年。").year == 2021
    assert text_evidence("“兔”个团圆、“兔”个好运").year == 2023
    assert zodiac_year("龙", 2013) == 2012
    assert text_evidence("没有年份的文字。").year is None


def test_only_the_year_known_leaves_date_absent():
    cut = cut_bulletin(f"龙年新春送温暖\n\n{BODY}（孙旭诞）", [])
    (article,) = cut.articles
    assert article.meta.year == 2024 and article.meta.date is None
    dated = cut_bulletin(f"A06 2024.2.26 星期一\n\n龙年新春送温暖\n\n{BODY}", [])
    assert dated.articles[0].meta.date == dt.date(2024, 2, 26)


def test_headline_after_its_body_is_matched_by_content():
    page = ("本报讯（记者 刘蕾蕾）盐城市总工会连续五年获评全市综合考核第一等次，市总接受奖牌。\n\n"
            "本报讯（记者 朱波）南京市工人文化宫新宫今年启用，名人名家座谈献策。\n\n"
            "南京市工人文化宫新宫今年启用\n\n盐城市总连续五年获评综合考核第一等次\n\n短新闻□\n▲多地中小学陆续开学。")
    titles = [a.meta.title for a in cut_bulletin(page, []).articles]
    assert titles == ["盐城市总连续五年获评综合考核第一等次", "南京市工人文化宫新宫今年启用", "短新闻"]


def test_section_subheads_stay_inside_the_article():
    page = f"本报讯（记者陈华）{BODY}\n\n暖心慰问送不停\n\n{BODY}\n\n留甬过年活动多\n\n{BODY}"
    (article,) = cut_bulletin(page, []).articles
    assert [p.kind for p in article.draft.pieces] == ["p", "h2", "p", "h2", "p"]


def test_unlabelled_opinion_piece_with_author_credit_is_editorial():
    from site_builder.ingest.metadata import article_kind
    from site_builder.ingest.split import Draft, Piece

    pieces = [Piece("p", "送温暖不能只停留在“送”的层面，更要在“暖”字上下功夫。", 1),
              Piece("p", "只有真正走进职工，工会才能成为职工信赖的“娘家人”。", 3),
              Piece("credit", "（作者系河南省总工会干部）", 5)]
    assert article_kind(Draft(title="让温暖直达职工心坎", pieces=pieces)) == "editorial"
    news = [Piece("p", "本报讯（记者 王建军）1月18日，洛阳市总工会走访慰问困难职工。", 1), *pieces[1:]]
    assert article_kind(Draft(title="洛阳工会送温暖", pieces=news)) == "news"
