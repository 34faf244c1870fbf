"""The rules behind issue 17's failure kinds, each on a sentence of its own."""

from __future__ import annotations

import json

from site_builder.gazetteer import default_gazetteer
from site_builder.ingest.byline import lead_byline
from site_builder.ingest.cut import cut_bulletin
from site_builder.ingest.furniture import page_number, parse_date_line
from site_builder.ingest.metadata import text_evidence
from site_builder.ingest.places import COLLISIONS, collision_table, mentions


def test_collision_list_is_generated_from_the_gazetteer_and_shipped_current():
    shipped = json.loads(COLLISIONS.read_text(encoding="utf-8"))
    generated = collision_table(default_gazetteer())
    assert shipped == {name: [list(x) for x in words] for name, words in generated.items()}
    assert ["党和政府", 1] in shipped["和政"]


def test_a_place_inside_a_common_word_is_not_a_place():
    assert [m.text for m in mentions("把党和政府的关怀送到职工身边")] == []
    assert [m.text for m in mentions("让无锡的温暖传遍大江南北")] == ["无锡"]
    # A level word or an organisation after it makes it a place again.
    assert [m.region.path for m in mentions("和政县总工会慰问职工")] == ["甘肃/临夏/和政"]


def test_a_national_agency_item_is_not_placed_where_it_was_filed():
    text = ("全总下拨资金\n\n新华社北京1月17日电（记者 周明远）全国总工会近日下拨资金，把党和政府的"
            "关怀送到职工身边。各级工会将开展慰问活动。\n")
    [article] = cut_bulletin(text + "2024年春节前，慰问将全面展开。\n", []).articles
    assert article.meta.region.path == "全国"
    assert article.meta.authors == ["周明远"]


def test_web_and_agency_leads_give_their_bylines():
    assert lead_byline("邵阳新闻在线讯（通讯员 彭学 鄢山）1月25日，")[1] == ["彭学", "鄢山"]
    assert lead_byline("中新网兰州2月6日电 (记者 丁思)甘肃省总工会")[1] == ["丁思"]
    assert lead_byline("武冈融媒报道：（记者 刘新宇 通讯员 彭丽）1月22日")[1] == ["刘新宇", "彭丽"]


def test_a_december_item_about_next_years_holidays_is_dated_this_year():
    ev = text_evidence("12月27日，福州市总工会启动2025年元旦春节送温暖活动。")
    assert ev.year == 2024
    assert text_evidence("1月10日，苏州市总工会启动2025年“两节”送温暖活动。").year == 2025
    assert text_evidence("去年12月以来，工会启动2025年春节送温暖活动。").year == 2025


def test_page_header_gives_paper_date_and_page():
    header = parse_date_line("工人日报 2024年1月18日 星期四 第3版", near_edge=True, was_doubled=False)
    assert (header.paper, header.page, header.date.isoformat()) == ("工人日报", "第3版", "2024-01-18")
    header = parse_date_line("成都日报 2025年1月22日 星期三 06", near_edge=True, was_doubled=False)
    assert (header.paper, page_number(header.page)) == ("成都日报", "6")


def test_the_xun_of_a_reporter_role_opens_no_lead():
    """本报通讯员 X 摄 under a photo is its credit, not a new item's lead (本报…讯)."""
    text = ("工人日报 2021年1月22日 星期五 第3版\n\n饺子里包着“娘家”情\n\n"
            "1月19日，在天津市河北区一处工会驿站，社区志愿者和\n环卫工人围坐一桌包饺子。\n"
            "本报通讯员 沈涛 摄\n")
    [article] = cut_bulletin(text, []).articles
    assert article.meta.authors == ["沈涛"]
    assert article.meta.kind == "photo"


def test_a_dated_web_lead_gives_its_byline():
    assert lead_byline("华龙网1月28日讯(通讯员 陈琳)27日,腊月初八,")[1] == ["陈琳"]
    assert lead_byline("扬子晚报网2月11日讯(通讯员 施澎 记者 万凌云) 2月11日清晨")[1] == ["施澎", "万凌云"]


def test_a_media_centre_is_a_role_not_a_name():
    assert lead_byline("固原日报讯 (固原融媒记者 马兰) 1月10日是腊八节，")[1] == ["马兰"]
    assert lead_byline("鹤壁日报讯 (鹤报融媒体记者 邓万行)2月6日上午，")[1] == ["邓万行"]


