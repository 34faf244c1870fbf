"""``site-builder search`` as a reader meets it: one short process per query.

The command answers before importing click, parses only what a query needs and reads hits
from the docstore the build wrote instead of Whoosh. These tests check that it stays that way
(what a query process imports), that it parses its command line exactly as the click command
does, that it prints what the click command prints, and that its config stamp follows the
config (the docstore's own tests: test_search_docstore.py).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from click.utils import _detect_program_name
from hypothesis import given, settings
from hypothesis import strategies as st
from test_search import index_site, small_site, write_site

from site_builder import launch
from site_builder.cli import cli
from site_builder.config import load_config
from site_builder.search import grams, reader
from site_builder.search.analysis import normalize, normalize_with_offsets
from site_builder.search.command import json_text
from site_builder.search.indexer import browser_dir
from site_builder.search.query import tokens

HEAVY = ("click", "yaml", "whoosh", "jinja2", "markdown", "opencc", "rjieba", "jieba", "numpy",
         "rich", "nh3", "pypinyin", "dataclasses", "typing", "site_builder.config",
         "site_builder.search.grams")


def run_cli(root: Path, *args: str, importtime: bool = False) -> subprocess.CompletedProcess:
    command = [sys.executable, *(["-X", "importtime"] if importtime else []), "-m",
               "site_builder", "--config", str(root / "config.yaml"), "search", *args]
    return subprocess.run(command, capture_output=True, text=True, encoding="utf-8",
                          cwd=root, env={**os.environ, "PYTHONIOENCODING": "utf-8"},
                          timeout=120)


def imported(stderr: str) -> set[str]:
    """Module names from ``python -X importtime`` output."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = small_site(tmp_path_factory.mktemp("cli"))
    index_site(root)
    return root


def test_a_query_process_imports_no_heavy_module(site):
    first = run_cli(site, "--json", "快递小哥")  # the first after the build (its config stamp)
    assert first.returncode == 0, first.stderr
    again = run_cli(site, "--json", "快递小哥", importtime=True)
    assert again.returncode == 0
    assert again.stdout == first.stdout
    modules = imported(again.stderr)
    assert "site_builder.search.engine" in modules  # the output is really there
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY or m in HEAVY)
    assert heavy == [], f"site-builder search imported {heavy}"


# What an installed copy's query process may import beyond a bare interpreter's modules: run
# without site (the editable install's finder imports pathlib and re at every start).
INSTALLED_LIGHT = ("json", "re", "enum", "pathlib", "typing", "dataclasses", "inspect",
                   "threading", "site_builder.search.analysis", "site_builder.search.indexer")


def test_an_installed_query_process_imports_neither_json_nor_re_nor_pathlib(site):
    assert run_cli(site, "--json", "快递小哥").returncode == 0  # the config stamp exists
    repo = Path(__file__).resolve().parents[1]
    code = ("import sys; from site_builder.launch import main; "
            "sys.argv[0] = 'site-builder'; sys.exit(main())")
    done = subprocess.run(
        [sys.executable, "-S", "-X", "importtime", "-c", code, "--config",
         str(site / "config.yaml"), "search", "--json", "快递小哥"],
        capture_output=True, text=True, encoding="utf-8", cwd=site, timeout=120,
        env={**os.environ, "PYTHONPATH": str(repo), "PYTHONIOENCODING": "utf-8"})
    assert done.returncode == 0, done.stderr
    assert done.stdout == run_cli(site, "--json", "快递小哥").stdout
    modules = imported(done.stderr)
    assert "site_builder.search.engine" in modules
    light = sorted(m for m in modules if m.split(".")[0] in HEAVY or m in HEAVY
                   or m in INSTALLED_LIGHT)
    assert light == [], f"an installed site-builder search imports {light}"


def test_the_fast_command_prints_what_the_click_command_prints(site, capsys, monkeypatch):
    runner = CliRunner()
    config = str(site / "config.yaml")
    cases = [
        ["search", "温暖"], ["search", "--json", "快递小哥", "--limit", "2"],
        ["search", "--limit=1", "--", "-快递", "小哥"], ["search", "工会", "--region", "浙江"],
        ["search", "--year", "2024", "--kind", "news", "慰问", "--json"],
        ["search", "没有这个词"], ["search", "--", "-x"], ["search", "a<b", "--json"],
        ["search"], ["search", "--year", "abc", "x"], ["search", "--bogus", "x"],
        ["search", "--json=1", "x"], ["search", "--help"], ["search", "--limit"],
    ]
    for args in cases:
        argv = ["--config", config, *args]
        monkeypatch.setattr(sys, "argv", ["site-builder", *argv])
        prog = _detect_program_name()  # what click calls the program in this process
        expected = runner.invoke(cli, argv, prog_name=prog)
        with pytest.raises(SystemExit) as stop:
            launch.main()
        out, err = capsys.readouterr()
        code = stop.value.code if isinstance(stop.value.code, int) else 1
        assert (code, out, err) == (expected.exit_code, expected.stdout, expected.stderr), args


