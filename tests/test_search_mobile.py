"""On a phone the first hits are on the first screen: the facets (years, provinces, cities) sit
above the results there, each as one row that scrolls sideways, not as a block of every place."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from conftest import serve_directory
from sites import write_site

from site_builder.build import build_site
from site_builder.config import load_config

pytestmark = pytest.mark.browser

PLACES = ["北京", "天津", "上海", "重庆", "河北/石家庄", "山西/太原", "辽宁/沈阳", "吉林/长春",
          "黑龙江/哈尔滨", "江苏/南京", "浙江/杭州", "安徽/合肥", "福建/福州", "江西/南昌",
          "山东/济南", "河南/郑州", "湖北/武汉", "湖南/长沙", "广东/广州", "海南/海口",
          "四川/成都", "贵州/贵阳", "云南/昆明", "陕西/西安", "甘肃/兰州", "青海/西宁",
          "内蒙古/呼和浩特", "广西/南宁", "西藏/拉萨", "宁夏/银川", "新疆/乌鲁木齐",
          "江苏/无锡", "浙江/宁波", "广东/深圳", "山东/青岛", "四川/绵阳"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = write_site(tmp_path_factory.mktemp("mobile"), 0)
    for i, place in enumerate(PLACES):
        year = 2019 + i % 7
        folder = root / "content" / "articles" / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        front = {"title": f"{place.split('/')[-1]}工会送温暖", "date": f"{year}-01-{10 + i % 18}",
                 "region": place, "kind": "news"}
        (folder / f"p{i:02d}.md").write_text(
            "---\n" + json.dumps(front, ensure_ascii=False) + "\n---\n\n"
            + "春节前夕，工会走访慰问困难职工，送上年货和慰问金。" * 3, encoding="utf-8")
    report = build_site(load_config(root / "config.yaml"), quiet=True)
    assert report.ok, report.diagnostics
    server, url = serve_directory(root / "output")
    yield url
    server.shutdown()


def test_first_hits_are_on_a_phones_first_screen_and_every_facet_still_reachable(
        chromium_browser, site):
    context = chromium_browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{site}search/?q={quote('送温暖')}")
    page.wait_for_selector("#search[data-state=done]")
    provinces = page.eval_on_selector_all(
        ".search-facets button[data-facet=region]", "els => els.map(e => e.dataset.value)")
    assert len(provinces) > 40  # provinces and cities: many more than one screen's worth
    tops = page.eval_on_selector_all(
        ".search-hit", "els => els.slice(0, 2).map(e => e.getBoundingClientRect().bottom)")
    assert len(tops) == 2 and max(tops) < 844, tops  # two whole hits without scrolling
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    last = page.locator(".search-facets button[data-facet=region]").last
    value = last.get_attribute("data-value")
    last.click()  # at the far end of its row: scrolled to, then pressed
    page.wait_for_url(lambda u: "region" in u)
    page.wait_for_selector("#search[data-state=done]")
    assert page.input_value("#q") == f"送温暖 region:{value}"
    assert page.locator(".search-hit").count() == 1
    context.close()
