"""Command-line conventions: -h, the config found from any folder inside a project, NO_COLOR
honoured, --quiet and --verbose on the commands that print status."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE_BULLETINS

from site_builder.cli import cli

COMMANDS = ["build", "serve", "ingest", "search", "check", "new", "init"]
# SGR parameters that set a colour (foreground, background; 16, 256 or true colours)
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")


def invoke(args: list[str], cwd: Path | None = None):
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, args, obj={})
    finally:
        os.chdir(old)


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_dash_h_is_help(command):
    result = invoke([command, "-h"] if command else ["-h"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage:")
    assert "-h, --help" in result.output


def test_commands_find_the_config_from_a_subfolder(site_dir):
    deep = site_dir / "content" / "articles" / "2024"
    assert deep.is_dir() and not (deep / "config.yaml").exists()
    assert invoke(["check"], cwd=deep).exit_code == 0
    result = invoke(["build", "--quiet"], cwd=deep)
    assert result.exit_code == 0, result.output
    assert (site_dir / "output" / "index.html").is_file()
    assert not (deep / "output").exists()
    made = invoke(["new", "--title", "子目录里写的文章", "--region", "江苏/无锡", "--date",
                   "2024-03-01"], cwd=deep)
    assert made.exit_code == 0, made.output
    assert (deep / made.output.strip()).resolve().is_relative_to(site_dir / "content" / "articles")
    # the console script's own fast path for search, and click's
    for args in (["search", "送温暖", "--json"], ["search", "送温暖", "--limit", "x"]):
        run = subprocess.run([sys.executable, "-m", "site_builder", *args], cwd=deep,
                             capture_output=True, text=True, timeout=120)
        if args[-1] == "--json":
            assert run.returncode == 0, run.stderr
            assert run.stdout.lstrip().startswith("[")
        else:
            assert run.returncode == 2 and "'x' is not a valid integer" in run.stderr


def test_outside_a_project_a_command_says_how_to_start_one(tmp_path):
    result = invoke(["build"], cwd=tmp_path)
    assert result.exit_code == 2
    assert "no config.yaml in this folder or any folder above it" in result.output
    assert "site-builder init" in result.output
    run = subprocess.run([sys.executable, "-m", "site_builder", "search", "送温暖"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "no config.yaml" in run.stderr


def test_an_explicit_config_wins_over_discovery(site_dir, tmp_path):
    other = tmp_path / "elsewhere"
    other.mkdir()
    result = invoke(["--config", str(site_dir / "config.yaml"), "check"], cwd=other)
    assert result.exit_code == 0, result.output
    missing = invoke(["--config", "nope.yaml", "check"], cwd=site_dir)
    assert missing.exit_code == 2 and "nope.yaml: error: config file not found" in missing.output


def in_terminal(args: list[str], cwd: Path, **env: str) -> str:
    """Run ``args`` with a pseudo-terminal as stdin, stdout and stderr; what it printed."""
    environ = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    environ.update(TERM="xterm-256color", COLUMNS="120", **env)
    leader, follower = pty.openpty()
    proc = subprocess.Popen(args, cwd=cwd, env=environ, stdin=follower, stdout=follower,
                            stderr=follower, close_fds=True)
    os.close(follower)
    out = bytearray()
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 1.0)
            if ready:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # the terminal closed: the command ended
                    break
                if not chunk:
                    break
                out += chunk
            elif proc.poll() is not None:
                break
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
    return out.decode("utf-8", errors="replace")


def site_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "site_builder", *args]


def test_no_color_is_honoured_on_a_terminal(site_dir):
    """Search highlights and build errors are coloured on a terminal, and not with NO_COLOR."""
    bad = site_dir / "content" / "articles" / "2024" / "bad.md"
    bad.write_text("---\ntitle: 坏\ndate: 2024-01-01\nregion: 江苏/无西\n---\n", encoding="utf-8")
    coloured = in_terminal(site_command("build", "--strict"), site_dir)
    assert "江苏/无西" in coloured and COLOUR.search(coloured), coloured
    plain = in_terminal(site_command("build", "--strict"), site_dir, NO_COLOR="1")
    assert "江苏/无西" in plain and not COLOUR.search(plain), plain
    bad.unlink()
    assert invoke(["build", "--quiet"], cwd=site_dir).exit_code == 0
    coloured = in_terminal(site_command("search", "送温暖"), site_dir)
    assert "送温暖" in coloured and COLOUR.search(coloured), coloured
    plain = in_terminal(site_command("search", "送温暖"), site_dir, NO_COLOR="1")
    assert "送温暖" in plain and not COLOUR.search(plain), plain


@pytest.mark.parametrize("command", ["build", "check", "ingest", "init", "serve"])
def test_quiet_and_verbose_contradict(command):
    result = invoke([command, "-q", "-v", *(["."] if command == "ingest" else [])])
    assert result.exit_code == 2
    assert "--quiet and --verbose contradict each other" in result.output


def test_build_quiet_normal_verbose(site_dir):
    quiet = invoke(["build", "-q"], cwd=site_dir)
    assert quiet.exit_code == 0 and quiet.output.count("\n") == 1
    assert quiet.output.startswith("built ")
    verbose = invoke(["build", "-v"], cwd=site_dir)
    assert verbose.exit_code == 0
    assert "config: config.yaml" in verbose.output
    assert re.search(r"^  render +\d+\.\d{3} s$", verbose.output, re.M), verbose.output
    assert re.search(r"^pages: \d+ \(\d+ rendered", verbose.output, re.M)


def test_check_quiet_prints_only_problems(site_dir):
    assert invoke(["check", "--quiet"], cwd=site_dir).output == ""
    normal = invoke(["check"], cwd=site_dir).output
    assert "checked" in normal and "0 error(s)" in normal
    bad = site_dir / "content" / "articles" / "2024" / "bad.md"
    bad.write_text("---\ntitle: 坏\ndate: 2024-01-01\nregion: 江苏/无西\n---\n", encoding="utf-8")
    quiet = invoke(["check", "-q"], cwd=site_dir)
    assert quiet.exit_code == 1
    assert quiet.output.startswith("content/articles/2024/bad.md:4:") and "checked" not in quiet.output


def test_ingest_quiet_keeps_problems_only(site_dir, tmp_path):
    sample = sorted(SAMPLE_BULLETINS.glob("*.txt"))[0]
    normal = invoke(["ingest", "--dry-run", str(sample)], cwd=site_dir)
    assert normal.exit_code == 0 and "would write" in normal.output
    quiet = invoke(["ingest", "--dry-run", "--quiet", str(sample)], cwd=site_dir)
    assert quiet.exit_code == 0 and quiet.output == ""
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    failed = invoke(["ingest", "--dry-run", "--quiet", str(empty)], cwd=site_dir)
    assert failed.exit_code == 1 and "empty.txt" in failed.output


def test_init_verbose_says_where_the_theme_is(tmp_path):
    result = invoke(["init", "-v", "demo"], cwd=tmp_path)
    assert result.exit_code == 0
    assert "theme: " in result.output and "wrote demo/config.yaml" in result.output


def test_serve_finds_the_config_from_a_subfolder_of_a_new_project(tmp_path):
    """`init`, then the dev server started inside content/ with no --config: it serves the
    site built with the packaged theme and watches the config it found."""
    import signal
    import urllib.request

    from served import free_port

    assert invoke(["init", "-q", "demo"], cwd=tmp_path).exit_code == 0
    inside = tmp_path / "demo" / "content"
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(site_command("serve", "--port", str(port)), cwd=inside,
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline, page = time.monotonic() + 120, None
        while time.monotonic() < deadline and page is None:
            assert proc.poll() is None, log.read_text(encoding="utf-8")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    page = response.read().decode("utf-8")
            except OSError:
                time.sleep(0.2)
        assert page is not None, log.read_text(encoding="utf-8")
        assert "<title>工会新闻档案</title>" in page
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/style.css", timeout=5) as r:
            assert r.status == 200
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert "Serving output on" in log.read_text(encoding="utf-8")