TOKENS = ["search", "温暖", "快递小哥", "--json", "--limit", "2", "--limit=3", "-1", "--region",
          "浙江", "--region=江苏/无锡", "--year", "2024", "--year=abc", "--kind", "news", "--",
          "-", "-x", "--help", "--json=1", "--config", "--config=other.yaml", "--bogus", ""]


def click_request(argv: list[str]) -> dict | None:
    """What the click group parses from argv (None: it would print an error or help)."""
    try:
        ctx = cli.make_context("site-builder", list(argv), resilient_parsing=False)
        name, command, rest = cli.resolve_command(ctx, ctx._protected_args + ctx.args)
        if name != "search":
            return None
        sub = command.make_context(name, rest, parent=ctx)
    except Exception:  # click's usage errors, --help (Exit), a missing command
        return None
    config = ctx.params["config_path"]  # None: found by walking up (both paths do)
    return {"config": None if config is None else str(config), **sub.params,
            "query": list(sub.params["query"])}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=8))
def test_the_fast_parser_agrees_with_click(tokens):
    for argv in (tokens, ["search", *tokens], ["--config", "c.yaml", "search", *tokens]):
        request = launch.parse_search(argv)
        if request is not None:  # whatever the fast path takes, click reads the same way
            assert click_request(argv) == request, argv


def test_a_config_broken_after_a_good_query_is_still_reported(site, tmp_path):
    root = small_site(tmp_path)
    index_site(root)
    assert run_cli(root, "温暖").returncode == 0  # remembers the config as good
    config = root / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\nbogus_key: 1\n",
                      encoding="utf-8")
    broken = run_cli(root, "温暖")
    assert broken.returncode == 2
    assert "unknown key 'bogus_key'" in broken.stderr and "config.yaml" in broken.stderr


def test_reader_decodes_every_record_as_grams_does(tmp_path):
    root = write_site(tmp_path, 40, seed=3)
    config, _, _ = index_site(root)
    folder = browser_dir(config)
    kinds_seen = set()
    for shard in sorted(folder.glob("[gptw]/*.bin")):
        data = shard.read_bytes()
        for (term, kind), payload in grams.parse_shard(data).items():
            kinds_seen.add(kind)
            assert reader.find_record(data, kind, term) == payload
            assert reader.decode(kind, payload) == grams.decode(kind, payload), (term, kind)
    assert kinds_seen == set(grams.FAMILY_OF)
    assert reader.LENGTHS == grams.LENGTHS and reader.FAMILY_OF == grams.FAMILY_OF


def test_query_folding_from_the_exported_tables_equals_the_analyzer(tmp_path):
    root = small_site(tmp_path)
    config, _, _ = index_site(root)
    folder = browser_dir(config)
    manifest = json.loads((folder / "manifest.json").read_bytes())
    folding = reader.Folding(folder, manifest["fold_pages"])
    for text in ["送 溫\n暖", "後來乾淨", "１２３５１ iPhone", "臺灣職工\u200b Ａ溫暖", "ÉΣ İ ǅ",
                 "\u3000全形　空格\ufeff", ""]:
        assert folding.normalize(text) == normalize(text)
        assert folding.normalize_with_offsets(text) == normalize_with_offsets(text)


def test_the_query_tokenizer_finds_what_the_pattern_finds():
    pattern = re.compile(r'"([^"]*)"?|(\S+)')

    @settings(max_examples=500, deadline=None)
    @given(st.text(alphabet=st.sampled_from(['"', "a", "送", "-", ":", " ", "\u3000", "\t",
                                             "\n", "\x1c", "\u200b", "\x85"]), max_size=16)
           | st.text(max_size=16))
    def check(text):
        assert list(tokens(text)) == [(m.group(1), m.group(2)) for m in pattern.finditer(text)]

    check()


def test_the_white_space_table_is_pythons():
    assert set(reader.WHITE_SPACE) == {chr(i) for i in range(0x110000) if chr(i).isspace()}


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_the_json_output_is_what_json_dumps_writes(value):
    assert json_text(value) == json.dumps(value, ensure_ascii=False, indent=2)


def test_an_index_of_another_format_version_asks_for_a_build(tmp_path):
    """After an upgrade that changed the export format, a query before the next build says
    what to do instead of failing on a file the old index does not have."""
    root = small_site(tmp_path)
    index_site(root)
    manifest = browser_dir(load_config(root / "config.yaml")) / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    assert data["version"] == reader.FORMAT_VERSION
    manifest.write_text(json.dumps({**data, "version": reader.FORMAT_VERSION - 1}),
                        encoding="utf-8")
    old = run_cli(root, "温暖")
    assert old.returncode == 2, old.stderr
    assert "another version of site-builder: run site-builder build" in old.stderr
    assert "Traceback" not in old.stderr
