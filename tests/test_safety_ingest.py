"""Ingest → content, across the stage boundary: generated bulletins with hostile text in them.

tests/test_ingest_properties.py checks ingest itself (every character accounted for, determinism,
idempotence). This file checks what a reader gets: every article ingest writes loads without a
diagnostic, its visible text keeps every character the article file holds (markup-looking
text in a bulletin is shown, not interpreted or sanitized away), no bulletin text becomes
HTML, and re-ingesting a bulletin that changed never overwrites an article an editor touched.
CI runs 40 examples; SITE_BUILDER_LONG=1 runs 400; pytest's --hypothesis-show-statistics
counts how many of them ingest accepted.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from conftest import REPO
from hostile.scale import LONG
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from site_builder.config import load_config
from site_builder.content import load_library
from site_builder.content.frontmatter import split_front_matter
from site_builder.ingest import ingest_paths

SENTENCES = [
    "春节前夕，市总工会走访慰问坚守岗位的一线职工，送上米面油等年货和慰问金。",
    "“感谢工会娘家人的关心，今年在这里过年也很温暖！”快递小哥王师傅说。",
    "2024年“两节”期间，全市各级工会共筹集送温暖资金900多万元，惠及4.32万名职工。",
    "区总工会联合人社部门举办线上招聘会，为返岗职工提供岗位3000余个。",
]
HOSTILE = [
    "<script>alert('送')</script>", "<img src=x onerror=alert(1)>", "*强调*", "**粗体**",
    "[链接](javascript:alert(1))", "# 不是标题", "1. 不是列表", "- 不是项目", "> 不是引用",
    "title: 假标题", "{{ 模板 }}", "{% raw %}", "五大活动&四重好礼", "`代码`", "\\反斜杠",
    "|表|格|", "<!-- 注释 -->", "![图](x.png)", "_下划线_", "段落 {: #x .y }", "工资<3000元>",
    "../../etc", "\u200b零宽\u200d字符", "\u202e反向\u202c文字", "～～波浪～～", "$变量$",
]
BYLINE = "本报讯（记者 李丰）"
HEADLINES = ["市总工会开展送温暖活动", "暖心年货送到职工手中", "线上招聘助职工就业"]
SMARTY = set("'\"-.")  # the smarty extension turns these into typographic quotes and dashes
EXAMPLES = 400 if LONG else 40


@st.composite
def bulletins(draw) -> str:
    blocks = []
    for _ in range(draw(st.integers(1, 4))):
        blocks.append(draw(st.sampled_from(HEADLINES)))
        sentences = draw(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=3))
        sentences += [SENTENCES[2]] if not blocks[1:] else []  # the year, so ingest accepts it
        hostile = draw(st.lists(st.sampled_from(HOSTILE), max_size=3))
        mixed = draw(st.permutations(sentences + hostile))
        body = BYLINE + "".join(mixed)
        if draw(st.booleans()):  # some lines of hostile text on their own
            body += "\n\n" + "\n".join(draw(st.lists(st.sampled_from(HOSTILE), max_size=2)))
        blocks.append(body)
    return "\n\n".join(blocks)


def visible(text: str) -> Counter:
    return Counter(c for c in text if not c.isspace() and c not in SMARTY)


def unescape_markdown(body: str) -> str:
    """The text an ingested body shows: drop escapes and ingest's own markup."""
    body = re.sub(r"(?m)^#{2,3} ", "", body)
    body = re.sub(r"\*\*(.+?)\*\*", r"\1", body)
    return re.sub(r"\\(.)", r"\1", body)


def _site_with_bulletin(site: Path, raw: bytes):
    """A project folder with the repo's config and one bulletin file holding ``raw``."""
    shutil.copy(REPO / "config.yaml", site / "config.yaml")
    bulletin = site / "in" / "b.txt"
    bulletin.parent.mkdir()
    bulletin.write_bytes(raw)
    return site, load_config(site / "config.yaml"), bulletin


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(bulletins(), st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
       st.sampled_from(["\n", "\r\n"]))
def test_ingested_articles_load_cleanly_and_show_every_character(text, encoding, newline):
    event("accepted" if ingested_and_shown(text, encoding, newline) else "refused by ingest")


