"""The GitHub Actions workflows: valid for GitHub, doing what docs/publishing.md says, and
running ``site-builder`` commands that really work on a site."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO

from site_builder.cli import cli

WORKFLOWS = REPO / ".github" / "workflows"
PUBLISH = WORKFLOWS / "publish.yml"
PULL_REQUEST = WORKFLOWS / "pull-request.yml"
EXPRESSION = re.compile(r"\$\{\{[^}]*\}\}")


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the bare key `on` as true
    return data


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def uses(workflow: dict) -> list[str]:
    return [s["uses"].split("@")[0] for s in steps(workflow) if "uses" in s]


def commands(workflow: dict) -> list[str]:
    return [line.strip() for s in steps(workflow) if "run" in s
            for line in s["run"].splitlines() if line.strip()]


def schema_check(*paths: Path) -> subprocess.CompletedProcess:
    """check-jsonschema with its vendored copy of the workflow schema: no network needed."""
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema",
         "vendor.github-workflows", *map(str, paths)],
        capture_output=True, text=True, timeout=120)


def test_workflows_are_valid_for_github():
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert {f.name for f in files} >= {"publish.yml", "pull-request.yml"}
    result = schema_check(*files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_does_reject_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    text = PUBLISH.read_text(encoding="utf-8").replace("runs-on:", "runs_on:", 1)
    broken.write_text(text, encoding="utf-8")
    result = schema_check(broken)
    assert result.returncode != 0
    assert "runs_on" in result.stdout


def test_publish_checks_builds_strictly_and_deploys_to_pages_from_main():
    wf = load(PUBLISH)
    assert wf["on"]["push"]["branches"] == ["main"]
    assert wf["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert uses(wf) == ["actions/checkout", "actions/setup-python", "actions/configure-pages",
                        "actions/upload-pages-artifact", "actions/deploy-pages"]
    run = commands(wf)
    assert run.index("site-builder check --format github") < next(
        i for i, c in enumerate(run) if c.startswith("site-builder build --strict"))
    build, deploy = wf["jobs"]["build"], wf["jobs"]["deploy"]
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith(
        "actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "output"
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    python = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/setup-python"))
    assert python["with"]["python-version"] == "3.11"


def test_pull_requests_check_build_and_upload_the_site():
    wf = load(PULL_REQUEST)
    assert "pull_request" in wf["on"]
    assert wf["permissions"] == {"contents": "read"}
    site = wf["jobs"]["site"]
    run = [line for s in site["steps"] if "run" in s for line in s["run"].splitlines()]
    assert "site-builder check --format github" in run
    assert "site-builder build --strict --quiet" in run
    upload = next(s for s in site["steps"] if s.get("uses", "").startswith(
        "actions/upload-artifact"))
    assert upload["with"]["path"] == "output"
    assert upload["with"]["if-no-files-found"] == "error"
    assert "python -m pytest -q -p no:cacheprovider" in commands(wf)


def test_every_action_is_pinned_to_a_major_version():
    for path in WORKFLOWS.glob("*.yml"):
        for step in steps(load(path)):
            if "uses" in step:
                assert re.fullmatch(r"actions/[a-z-]+@v\d+", step["uses"]), (path.name, step)


@pytest.mark.parametrize("path", [PUBLISH, PULL_REQUEST], ids=lambda p: p.name)
def test_the_site_builder_commands_in_a_workflow_succeed_on_a_site(path, site_dir):
    run = [c for c in commands(load(path)) if c.startswith("site-builder ")]
    assert run, "the workflow runs no site-builder command"
    runner = CliRunner()
    for command in run:
        # Expressions stand for what GitHub fills in, e.g. the Pages base URL.
        args = shlex.split(EXPRESSION.sub("https://example.org/archive", command))[1:]
        result = runner.invoke(cli, ["--config", str(site_dir / "config.yaml"), *args], obj={})
        assert result.exit_code == 0, (command, result.output)
    assert (site_dir / "output" / "index.html").is_file()  # the folder the workflow uploads


def test_a_content_error_stops_the_publish_workflow_before_deploying(site_dir):
    """`check --format github` exits 1 and annotates the file, so later steps never run."""
    bad = site_dir / "content/articles/2024/bad.md"
    bad.write_text("---\ntitle: 坏\ndate: 2024-01-01\nregion: 江苏/无西\n---\n", encoding="utf-8")
    check = next(c for c in commands(load(PUBLISH)) if c.startswith("site-builder check"))
    result = CliRunner().invoke(
        cli, ["--config", str(site_dir / "config.yaml"), *shlex.split(check)[1:]], obj={})
    assert result.exit_code == 1
    assert result.stdout.startswith("::error file=content/articles/2024/bad.md,line=4,col=1::")