def test_a_name_joined_by_a_middle_dot_is_one_name():
    text = ("哈密市职工服务中心办起年货市集\n\n哈密市总工会在职工服务中心办起年货市集，困难职工"
            "凭帮扶卡可以免费领取年货。2017年春节前，市集将一直开放。（记者 热依拉·艾买提）\n")
    [article] = cut_bulletin(text, []).articles
    assert article.meta.authors == ["热依拉·艾买提"]


def test_a_credit_under_a_sentence_filling_the_column_is_not_joined_to_it():
    text = ("工人日报 2018年2月9日 星期五 第4版\n\n大庆油田职工的“岗位年夜饭”\n\n"
            "2月8日，大庆油田一处采油站里，工会工作人员为春\n节期间值守的采油工送去饺子和水果。大庆市总工会今\n"
            "年为油田、石化一线职工准备了五千份新春慰问品。\n本报记者 刘旭 摄\n")
    [article] = cut_bulletin(text, []).articles
    assert article.meta.authors == ["刘旭"]
    web = ("嘉峪关工会为钢城职工送上新春祝福\n\n2025年春节前，嘉峪关市总工会走进钢铁企业生产一线，"
           "为坚守岗位的职工送去慰问品。\n\n嘉峪关市总工会还为困难职工发放慰问金。\n李文\n")
    [article] = cut_bulletin(web, []).articles
    assert article.meta.authors == ["李文"]


def test_a_byline_after_the_last_paragraph_closes_the_article():
    """What follows decides: a byline with no text after it is the closing credit (and every
    name after a role counts, 虎勇 too); a byline above text opens the next article."""
    text = ("县总工会：风雪里的一碗姜茶\n\n近日，我县迎来入冬以来最强降雪。2022年1月15日，县总工会"
            "工作人员来到城区路口慰问交警。\n\n据了解，隆德县总工会将为户外劳动者送去慰问物资。\n\n"
            "记者：马骁 通讯员：杨洁、虎勇\n\n编辑：李娜\n")
    [article] = cut_bulletin(text, []).articles
    assert sorted(article.meta.authors) == sorted(["马骁", "杨洁", "虎勇"])
    opening = ("哈尔滨工会把热饭送到工地\n\n本报记者 刘旭 本报通讯员 冯洁\n\n2018年2月7日清晨，"
               "哈尔滨市总工会的送餐车开进了施工工地。\n")
    [article] = cut_bulletin(opening, []).articles
    assert article.meta.authors == ["刘旭", "冯洁"]


def test_an_agency_dateline_on_its_own_line_takes_the_byline_below_it():
    for sep in ("\n", "\n\n"):
        text = ("全国工会筹集送温暖资金\n\n新华社北京1月22日电" + sep + "新华社记者 樊华" + sep +
                "记者22日从全国总工会获悉，2014年元旦春节期间，各级工会共筹集送温暖资金二十余亿元。\n")
        [article] = cut_bulletin(text, []).articles
        assert article.meta.authors == ["樊华"]
        assert article.meta.region.path == "全国"


def test_a_short_last_line_does_not_narrow_the_column():
    """A headline line is not re-joined to the paragraph under it as if it filled the column:
    the column is the widest line of the paragraph's block, not the average."""
    text = ("三亚市总工会日前走访酒店、景区等旅游服务\n企业，慰问春节期间坚守岗位的一线职工。\n\n"
            "三亚慰问旅游旺季坚守职工\n\n\n儋州为环卫工人发放新春红包\n\n"
            "儋州市总工会为全市八百名环卫工人每人发放新\n"
            "春红包五百元，并送上2020年春节年货。（记者 \n吴清）\n")
    articles = cut_bulletin(text, []).articles
    assert [a.meta.title for a in articles] == ["三亚慰问旅游旺季坚守职工", "儋州为环卫工人发放新春红包"]
    assert articles[1].meta.authors == ["吴清"]


def test_a_headline_wrapped_in_two_is_one_title():
    for first, tail in (("滨海新区工会为港口一线职工送去年夜饭食材和防寒", "用品"),
                        ("百色市右江区总工会为芒果种植工人送去技术", "和年货")):
        text = (f"{first}\n{tail}\n\n本报讯（通讯员 刘晓峰）2021年1月21日，工会把慰问品送到一线，"
                "慰问节日期间不休息的职工四百余人。\n")
        [article] = cut_bulletin(text, []).articles
        assert article.meta.title == first + tail
    # A byline name under a headline is no tail of it.
    text = ("哈尔滨工会把热饭送到冰雪工地的施工现场\n刘旭\n\n2018年2月7日，哈尔滨市总工会的送餐车开进"
            "了施工工地。\n")
    [article] = cut_bulletin(text, []).articles
    assert article.meta.title == "哈尔滨工会把热饭送到冰雪工地的施工现场"


