"""`site-builder ingest` through the CLI: writes, re-runs, editor edits, bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, SAMPLE_BULLETINS

from site_builder.cli import cli

SAMPLE = SAMPLE_BULLETINS / "003_0f1a193ba6c2174a.txt"
pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason="sample bulletins not found")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    return root


def run(site: Path, *args: str):
    runner = CliRunner()
    return runner.invoke(cli, ["--config", str(site / "config.yaml"), "ingest", *args],
                         catch_exceptions=False)


def snapshot(site: Path) -> dict[str, str]:
    content = site / "content"
    if not content.exists():
        return {}
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(content.rglob("*")) if p.is_file()}


def test_ingest_writes_bulletin_manifest_and_articles(site):
    result = run(site, str(SAMPLE))
    assert result.exit_code == 0, result.output
    manifest = json.loads((site / "content/bulletins/003_0f1a193ba6c2174a.json").read_text("utf-8"))
    assert manifest["source"] == "003_0f1a193ba6c2174a.txt"
    assert manifest["page"] == "A06" and manifest["date"] == "2020-02-24"
    assert manifest["editors"] == ["责编 汪自力", "版式 邹琦", "校对 王欣"]
    assert (site / "content/bulletins/003_0f1a193ba6c2174a.txt").read_text("utf-8") \
        == SAMPLE.read_text("utf-8").replace("\r\n", "\n")
    paths = [a["path"] for a in manifest["articles"]]
    assert paths == ["content/articles/2020/jiangsu-wuxi/wu-xi-ge-ji-gong-hui-duo-guan.md",
                     "content/articles/2020/jiangsu-wuxi/wu-xi-gong-hui-zhan-yi-shi-jian.md"]
    text = (site / paths[0]).read_text("utf-8")
    assert "date: '2020-02-24'" in text and "source: 003_0f1a193ba6c2174a.txt" in text
    assert "汪自力" not in text  # page furniture stays out of the article


def test_rerun_is_idempotent(site):
    assert run(site, str(SAMPLE_BULLETINS)).exit_code == 0
    first = snapshot(site)
    result = run(site, str(SAMPLE_BULLETINS))
    assert result.exit_code == 0
    assert snapshot(site) == first
    assert result.output.strip() and not any(
        line.lstrip().startswith(("new", "updated")) for line in result.output.splitlines()), result.output


def test_edited_article_is_never_overwritten(site):
    assert run(site, str(SAMPLE)).exit_code == 0
    manifest = json.loads((site / "content/bulletins/003_0f1a193ba6c2174a.json").read_text("utf-8"))
    article = site / manifest["articles"][0]["path"]
    edited = article.read_text("utf-8").replace("出台政策惠企业", "出台政策惠企业（编辑修订）")
    article.write_text(edited, encoding="utf-8")
    result = run(site, str(SAMPLE))
    assert result.exit_code == 0
    assert article.read_text("utf-8") == edited
    assert "changed since ingest" in result.output
    # Still detected on the next run: the manifest keeps the hash of what ingest wrote.
    run(site, str(SAMPLE))
    assert article.read_text("utf-8") == edited
    # --force puts ingest's version back.
    assert run(site, "--force", str(SAMPLE)).exit_code == 0
    assert "编辑修订" not in article.read_text("utf-8")


def test_dry_run_writes_nothing(site):
    result = run(site, "--dry-run", str(SAMPLE_BULLETINS))
    assert result.exit_code == 0
    assert "would write" in result.output
    assert snapshot(site) == {}


def test_report_lists_articles_and_unassigned(site):
    result = run(site, "--report", str(SAMPLE))
    assert result.exit_code == 0
    assert "无锡各级工会多管齐下保复工" in result.output
    assert "江苏/无锡 | 2020 2020-02-24 | feature" in result.output
    assert "unassigned: none" in result.output
    assert "furniture: A06 20202020..22..2424 星期一星期一" in result.output


def test_bad_files_are_named_and_the_rest_still_ingested(site, tmp_path):
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (bad / "latin.txt").write_text("This is an English letter, not a bulletin page.\n" * 20)
    (bad / "oneline.txt").write_bytes(("工会送温暖" * 2_200_000).encode("utf-8"))
    (bad / "undecodable.txt").write_bytes("工会".encode() + b"\n\n" + b"\xff\xfe\xfa" * 50)
    shutil.copy(SAMPLE, bad / "good.txt")
    result = run(site, str(bad))
    assert result.exit_code == 1
    err = result.stderr
    assert f"{bad / 'empty.txt'}: empty file" in err
    assert f"{bad / 'binary.txt'}: binary data" in err
    assert f"{bad / 'latin.txt'}: not a bulletin" in err
    assert f"{bad / 'oneline.txt'}" in err
    assert f"{bad / 'undecodable.txt'}" in err
    assert (site / "content/bulletins/good.json").exists()
    assert len(list((site / "content/articles").rglob("*.md"))) == 2


def test_gbk_big5_and_line_endings_are_accepted(site, tmp_path):
    text = SAMPLE.read_text("utf-8")
    src = tmp_path / "in"
    src.mkdir()
    (src / "gbk.txt").write_bytes(text.replace("\n", "\r\n").encode("gb18030"))
    (src / "cr.txt").write_bytes(("\ufeff" + text.replace("\n", "\r")).encode("utf-8"))
    from opencc import OpenCC

    traditional = OpenCC("s2t").convert(text)
    (src / "big5.txt").write_bytes(traditional.encode("big5", errors="ignore"))
    result = run(site, str(src))
    assert result.exit_code == 0, result.stderr
    for name in ("gbk", "cr", "big5"):
        manifest = json.loads((site / f"content/bulletins/{name}.json").read_text("utf-8"))
        assert manifest["date"] == "2020-02-24"
        assert manifest["editors"][0] in ("责编 汪自力", "責編 汪自力")
        if name != "big5":  # the same page in another encoding cuts the same way
            assert [a["title"] for a in manifest["articles"]] == ["无锡各级工会多管齐下保复工",
                                                                  "无锡工会“战疫”时间轴"]
    big5 = json.loads((site / "content/bulletins/big5.json").read_text("utf-8"))
    assert big5["articles"][0]["title"] == "無錫各級工會多管齊下保復工"  # script kept as printed
    assert big5["articles"][0]["region"] == "江苏/无锡"


def test_a_different_page_under_the_same_name_is_refused_without_force(site, tmp_path):
    """Re-ingesting another page under a bulletin's file name used to replace the bulletin
    and delete its unedited articles, exit 0."""
    assert run(site, str(SAMPLE)).exit_code == 0
    before = snapshot(site)
    manifest = json.loads((site / "content/bulletins/003_0f1a193ba6c2174a.json").read_text("utf-8"))
    old_paths = [a["path"] for a in manifest["articles"]]
    other = tmp_path / "other" / SAMPLE.name
    other.parent.mkdir()
    shutil.copy(SAMPLE_BULLETINS / "000_b698bb03ca8547cd.txt", other)
    result = run(site, str(other))
    assert result.exit_code == 1
    assert "different text under the same name" in result.stderr
    assert "--force" in result.stderr
    for path in old_paths:  # says which articles would go
        assert path in result.stderr
    assert snapshot(site) == before
    # An edited article of the old page stays even when the replacement is forced.
    edited = site / old_paths[0]
    edited.write_text(edited.read_text("utf-8") + "\n编辑补记。\n", encoding="utf-8")
    result = run(site, "--force", str(other))
    assert result.exit_code == 0, result.output
    assert edited.read_text("utf-8").endswith("编辑补记。\n")
    assert not (site / old_paths[1]).exists()
    assert (site / "content/bulletins/003_0f1a193ba6c2174a.txt").read_text("utf-8") \
        == other.read_text("utf-8")


EVALUATION = Path(__file__).parent / "fixtures" / "evaluation" / "tuning"


def test_explain_gives_the_evidence_of_each_decision(site):
    page = EVALUATION / "t02_big5_suzhou_kunshan.txt"
    result = run(site, "--dry-run", "--explain", str(page))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "region  江苏/苏州/昆山: 昆山市 (text, union) ×2" in out
    assert "顧曉東 (lead “本報訊（通訊員 顧曉東）”)" in out
    assert "title   崑山：暖心年夜飯端上流水線旁: printed headline" in out


def test_report_names_weak_decisions(site):
    page = EVALUATION / "t05_december_next_year.txt"
    result = run(site, "--dry-run", "--report", str(page))
    assert result.exit_code == 0, result.output
    assert "weak  1. 福州启动2025年“两节”送温暖活动: year 2024: a December item about 2025's " \
        "holidays" in result.output
