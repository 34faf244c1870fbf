"""The cut-review page: each article's source lines marked in its own colour, furniture greyed,
the --explain evidence beside them; served by `serve` for every bulletin."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from conftest import make_site
from served import Served

from site_builder.ingest.cut import cut_bulletin
from site_builder.ingest.decode import decode_bulletin
from site_builder.ingest.review import FURNITURE, line_owners, review_page

PAGE = Path(__file__).parent / "fixtures" / "evaluation" / "tuning" / "t16_hubei_four_items.txt"


def _cut():
    text, _ = decode_bulletin(PAGE.read_bytes())
    return cut_bulletin(text, [])


def test_every_line_is_marked_with_its_article_or_as_furniture():
    cut = _cut()
    owners = line_owners(cut)
    lines = cut.text.split("\n")
    assert owners[1] == FURNITURE  # the page header
    marked = {n for n, line in enumerate(lines, start=1) if line.strip()}
    assert marked == set(owners)  # every printed line belongs somewhere
    # The headline printed under its body belongs to that body's article.
    below = lines.index("襄阳困难职工子女获助学金") + 1
    assert owners[below] == owners[lines.index(next(x for x in lines if "周敏" in x)) + 1] == 2


def test_review_page_shows_spans_and_evidence():
    page = review_page(_cut(), PAGE.name)
    assert page.count('class="article"') == sum(1 for line in _cut().text.split("\n") if line.strip()) - 1
    assert 'class="furniture"' in page
    assert "region  湖北/襄阳" in page and "authors 周敏 (lead" in page
    assert len(set(re.findall(r"background:(hsl\([^)]*\))", page))) == 4  # a colour per article


def _served_with_page(tmp_path: Path) -> Served:
    site = make_site(tmp_path)
    bulletins = site / "content" / "bulletins"
    bulletins.mkdir(parents=True, exist_ok=True)
    shutil.copy(PAGE, bulletins / PAGE.name)
    return Served(site)


def test_serve_shows_the_review_page_of_each_bulletin(tmp_path):
    served = _served_with_page(tmp_path)
    try:
        status, index = served.get("__site_builder__/cut/")
        assert status == 200 and PAGE.name in index
        status, page = served.get(f"__site_builder__/cut/{PAGE.name}")
        assert status == 200 and "黄石工会驿站推出“暖心套餐”" in page
        assert served.get("__site_builder__/cut/nothing.txt")[0] == 404
    finally:
        served.stop()


def test_the_review_page_shows_every_article_in_a_browser(tmp_path, chromium_browser):
    served = _served_with_page(tmp_path)
    try:
        for width in (1280, 390):
            tab = chromium_browser.new_page(viewport={"width": width, "height": 900})
            tab.goto(served.url + f"__site_builder__/cut/{PAGE.name}")
            assert tab.locator("section.card").count() == 4
            assert tab.evaluate("document.documentElement.scrollWidth") <= width
            tab.screenshot(path=str(tmp_path / f"review-{width}.png"), full_page=True)
            tab.close()
    finally:
        served.stop()
