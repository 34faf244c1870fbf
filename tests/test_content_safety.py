"""Hostile files in content/ cost a diagnostic, never a hang, a crash or a leak.

Each test reproduces a finding of the attack run of issue 16 against the build and `check`.
"""

from __future__ import annotations

import builtins
import contextlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, make_site

from site_builder.build import build_site
from site_builder.config import load_config
from site_builder.content.markdown import MAX_SCAN, html_to_text, render_markdown, scan_cost

ARTICLE = "---\ntitle: 标题\ndate: 2024-01-05\nregion: 江苏/无锡\n---\n\n{body}\n"
# Generous: the fixed code takes a few seconds; what it guards against took minutes to hours.
NO_HANG = 240


def run_cli(site: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "site_builder", "--config",
                           str(site / "config.yaml"), *args], cwd=site, env=env,
                          capture_output=True, text=True, timeout=NO_HANG, **kwargs)


def test_a_fifo_among_the_bulletins_is_skipped_not_waited_on(tmp_path):
    site = make_site(tmp_path)
    (site / "content/bulletins").mkdir(parents=True)
    os.mkfifo(site / "content/bulletins/pipe.txt")
    os.mkfifo(site / "content/articles/2024/pipe-target")
    (site / "content/articles/2024/linked.md").symlink_to("pipe-target")
    for command in ("check", "build"):
        done = run_cli(site, command)
        shown = done.stdout + done.stderr
        assert re.search(r"content/bulletins/pipe\.txt(:\d+)*: warning: not a regular file", shown)
        assert re.search(r"content/articles/2024/linked\.md(:\d+)*: \w+: not a regular file", shown)
    assert (site / "output/index.html").is_file()


def test_a_bulletin_whose_name_is_not_utf8_is_reported_and_the_rest_builds(tmp_path):
    site = make_site(tmp_path)
    folder = site / "content/bulletins"
    folder.mkdir(parents=True)
    (folder / "ok.txt").write_text("版面\n正文。\n", encoding="utf-8")
    with open(os.path.join(os.fsencode(folder), b"bad\xff.txt"), "wb") as fh:
        fh.write("正文。\n".encode())
    done = run_cli(site, "build")
    assert done.returncode == 0, done.stderr
    assert "bulletins/bad\\xff.txt: warning: file name is not valid UTF-8" in done.stderr
    assert (site / "output/bulletins/ok/index.html").is_file()


@pytest.mark.parametrize("front", [
    "year: !!int abc", "year: !!int " + "9" * 5000, "date: !!timestamp soon",
])
def test_an_explicit_tag_costs_one_message_and_the_rest_builds(site_dir, front):
    bad = site_dir / "content/articles/2024/tagged.md"
    bad.write_text(f"---\ntitle: 标签\nregion: 江苏/无锡\n{front}\n---\n正文\n", encoding="utf-8")
    report = build_site(load_config(site_dir / "config.yaml"), quiet=True)
    assert report.ok
    mine = [d for d in report.diagnostics if d.path.endswith("tagged.md")]
    assert len(mine) == 1 and mine[0].line == 4 and "is not a valid" in mine[0].message
    assert report.articles >= 5


def test_a_duplicate_key_is_published_with_a_warning_at_its_line(site_dir):
    path = site_dir / "content/articles/2024/dup.md"
    path.write_text("---\ntitle: 甲\ndate: 2024-01-05\nregion: 江苏/无锡\ntitle: 乙\n---\n正文\n",
                    encoding="utf-8")
    config = load_config(site_dir / "config.yaml")
    for _ in range(2):  # the second build reads the article from the parse cache
        report = build_site(config, quiet=True)
        assert report.ok
        warned = [str(d) for d in report.diagnostics if d.path.endswith("dup.md")]
        assert warned == ["content/articles/2024/dup.md:5: warning: duplicate key 'title' "
                          "(first on line 2): this later value is the one used"]


