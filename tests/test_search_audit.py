"""What a search audit found, each checked as a user meets it: the CLI's command line and
output, the filters' messages, what is indexed, the ranking of non-dictionary terms, and the
snippets (the browser's side of these: test_search_browser.py)."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sites import brute_force, index_site, write_site

from site_builder.cli import cli
from site_builder.search import SearchIndex

REPO = Path(__file__).resolve().parent.parent
FILLER = "各地工会走访慰问一线职工，送去年货和慰问金。"


def article(folder: Path, slug: str, body: str, *, title: str = "工会新闻", date: str = "2024-02-01",
            region: str = "江苏/无锡", extra: str = "") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{slug}.md").write_text(
        f"---\ntitle: {title}\ndate: {date}\nregion: {region}\n{extra}---\n\n{body}\n",
        encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("audit") / "site"
    root.mkdir()
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    folder = root / "content" / "articles" / "2024"
    article(folder, "plain", FILLER * 3 + "春节前，工会为疫情期间坚守岗位的职工送温暖。")
    article(folder, "no-epidemic", FILLER * 2 + "工会把送温暖活动办到了工地上。")
    article(folder, "escape", "工会送温暖。\x1b]52;c;aGFja2Vk\x07终端标题\x1b[31m红字",
            title='"控制字符\\e[2J测试"')  # (YAML's escape for ESC: no raw control in YAML)
    article(folder, "title-only", FILLER * 4, title="龘龘标题专有词")
    article(folder, "tag-only", FILLER * 4, extra="tags: [靐靐标签词]\n")
    long_first = "这是一段很长的第一段，" * 20  # the derived summary is cut, with "…"
    article(folder, "long-summary", long_first + "\n\n第二段说送温暖。")
    article(folder, "far-apart",
            "外卖骑手在暖心驿站休息。" + FILLER * 10 + "年底，工会为快递小哥发放了年货礼包。",
            title="两个词相隔很远")
    index_site(root)
    return root


def search(root: Path, *args: str, env: dict | None = None):
    return CliRunner().invoke(cli, ["--config", str(root / "config.yaml"), "search", *args],
                              env=env, catch_exceptions=False)


def urls(result) -> list[str]:
    """The hits' URLs of a --json search (a CliRunner result or a finished process)."""
    output = result.output if hasattr(result, "output") else result.stdout
    return [hit["url"] for hit in json.loads(output)]


# --- the command line ----------------------------------------------------------------------

def test_an_excluded_word_is_part_of_the_query_not_an_option(site):
    out = search(site, "送温暖", "-疫情", "--json")
    assert out.exit_code == 0, out.output
    found = urls(out)
    assert "articles/2024/no-epidemic/" in found and "articles/2024/plain/" not in found


def test_limit_zero_prints_the_count_not_no_results(site):
    out = search(site, "工会", "--limit", "0")
    assert out.exit_code == 0
    assert "no results" not in out.output
    assert out.output.startswith("7 results (none shown: --limit 0)")


@pytest.mark.parametrize(("query", "says"), [
    ("region:火星", "region:火星: no place of that name; places here include 江苏"),
    ("工会 year:abc", "year:abc: not a year (try year:2024 or year:2020..2022)"),
    ("工会 year:1999", "year:1999: no article of that year; years here: 2024–2024"),
    ("kind:blog", "kind:blog: no article is of that kind; kinds here: news"),
    ("date:2024-13", "date:2024-13: not a date"),
])
def test_a_filter_that_cannot_apply_says_why_and_suggests(site, query, says):
    out = search(site, query)
    assert out.exit_code == 2
    assert says in out.output


def test_a_real_place_without_articles_is_no_results_not_an_error(site):
    out = search(site, "工会", "--region", "浙江", "--json")
    assert out.exit_code == 0 and json.loads(out.output) == []


def test_bidirectional_marks_in_a_query_are_ignored(site):
    plain = urls(search(site, "送温暖", "--json"))
    assert plain
    assert urls(search(site, "\u200e送温暖\u202e", "--json")) == plain
    assert urls(search(site, "送\u200f温\u2066暖", "--json")) == plain
    assert urls(search(site, "\u202e-疫情", "送温暖", "--json")) == urls(
        search(site, "送温暖", "-疫情", "--json"))


def test_escape_codes_in_articles_are_printed_escaped(site):
    out = search(site, "控制字符")  # (the content stage drops controls from a title)
    assert "\x1b" not in out.output and "【控制字符】[2J测试" in out.output
    out = search(site, "终端标题")
    assert "\x1b" not in out.output and "\x07" not in out.output
    assert "aGFja2Vk\\x07【终端标题】\\x1b[31m红字" in out.output


def _on_a_terminal(root: Path, env: dict[str, str]) -> bytes:
    """``site-builder search 送温暖`` with its output on a pseudo-terminal."""
    main, child = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "site_builder", "--config", str(root / "config.yaml"),
         "search", "送温暖"], stdout=child, stderr=child, env={**os.environ, **env})
    os.close(child)
    output = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=60)
    os.close(main)
    return output


