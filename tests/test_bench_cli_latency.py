"""bench/cli_latency.py's machinery: what it times is the real command, in its own project.

No timing is asserted (speed claims live in the bench's output only).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from sites import index_site, small_site

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

import cli_latency  # noqa: E402


def test_measure_runs_each_command_in_its_project_interleaved(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = small_site(tmp_path / "a"), small_site(tmp_path / "b")
    index_site(first)
    index_site(second)
    command = [sys.executable, "-m", "site_builder"]
    samples = cli_latency.measure({"one": command, "two": command},
                                  {"one": first, "two": second}, ["快递小哥", "温暖"], 2)
    assert sorted(samples) == ["one", "two"]
    for values in samples.values():
        assert len(values) == 4
        assert all(wall > 0 and cpu > 0 for wall, cpu in values)
    # each command runs in its own project: one whose index is gone fails its own runs only
    shutil.rmtree(second / ".site-builder")
    assert len(cli_latency.measure({"one": command}, {"one": first}, ["温暖"], 1)["one"]) == 1
    with pytest.raises(cli_latency.subprocess.CalledProcessError):
        cli_latency.measure({"two": command}, {"two": second}, ["温暖"], 1)


def test_a_failing_command_is_an_error_not_a_fast_sample(tmp_path):
    root = small_site(tmp_path)  # never built: no index, the command exits 2
    try:
        cli_latency.timed([sys.executable, "-m", "site_builder", "--config",
                           str(root / "config.yaml"), "search", "x"], root)
    except cli_latency.subprocess.CalledProcessError as exc:
        assert exc.returncode == 2
    else:
        raise AssertionError("a failed query was timed as a sample")