def test_a_long_line_of_brackets_renders_as_its_text_in_linear_time():
    for unit in ("[", "[a](", "![", "<a ", "<http://"):
        line = unit * (1_000_000 // len(unit))
        html = render_markdown(f"第一段 [链接](https://example.org/)。\n\n{line}\n\n末段。")
        assert html_to_text(html).count(unit.strip()) == line.count(unit.strip())
        assert 'href="https://example.org/"' in html  # other paragraphs keep their markdown


def test_a_pathological_paragraph_bypasses_the_inline_patterns(monkeypatch):
    """Structural, not timed: such a paragraph reaches Python-Markdown as a raw HTML block,
    which its inline patterns (the quadratic part) never scan; a long paragraph of real
    links does not."""
    import markdown

    seen: list[str] = []
    convert = markdown.Markdown.convert
    monkeypatch.setattr(markdown.Markdown, "convert",
                        lambda self, text: seen.append(text) or convert(self, text))
    links, unclosed = "[链接](https://example.org/) " * 50_000, "[" * 2_000
    assert scan_cost(links) < MAX_SCAN < scan_cost(unclosed)
    html = render_markdown(f"{links}\n\n{unclosed}")
    blocks = seen[-1].split("\n\n")
    assert blocks == [links, f"<p>{unclosed}</p>"]
    assert html.count('href="https://example.org/"') == 50_000


def test_scan_cost_counts_what_the_patterns_would_scan():
    assert scan_cost("a [b] c") == 2 and scan_cost("[[x]]") == 4 + 2
    assert scan_cost("[ab") == 3 and scan_cost("<a> <b") == 2 + 2
    assert scan_cost("<" * 4 + ">") == 4 + 3 + 2 + 1


def test_a_huge_bracket_article_builds(site_dir):
    (site_dir / "content/articles/2024/brackets.md").write_text(
        ARTICLE.format(body="[" * 200_000), encoding="utf-8")
    done = run_cli(site_dir, "build")
    assert done.returncode == 0, done.stderr
    page = (site_dir / "output/articles/2024/brackets/index.html").read_text(encoding="utf-8")
    assert "[" * 200_000 in page


def test_a_draft_named_as_an_image_never_leaves_the_source_tree(site_dir):
    (site_dir / "content/articles/2024/leak.md").write_text(
        ARTICLE.format(body="![x](../2020/draft.md)\n\n![y](secret.yaml)"), encoding="utf-8")
    (site_dir / "content/articles/2024/secret.yaml").write_text("token: 1\n", encoding="utf-8")
    report = build_site(load_config(site_dir / "config.yaml"), quiet=True)
    assert report.ok
    published = [p.name for p in (site_dir / "output").rglob("*") if p.is_file()]
    assert "draft.md" not in published and "secret.yaml" not in published
    assert any(p.suffix == ".png" for p in (site_dir / "output/media").rglob("*"))  # images still go
    done = run_cli(site_dir, "check")
    assert "'../2020/draft.md' is not an image" in done.stdout + done.stderr
    assert "'secret.yaml' is not an image" in done.stdout + done.stderr


def test_check_never_prints_terminal_controls(site_dir):
    osc52 = "\x1b]52;c;ZXZpbA==\x07"
    (site_dir / "content/articles/2024/osc.md").write_text(
        ARTICLE.format(body=f"见[链接](nowhere{osc52}.md)。"), encoding="utf-8")
    for fmt in ("text", "github"):
        done = run_cli(site_dir, "check", "--format", fmt)
        shown = done.stdout + done.stderr
        assert "osc.md" in shown and "\\x1b]52" in shown
        assert "\x1b" not in shown and "\x07" not in shown


@contextlib.contextmanager
def refused(path: Path):
    """Opening ``path`` fails with EACCES in this process, as it would for an unprivileged
    user after ``chmod 000`` (root reads any file, and CI runs as root)."""
    real_open, read_bytes = builtins.open, Path.read_bytes

    def deny(name):
        if not isinstance(name, int) and os.fspath(name) == str(path):
            raise PermissionError(13, "Permission denied", str(name))

    def guarded_open(name, *args, **kwargs):
        deny(name)
        return real_open(name, *args, **kwargs)

    def guarded_read_bytes(self):
        deny(self)
        return read_bytes(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(builtins, "open", guarded_open)
        patch.setattr(Path, "read_bytes", guarded_read_bytes)
        yield


def test_a_permission_change_is_a_cache_miss(site_dir):
    """``chmod 000`` keeps the file's mtime: the parse cache must not answer for it."""
    from site_builder.content.cache import ArticleCache

    config = load_config(site_dir / "config.yaml")
    assert build_site(config, quiet=True).ok
    cache = ArticleCache(site_dir / ".site-builder/cache/articles.pickle", trusted_html=False)
    shown = "content/articles/2024/wuxi-songwennuan.md"
    path = site_dir / shown
    assert cache.get(shown, path) is not None
    os.chmod(path, 0)
    try:
        with refused(path):  # as an editor's account, not root, would be
            assert cache.get(shown, path) is None
    finally:
        os.chmod(path, 0o644)


def test_an_unreadable_article_is_an_error_not_published(site_dir):
    """As root every file is readable, so the refusal of the file system is simulated."""
    config = load_config(site_dir / "config.yaml")
    assert build_site(config, quiet=True).ok
    path = site_dir / "content/articles/2024/wuxi-songwennuan.md"
    os.chmod(path, 0)
    try:
        with refused(path):
            report = build_site(config, quiet=True, workers=1)
    finally:
        os.chmod(path, 0o644)
    assert [str(d) for d in report.diagnostics if d.path.endswith(path.name)] == [
        "content/articles/2024/wuxi-songwennuan.md: warning: cannot read: Permission denied (skipped)"]
    assert not (site_dir / "output/articles/2024/wuxi-songwennuan").exists()