def test_highlights_are_coloured_on_a_terminal_unless_no_color_is_set(site):
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    coloured = _on_a_terminal(site, env)
    assert b"\x1b[" in coloured
    plain = _on_a_terminal(site, {"NO_COLOR": "1"})
    assert b"\x1b[" not in plain and "【送温暖】".encode() in plain


def test_a_search_process_loads_whoosh_but_not_what_no_query_needs(site):
    """The project is found from its config file, which search does not read (the index is
    what the last build wrote), and Whoosh is loaded without the network stack its
    whoosh.compat imports for nothing (command.py): docs/performance.md has the costs."""
    code = ("import sys\nfrom site_builder.cli import main\ntry:\n    main()\n"
            "except SystemExit as done:\n    assert not done.code, done.code\n"
            "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
            "import urllib.request\nassert urllib.request.Request  # the real module, later")
    run = subprocess.run([sys.executable, "-c", code, "--config", str(site / "config.yaml"),
                          "search", "--json", "送温暖"], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert urls(run) == urls(search(site, "送温暖", "--json"))
    loaded = set(run.stderr.split())
    assert {"whoosh.compat", "whoosh.searching", "site_builder.search.exact"} <= loaded
    assert not loaded & {"yaml", "urllib.request", "http.client", "email", "ssl"}


def test_search_without_its_config_file_says_so(site, tmp_path):
    out = search(tmp_path / "elsewhere", "送温暖")
    assert out.exit_code == 2
    assert "config file not found" in out.output


# --- what is indexed -----------------------------------------------------------------------

def test_the_ellipsis_of_a_derived_summary_is_not_indexed(site):
    index = SearchIndex(site)
    try:
        assert index.search("…", limit=None).total == 0
        assert [h.url for h in index.search("第二段", limit=None).hits] == [
            "articles/2024/long-summary/"]
    finally:
        index.close()


# --- ranking -------------------------------------------------------------------------------

def test_non_dictionary_terms_rank_by_their_own_occurrences_and_field(tmp_path):
    """困难职工家庭 is no word of the segmenter: its hits used to share one score (ordered by
    date alone). Now a title hit ranks first and more occurrences rank higher."""
    root = tmp_path / "site"
    root.mkdir()
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    folder = root / "content" / "articles" / "2024"
    article(folder, "once", FILLER * 4 + "看望困难职工家庭。", date="2024-03-01")
    article(folder, "thrice", FILLER * 4 + "困难职工家庭、困难职工家庭和困难职工家庭。",
            date="2024-01-01")
    article(folder, "titled", FILLER * 4, title="走访困难职工家庭", date="2023-01-01")
    index_site(root)
    index = SearchIndex(root)
    try:
        hits = index.search("困难职工家庭", limit=None).hits
        assert [h.url for h in hits] == ["articles/2024/titled/", "articles/2024/thrice/",
                                         "articles/2024/once/"]
        assert len({h.score for h in hits}) == 3
    finally:
        index.close()


def test_non_dictionary_terms_of_a_generated_archive_get_distinct_scores(tmp_path):
    root = write_site(tmp_path, 80, seed=21)
    _, articles, _ = index_site(root)
    index = SearchIndex(root)
    try:
        for term in ("各级工会", "活动，快递"):
            hits = index.search(f'"{term}"', limit=None).hits
            assert {h.url for h in hits} == brute_force(articles, term)
            if len(hits) > 3:
                assert len({h.score for h in hits}) > 1, term
    finally:
        index.close()


# --- snippets ------------------------------------------------------------------------------

def test_a_snippet_shows_every_term_the_article_has(site):
    index = SearchIndex(site)
    try:
        (hit,) = index.search("外卖骑手 快递小哥").hits
        assert "外卖骑手" in hit.snippet and "快递小哥" in hit.snippet
        marked = {hit.snippet[a:b] for a, b in hit.highlights}
        assert marked == {"外卖骑手", "快递小哥"}
        for fragment in hit.snippet.split(" … "):  # each starts where a sentence starts
            start = fragment.removesuffix("…")
            assert start.startswith(("外卖骑手", "年底")), fragment
    finally:
        index.close()


def test_a_title_or_tag_only_hit_says_so(site):
    index = SearchIndex(site)
    try:
        (title_hit,) = index.search("龘龘标题专有词").hits
        (tag_hit,) = index.search("靐靐标签词").hits
        (body_hit,) = index.search("工地").hits
    finally:
        index.close()
    assert (title_hit.only, tag_hit.only, body_hit.only) == ("title", "tags", "")
    assert title_hit.title_highlights and not title_hit.highlights
    assert title_hit.snippet.startswith(FILLER[:10])  # the article's start, not a window
    out = search(site, "靐靐标签词")
    assert "(the words are only in the tags or other fields)" in out.output
