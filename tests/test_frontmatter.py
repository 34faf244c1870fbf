"""content/frontmatter: YAML front-matter with the line of every problem, and bounded work."""

from __future__ import annotations

import pytest

from site_builder.content.frontmatter import (
    MAX_YAML_VALUES,
    FrontMatterError,
    dump_front_matter,
    split_front_matter,
)


def test_fields_body_and_key_lines():
    fm = split_front_matter("---\ntitle: 标题\nyear: 2024\n---\n\n正文\n")
    assert fm.data == {"title": "标题", "year": 2024}
    assert fm.key_lines == {"title": 2, "year": 3}
    assert fm.body.strip() == "正文" and fm.body_line == 5
    assert fm.warnings == []


def test_dates_stay_text_so_a_bad_date_is_our_message():
    assert split_front_matter("---\ndate: 2024-02-30\n---\n").data == {"date": "2024-02-30"}


@pytest.mark.parametrize(("text", "line", "message"), [
    ("title: x\n", 1, "no front-matter"),
    ("---\ntitle: x\n", 1, "not closed"),
    ("---\ntitle: [x\n---\n", 3, "invalid YAML"),
    ("---\n- a\n---\n", 2, "must be a mapping"),
])
def test_malformed_front_matter_names_its_line(text, line, message):
    with pytest.raises(FrontMatterError) as caught:
        split_front_matter(text)
    assert caught.value.line == line and message in caught.value.message


def test_alias_bombs_are_refused_at_the_first_alias_without_expanding_them():
    """384 bytes of nested aliases stood for 9^9 values: seconds and gigabytes before."""
    rows = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    rows += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    text = "---\n" + "\n".join(rows) + "\ntitle: *a8\n---\n正文\n"
    with pytest.raises(FrontMatterError) as caught:
        split_front_matter(text)
    assert caught.value.line == 3  # a1, the first line with an alias
    assert f"{MAX_YAML_VALUES:,}" in caught.value.message
    assert len(caught.value.message) < 200  # the expanded value is never in the message


def test_a_few_aliases_are_fine():
    fm = split_front_matter("---\nregion: &r 江苏/无锡\nregions: [*r, *r]\n---\n")
    assert fm.data["regions"] == ["江苏/无锡", "江苏/无锡"]


@pytest.mark.parametrize(("value", "col", "shown"), [
    ("!!int abc", 7, "'abc' is not a valid !!int"),
    ("!!int " + "9" * 5000, 7, "is not a valid !!int"),
    ("!!timestamp soon", 7, "'soon' is not a valid !!timestamp"),
    ("[2020, !!float x]", 14, "'x' is not a valid !!float"),
])
def test_an_explicit_tag_that_does_not_fit_is_an_error_at_its_value(value, col, shown):
    with pytest.raises(FrontMatterError) as caught:
        split_front_matter(f"---\ntitle: 标题\nyear: {value}\n---\n")
    assert (caught.value.line, caught.value.col) == (3, col)
    assert shown in caught.value.message and len(caught.value.message) < 200


def test_python_tags_are_refused_as_yaml_errors():
    with pytest.raises(FrontMatterError) as caught:
        split_front_matter("---\nx: !!python/object/apply:os.system [ls]\n---\n")
    assert caught.value.line == 2 and "invalid YAML" in caught.value.message


def test_a_duplicate_key_warns_at_its_second_line():
    fm = split_front_matter("---\ntitle: 甲\ntags: [a]\ntitle: 乙\n---\n")
    assert fm.data["title"] == "乙"
    assert fm.warnings == [(4, "duplicate key 'title' (first on line 2): this later value is the one used")]


def test_dump_is_the_inverse_of_split():
    data = {"title": "多措并举 关心职工", "tags": ["送温暖", "两节"], "year": 2024}
    fm = split_front_matter(dump_front_matter(data, "正文一段。"))
    assert fm.data == data and fm.body.strip() == "正文一段。"