def test_the_header_gives_the_paper_as_printed_and_a_leading_page_number():
    text = ("吉林日報 2024年2月5日 星期一 第6版\n\n長春工會送溫暖\n\n"
            "本報訊（記者 王柏）長春市總工會走訪職工。\n")
    assert cut_bulletin(text, []).page.header.paper == "吉林日報"
    assert parse_date_line("02 2023.1.13 星期五", near_edge=True, was_doubled=True).page == "02"


def test_an_idiom_or_a_spirit_opening_with_a_place_name_is_no_place():
    for phrase in ("同心协力", "同心同德", "四平八稳", "天长地久", "和平相处", "传承延安精神"):
        text = (f"全总部署春节职工服务\n\n本报讯（记者 王鹏）全国总工会日前召开会议，要求各级工会{phrase}，"
                "做好2024年春节期间职工服务工作。\n")
        [article] = cut_bulletin(text, []).articles
        assert article.meta.region.path == "全国", phrase
    # Written as places they still are, also in the middle of a sentence.
    assert [m.region.path for m in mentions("宁夏同心县总工会")] == ["宁夏", "宁夏/吴忠/同心"]
    assert [m.region.path for m in mentions("甘肃和政县总工会")] == ["甘肃", "甘肃/临夏/和政"]


def test_a_headline_may_exclaim_or_ask():
    text = ("过年好！工会把“福”送到家门口\n\n本报讯（记者 刘畅）1月18日，湘潭市总工会组织书法家走进社区，"
            "为职工书写春联一千余幅。\n\n湘潭市总工会说，2023年春节前还将开展十场送福活动。\n\n\n"
            "春节不回家？工会陪你过大年\n\n株洲市总工会日前推出“留株过年”服务套餐，为留在株洲的外地职工"
            "提供免费观影服务。\n\n\n“娘家人”来了！\n\n1月17日，岳阳市总工会慰问组来到一处在建工地，"
            "为建筑工人送去年货。（通讯员 李明）\n")
    titles = [a.meta.title for a in cut_bulletin(text, []).articles]
    assert titles == ["过年好！工会把“福”送到家门口", "春节不回家？工会陪你过大年", "“娘家人”来了！"]
    # Speech standing alone in a body is no headline.
    body = ("岳阳工会送年货\n\n本报讯（通讯员 李明）2023年1月17日，岳阳市总工会慰问组来到工地，送去年货。"
            "\n\n“谢谢工会！”\n\n工人们纷纷表示感谢。\n")
    assert len(cut_bulletin(body, []).articles) == 1


def test_web_copy_with_no_blank_lines_between_items():
    """One paragraph a line, no blank lines: a short line with no punctuation after a full
    sentence is the next headline, and a headline naming a place the open article is not
    about (its next paragraph naming it too) opens the next story, not a subhead."""
    text = ("春节不回家？工会陪你过大年\n本报讯（记者 刘畅）湘潭市总工会日前推出“留湘过年”服务套餐，"
            "为春节期间留在湘潭的外地职工提供免费观影、游园等服务。\n"
            "岳阳工会为货车司机送上“暖心包”\n1月18日，岳阳市总工会在岳阳服务区为过往货车司机送上"
            "“暖心包”，包里有手套和方便食品。2023年春节前还将继续。\n")
    articles = cut_bulletin(text, []).articles
    assert [a.meta.region.path for a in articles] == ["湖南/湘潭", "湖南/岳阳"]
    # Subheads inside a roundup stay subheads: their places lie inside the article's.
    roundup = ("湖南工会送温暖\n本报讯（记者 刘畅）2023年春节前，湖南省各级工会开展送温暖活动，"
               "慰问职工十万人次。\n岳阳：暖心包送到服务区\n岳阳市总工会为货车司机送上暖心包。\n")
    assert len(cut_bulletin(roundup, []).articles) == 1


def test_a_headline_below_its_body_with_a_wider_gap_after_it_is_no_subhead():
    text = ("来自四川达州的王师傅今年在西宁过年。1月20日，西宁市总工会把年夜饭送到了工地。\n\n"
            "西宁市总工会负责人介绍，2021年春节前将为留宁过年的职工送去年货。\n\n"
            "留宁过年的工友吃上团圆饭\n\n\n海东市总工会日前为全市困难劳模送去慰问金。\n\n"
            "海东市总工会还为困难劳模开展免费体检。（记者 马宁）\n\n海东：困难劳模收到慰问金\n")
    articles = cut_bulletin(text, []).articles
    assert [(a.meta.title, a.meta.region.path) for a in articles] == [
        ("留宁过年的工友吃上团圆饭", "青海/西宁"), ("海东：困难劳模收到慰问金", "青海/海东")]


