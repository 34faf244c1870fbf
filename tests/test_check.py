"""``site-builder check``: findings as path:line:col, JSON or GitHub annotations; exit codes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, make_site

from site_builder.check import format_findings, relative_url
from site_builder.cli import cli
from site_builder.errors import Diagnostic

ANNOTATION = re.compile(
    r"^::(error|warning) file=(?P<file>[^,:]+),line=(?P<line>\d+),col=(?P<col>\d+)::(?P<msg>.+)$")


def run(site: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(site / "config.yaml"), *args], obj={})


def write(site: Path, rel: str, text: str) -> Path:
    path = site / "content" / "articles" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def article(title: str, body: str = "正文。", region: str = "江苏/无锡", extra: str = "") -> str:
    return f"---\ntitle: {title}\ndate: 2024-02-01\nregion: {region}\n{extra}---\n\n{body}\n"


def test_a_clean_site_passes_and_nothing_is_built(site_dir):
    result = run(site_dir, "check")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "0 error(s), 0 warning(s)" in result.stderr
    assert not (site_dir / "output").exists()


def test_broken_yaml_is_reported_at_its_file_line_and_column(site_dir):
    shutil.copy(FIXTURES / "invalid" / "bad-yaml.md", site_dir / "content/articles/2024/bad.md")
    result = run(site_dir, "check")
    assert result.exit_code == 1
    # region: [江苏 on line 4 is never closed; the parser notices at the '---' on line 5.
    (line,) = result.stdout.splitlines()
    assert line.startswith("content/articles/2024/bad.md:5:1: error: invalid YAML in front-matter:")
    assert "',' or ']'" in line


def test_every_finding_has_path_line_and_column(site_dir):
    write(site_dir, "2024/bad-region.md", article("地区写错", region="江苏/无西"))
    write(site_dir, "2024/bad-date.md", article("日期", extra="").replace("2024-02-01", "2024-02-30"))
    write(site_dir, "2024/bad-type.md", article("类型", extra="tags: {a: 1}\ndraft: maybe\n"))
    write(site_dir, "2024/no-title.md", "---\ndate: 2024-01-01\nregion: 江苏\n---\n正文\n")
    result = run(site_dir, "check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert all(re.match(r"^content/articles/\S+\.md:\d+:\d+: (error|warning): .+", x)
               for x in lines), lines
    text = result.stdout
    assert ("content/articles/2024/bad-region.md:4:1: error: unknown region '江苏/无西'; "
            "did you mean 江苏/无锡?") in text
    assert "content/articles/2024/bad-date.md:3:1: error: no such date '2024-02-30'" in text
    assert "bad-type.md:5:1: error: 'tags' must be a list of names" in text
    assert "bad-type.md:6:1: error: 'draft' must be true or false" in text
    assert "no-title.md:1:1: error: missing required field 'title'" in text
    assert "4 error(s)" not in result.stderr and "5 error(s)" in result.stderr


def test_duplicate_urls_are_errors(site_dir):
    write(site_dir, "2024/same.md", article("甲"))
    write(site_dir, "2024/other.md", article("乙", extra="slug: same\n"))
    result = run(site_dir, "check")
    assert result.exit_code == 1
    assert "duplicate URL /articles/2024/same/" in result.stdout


def test_internal_links_and_images_are_checked(site_dir):
    (site_dir / "content/articles/2024/img").mkdir(parents=True)
    (site_dir / "content/articles/2024/img/ok.png").write_bytes(b"\x89PNG")
    (site_dir / "content/images").mkdir()
    (site_dir / "content/images/logo.png").write_bytes(b"\x89PNG")
    body = "\n".join([
        "[无锡](../wuxi-songwennuan/) [江阴页](../jiangyin-zhaopin) [地区](../../../regions/jiangsu/)",
        "[首页](../../../) [检索](../../../search/) [订阅](../../../feed.xml) [外部](https://example.org/x)",
        "[样式](../../../static/style.css) [本页](#top) [邮件](mailto:a@example.org)",
        "![好](img/ok.png) ![标志](/images/logo.png) ![外链](https://example.org/a.png)",
        "[坏链](../nope/)",
        "[源文件](wuxi-songwennuan.md)",
        "[前一级](../../jiangyin-zhaopin/)",
        "![缺图](img/missing.png)",
        "![越界](../../../../../etc/passwd.png)",
        "[太远](../../../../../x/)",
    ])
    write(site_dir, "2024/links.md", article("链接", body))
    result = run(site_dir, "check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    where = "content/articles/2024/links.md"
    assert lines == [
        f"{where}:11:6: error: broken link '../nope/': the site has no page "
        "/articles/2024/nope/",
        f"{where}:12:7: error: link 'wuxi-songwennuan.md' points at an article's source file; "
        "link to its page instead: '../wuxi-songwennuan/'",
        f"{where}:13:7: error: broken link '../../jiangyin-zhaopin/': the site has no page "
        "/articles/jiangyin-zhaopin/; did you mean '../jiangyin-zhaopin/'?",
        f"{where}:14:7: error: missing image 'img/missing.png' "
        "(looked for content/articles/2024/img/missing.png)",
        f"{where}:15:7: error: image '../../../../../etc/passwd.png' is outside the content "
        "folder; put it under content/",
        f"{where}:16:6: error: broken link '../../../../../x/': it climbs above the site root",
    ], result.stdout


def test_links_to_drafts_are_broken_because_drafts_are_not_published(site_dir):
    write(site_dir, "2024/to-draft.md", article("链接草稿", "[草稿](../../2020/draft/)"))
    result = run(site_dir, "check")
    assert result.exit_code == 1
    assert "broken link '../../2020/draft/'" in result.stdout


def test_json_format_is_a_list_of_findings(site_dir):
    write(site_dir, "2024/bad-region.md", article("地区写错", region="江苏/无西"))
    result = run(site_dir, "check", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [{
        "path": "content/articles/2024/bad-region.md", "line": 4, "col": 1,
        "severity": "error", "message": "unknown region '江苏/无西'; did you mean 江苏/无锡?",
    }]


def test_json_format_of_a_clean_site_is_an_empty_list(site_dir):
    result = run(site_dir, "check", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_github_format_prints_workflow_annotations(site_dir):
    shutil.copy(FIXTURES / "invalid" / "bad-yaml.md", site_dir / "content/articles/2024/bad.md")
    write(site_dir, "2024/bad-region.md", article("地区写错", region="江苏/无西"))
    result = run(site_dir, "check", "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    matches = [ANNOTATION.match(x) for x in lines]
    assert all(matches), lines
    assert [m["file"] for m in matches] == ["content/articles/2024/bad-region.md",
                                            "content/articles/2024/bad.md"]
    assert matches[0]["line"] == "4" and "did you mean 江苏/无锡" in matches[0]["msg"]


def test_github_annotations_escape_special_characters():
    d = Diagnostic("content/a,b:c.md", 3, "100% wrong\r\nsecond line", col=7)
    w = Diagnostic("x.md", None, "file-level", severity="warning")
    assert format_findings([d, w], "github") == (
        "::error file=content/a%2Cb%3Ac.md,line=3,col=7::100%25 wrong%0D%0Asecond line\n"
        "::warning file=x.md,line=1,col=1::file-level\n"
    )


def test_strict_turns_warnings_into_errors(site_dir):
    bulletins = site_dir / "content/bulletins"
    bulletins.mkdir(parents=True)
    (bulletins / "001_x.txt").write_text("通讯稿\n", encoding="utf-8")
    (bulletins / "001_x.json").write_text("{not json", encoding="utf-8")
    relaxed = run(site_dir, "check")
    assert relaxed.exit_code == 0
    assert "content/bulletins/001_x.json:1:1: warning: unreadable manifest" in relaxed.stdout
    strict = run(site_dir, "check", "--strict", "--format", "github")
    assert strict.exit_code == 1
    assert strict.stdout.startswith("::error file=content/bulletins/001_x.json,line=1,col=1::")


def test_unreadable_files_are_findings_not_crashes(site_dir):
    path = site_dir / "content/articles/2024/gbk.md"
    path.write_bytes(article("编码").encode("gbk"))
    result = run(site_dir, "check")
    assert result.exit_code == 1
    assert "content/articles/2024/gbk.md:2:1: error: not UTF-8 text" in result.stdout


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_check_of_an_empty_project_succeeds(tmp_path, fmt):
    site = make_site(tmp_path, content=None)
    assert run(site, "check", "--format", fmt).exit_code == 0


def test_relative_url_between_pages():
    assert relative_url("articles/2024/a/", "articles/2024/b/") == "../b/"
    assert relative_url("articles/2024/a/", "regions/jiangsu/") == "../../../regions/jiangsu/"
    assert relative_url("articles/2024/a/", "") == "../../../"