def ingested_and_shown(text: str, encoding: str, newline: str) -> bool:
    """Ingest one bulletin and check what it wrote; False: ingest refused it (by name, with
    nothing written)."""
    with tempfile.TemporaryDirectory() as tmp:
        site, config, bulletin = _site_with_bulletin(
            Path(tmp), text.replace("\n", newline).encode(encoding))
        code = ingest_paths(config, [bulletin], dry_run=False, force=False, report=False)
        if code != 0:  # a bulletin ingest refuses must be refused by name, with nothing written
            assert not (site / "content/articles").exists()
            return False
        library = load_library(site / "content", project_root=site)
        assert library.diagnostics == [], [str(d) for d in library.diagnostics]
        assert library.articles
        for article in library.articles:
            body = split_front_matter((site / article.source_path).read_text(encoding="utf-8")).body
            shown = visible(unescape_markdown(body))
            missing = shown - visible(article.text)
            assert not missing, (article.source_path, "".join(missing.elements()))
            # Bulletin text never becomes markup: no tag but paragraphs, headings and bold.
            tags = set(re.findall(r"<([a-z0-9]+)[\s>]", article.body_html))
            assert tags <= {"p", "h2", "h3", "strong", "br"}, (article.source_path, tags)
        return True


@pytest.mark.parametrize(("encoding", "newline"), [("utf-8", "\n"), ("gb18030", "\r\n")])
def test_a_bulletin_holding_every_hostile_text_is_ingested_and_shown(encoding, newline):
    """The property above checks only bulletins ingest accepts: one of the generator's shape
    holding every hostile text must be accepted, so its checks are not skipped."""
    text = (f"{HEADLINES[0]}\n\n{BYLINE}{SENTENCES[2]}{''.join(HOSTILE[:13])}\n\n"
            f"{HEADLINES[1]}\n\n{BYLINE}{SENTENCES[0]}{''.join(HOSTILE[13:])}\n\n"
            + "\n".join(HOSTILE))
    assert ingested_and_shown(text, encoding, newline)


@settings(max_examples=max(10, EXAMPLES // 4), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(bulletins(), st.sampled_from(SENTENCES))
def test_a_changed_bulletin_never_overwrites_an_edited_article(text, added):
    with tempfile.TemporaryDirectory() as tmp:
        site, config, bulletin = _site_with_bulletin(Path(tmp), text.encode("utf-8"))
        if ingest_paths(config, [bulletin], dry_run=False, force=False, report=False) != 0:
            return
        articles = sorted((site / "content/articles").rglob("*.md"))
        edited = articles[0]
        edited.write_text(edited.read_text(encoding="utf-8") + "\n编辑补充的一句话。\n",
                          encoding="utf-8")
        mine = edited.read_bytes()
        bulletin.write_text(text + "\n\n" + added, encoding="utf-8")
        ingest_paths(config, [bulletin], dry_run=False, force=False, report=False)
        assert edited.read_bytes() == mine
        ingest_paths(config, [bulletin], dry_run=True, force=True, report=False)
        assert edited.read_bytes() == mine


@pytest.mark.xfail(strict=True, reason=(
    "ingest/write.py md_escape does not escape '&': a bulletin's literal '&amp;' or '&lt;b&gt;' "
    "is shown as '&' and '<b>' (markdown reads them as entities). Fix: escape '&' as '&amp;' "
    "in md_escape, then re-ingest the bundled content (its owner's call)"))
def test_entity_lookalike_text_in_a_bulletin_is_shown_as_written(tmp_path):
    shutil.copy(REPO / "config.yaml", tmp_path / "config.yaml")
    config = load_config(tmp_path / "config.yaml")
    bulletin = tmp_path / "b.txt"
    bulletin.write_text(f"{HEADLINES[0]}\n\n{BYLINE}{SENTENCES[2]}网页转来的“&amp;”和“&lt;b&gt;”。\n",
                        encoding="utf-8")
    assert ingest_paths(config, [bulletin], dry_run=False, force=False, report=False) == 0
    (article,) = load_library(tmp_path / "content", project_root=tmp_path).articles
    assert "“&amp;”和“&lt;b&gt;”" in article.text
