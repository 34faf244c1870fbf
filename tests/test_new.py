"""``site-builder new``: the file an editor starts from, through the real command."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from conftest import make_site

from site_builder.cli import cli
from site_builder.content import load_library
from site_builder.content.frontmatter import split_front_matter


def run(site: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(site / "config.yaml"), *args], obj={})


def test_new_writes_a_valid_article_where_the_archive_expects_it(tmp_path):
    site = make_site(tmp_path, content=None)
    result = run(site, "new", "--title", "江阴市总工会开展“两节”送温暖活动",
                 "--region", "江苏/无锡/江阴", "--date", "2025-01-02", "--tags", "送温暖，两节, 困难职工")
    assert result.exit_code == 0, result.output
    expected = (site / "content/articles/2025/jiangsu-wuxi-jiangyin/"
                "jiang-yin-shi-zong-gong-hui-kai-zhan-liang-jie-song-wen-nuan.md")
    assert expected.is_file()
    assert Path(result.stdout.strip()).resolve() == expected.resolve()

    fm = split_front_matter(expected.read_text(encoding="utf-8"))
    assert fm.data["title"] == "江阴市总工会开展“两节”送温暖活动"
    assert fm.data["region"] == "江苏/无锡/江阴"
    assert "date: 2025-01-02\n" in expected.read_text(encoding="utf-8")  # readable, unquoted
    library = load_library(site / "content", project_root=site)
    assert library.diagnostics == []
    (article,) = library.articles
    assert article.region.path == "江苏/无锡/江阴"
    assert article.date.isoformat() == "2025-01-02"
    assert article.tags == ("送温暖", "两节", "困难职工")
    assert article.kind == "news"


def test_new_accepts_official_names_and_the_whole_country(tmp_path):
    site = make_site(tmp_path, content=None)
    result = run(site, "new", "--title", "Spring Visit", "--region", "江苏省/无锡市",
                 "--date", "2024-02-01", "--kind", "feature")
    assert result.exit_code == 0, result.output
    path = site / "content/articles/2024/jiangsu-wuxi/spring-visit.md"
    assert split_front_matter(path.read_text(encoding="utf-8")).data["region"] == "江苏/无锡"

    result = run(site, "new", "--title", "全国总工会部署送温暖", "--region", "全国",
                 "--date", "2024-01-10")
    assert result.exit_code == 0, result.output
    assert (site / "content/articles/2024/national").is_dir()


def test_new_without_a_date_uses_today(tmp_path, monkeypatch):
    """Today as the build sees it (site_builder.clock: China's date, or SITE_BUILDER_TODAY),
    so that the article is published by the next build, not the day after."""
    import datetime as dt

    monkeypatch.setenv("SITE_BUILDER_TODAY", "2031-05-06")
    site = make_site(tmp_path, content=None)
    result = run(site, "new", "--title", "今天的稿件", "--region", "浙江/宁波")
    assert result.exit_code == 0, result.output
    today = dt.date(2031, 5, 6)
    assert Path(result.stdout.strip()).parent.parent.name == str(today.year)
    (article,) = load_library(site / "content", project_root=site).articles
    assert article.date == today


def test_new_refuses_to_overwrite_an_editors_file(tmp_path):
    site = make_site(tmp_path, content=None)
    args = ("new", "--title", "无锡慰问快递小哥", "--region", "江苏/无锡", "--date", "2025-01-03")
    first = run(site, *args)
    assert first.exit_code == 0
    path = Path(first.stdout.strip())
    path = path if path.is_absolute() else Path.cwd() / path
    edited = path.read_text(encoding="utf-8") + "\n编辑已经写好的正文。\n"
    path.write_text(edited, encoding="utf-8")

    again = run(site, *args)
    assert again.exit_code == 1
    assert path.name in again.stderr and "already exists" in again.stderr
    assert path.read_text(encoding="utf-8") == edited


def test_new_rejects_an_unknown_region_with_a_suggestion(tmp_path):
    site = make_site(tmp_path, content=None)
    result = run(site, "new", "--title", "标题", "--region", "江苏/无西", "--date", "2025-01-02")
    assert result.exit_code == 2
    assert "unknown region '江苏/无西'" in result.stderr
    assert "did you mean 江苏/无锡" in result.stderr
    assert not (site / "content").exists()


def test_new_rejects_bad_dates_and_kinds_together(tmp_path):
    site = make_site(tmp_path, content=None)
    result = run(site, "new", "--title", "标题", "--region", "江苏", "--date", "2025-02-30",
                 "--kind", "gossip")
    assert result.exit_code == 2
    assert "bad date '2025-02-30'" in result.stderr
    assert "unknown kind 'gossip'" in result.stderr
    assert not (site / "content").exists()


def test_long_titles_make_short_file_names(tmp_path):
    site = make_site(tmp_path, content=None)
    title = "市总工会联合多部门开展新春送温暖暨留岗过年职工关爱系列活动慰问一线快递小哥和外卖骑手"
    result = run(site, "new", "--title", title, "--region", "江苏/无锡", "--date", "2025-01-02")
    assert result.exit_code == 0, result.output
    stem = Path(result.stdout.strip()).stem
    assert len(stem) <= 60 and not stem.endswith("-")
    assert stem.startswith("shi-zong-gong-hui-lian-he")