def test_a_byline_may_say_what_each_name_contributed():
    text = ("太原工会驿站暖人心\n\n文/记者 郭晓霞 图/通讯员 任丽娟\n\n2024年1月16日，太原市总工会在"
            "全市工会驿站推出暖心早餐，为户外劳动者免费提供热粥。\n")
    [article] = cut_bulletin(text, []).articles
    assert article.meta.authors == ["郭晓霞", "任丽娟"]


def test_a_headline_as_wide_as_the_column_is_not_glued_to_the_opening_below_it():
    for head, opening in (("郑州工会驿站为外卖骑手送上羊肉烩面啦", "1月16日，郑州市总工会在金水区一处工"),
                          ("鄭州工會驛站為外賣騎手送上羊肉燴麵啦", "近日，鄭州市總工會在金水區一處工會驛")):
        text = (f"{head}\n{opening}\n会驿站开展活动，为外卖骑手送上一碗热\n"
                "腾腾的羊肉烩面。2024年春节前驿站将\n每周开展一次暖心活动。\n")
        [article] = cut_bulletin(text, []).articles
        assert article.meta.title == head


def test_a_workers_home_town_does_not_outweigh_the_union_acting():
    text = ("一张车票的温度\n\n本报讯（记者 陆敏）“回四川老家的票拿到了！”来自四川广安的李师傅和来自四川"
            "南充的妻子都在一家电子厂上班。1月15日，苏州工业园区总工会把两张返乡车票送到他们手中。\n\n"
            "据介绍，2024年春节前，园区总工会共为两千名外地职工购买返乡车票。\n")
    [article] = cut_bulletin(text, []).articles
    assert article.meta.region.path == "江苏/苏州"


def test_a_byline_after_a_box_and_a_credit_with_a_full_width_slash():
    body = "\n\n2024年1月16日，太原市总工会在全市工会驿站推出暖心早餐，为户外劳动者免费提供热粥。"
    for byline in ("■本报记者 郭晓霞", "◎记者 郭晓霞", "□本报记者 郭晓霞 通讯员 任丽娟"):
        [article] = cut_bulletin(f"太原工会驿站暖人心\n\n{byline}{body}\n", []).articles
        assert article.meta.authors[0] == "郭晓霞", byline
    [article] = cut_bulletin(f"太原工會驛站暖人心{body}\n記者 郭曉霞／攝\n", []).articles
    assert article.meta.authors == ["郭曉霞"]


def test_credit_lines_with_contribution_labels_close_the_article():
    text = ("茶山镇工会慰问环卫工人\n\n1月18日上午，东莞市茶山镇总工会为环卫工人送上姜茶。\n\n"
            "据了解，2021年春节前，茶山镇总工会将为全镇环卫工人送去慰问品。\n文字：叶欣 通讯员 何明\n"
            "图片：茶山镇总工会供图\n编辑：符德\n\n\n顺德工会送年夜饭\n\n顺德城市网讯（通讯员 梁敏）"
            "1月22日，佛山市顺德区总工会为外来职工送上团圆饭。\n")
    first, second = cut_bulletin(text, []).articles
    assert sorted(first.meta.authors) == ["何明", "叶欣"]
    assert first.draft.pieces[-1].text == "图片：茶山镇总工会供图"
    assert second.meta.authors == ["梁敏"]


def test_two_media_joined_before_a_role():
    text = ("盐城为困难职工子女发放助学金\n\n工人日报-中工网记者 王伟 通讯员 高静\n\n"
            "盐城市总工会日前为困难职工子女发放助学金。2025年春节前，助学金全部发放到位。\n")
    [article] = cut_bulletin(text, []).articles
    assert article.meta.authors == ["王伟", "高静"]


def test_a_photo_caption_above_the_lead_belongs_to_the_story():
    text = ("文峰区工会送饺子\n\n本报讯（记者 王帆）1月20日，安阳市文峰区总工会为环卫工人送上饺子。\n\n\n"
            "滑县总工会筹资送温暖\n\n慰问现场。张扬 本报记者 高远摄\n\n本报讯(张扬 刘婷 记者高远)新春佳节"
            "来临之际，滑县总工会筹措资金开展2022年送温暖活动。\n")
    _, article = cut_bulletin(text, []).articles
    assert article.meta.title == "滑县总工会筹资送温暖"
    assert sorted(article.meta.authors) == sorted(["张扬", "刘婷", "高远"])
