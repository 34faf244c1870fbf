"""The build from the outside: real ``site-builder`` processes, killed or run side by side.

A killed build must leave the previous site whole, two builds at once must not corrupt the
output, and the editor's path (``new`` → ``check`` → ``build --strict``) must work end to end.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner
from conftest import REPO, make_site

from site_builder.build import build_site
from site_builder.cli import cli
from site_builder.config import load_config

REGIONS = ["江苏/无锡/江阴", "江苏/无锡", "浙江/宁波/海曙", "广东/深圳", "四川/成都", "全国",
           "山西/太原", "江苏/南京/鼓楼", "湖北/武汉", "浙江/杭州/西湖"]
TAGS = ["送温暖", "两节", "留岗过年", "困难职工", "农民工", "快递小哥", "年货"]
PARAGRAPH = ("市总工会深入基层一线，走访慰问困难职工和坚守岗位的户外劳动者，送上米面油等年货和慰问金，"
             "把党和政府的温暖送到职工心坎上。")


def generate_articles(site: Path, count: int) -> None:
    """Enough varied articles that a build takes a couple of seconds on a small machine."""
    for i in range(count):
        year = 2019 + i % 7
        path = site / f"content/articles/gen/{year}/a{i:05d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        tags = ", ".join((TAGS[i % 7], TAGS[(i * 3 + 1) % 7]))
        path.write_text(
            f"---\ntitle: 第{i}号送温暖报道\ndate: {year}-{1 + i % 9:02d}-{10 + i % 9}\n"
            f"region: {REGIONS[i % len(REGIONS)]}\ntags: [{tags}]\n---\n\n"
            + "\n\n".join([PARAGRAPH] * 6) + "\n", encoding="utf-8")


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def start_build(site: Path, *args: str) -> subprocess.Popen:
    # One hash seed for every build process, so outputs compare byte for byte; whether the
    # output depends on the seed is a separate test below.
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": "0"}
    return subprocess.Popen(
        [sys.executable, "-m", "site_builder", "--config", str(site / "config.yaml"), "build",
         "--quiet", *args],
        cwd=site, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_until_writing(site: Path, proc: subprocess.Popen, timeout: float = 60) -> None:
    """Return once the build writes pages into its working folder beside output/ (a sibling
    whose name starts with '.output'): it is then past loading and mid-way through rendering."""
    started = time.time()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"build ended before it could be observed: {proc.stderr.read()}"
        for sibling in site.iterdir():
            if sibling.name.startswith(".output") and sibling.is_dir() and _written_since(
                    sibling, started):
                return
        time.sleep(0.01)
    raise AssertionError("the build never started writing pages")


def _written_since(folder: Path, since: float) -> bool:
    for dirpath, _, files in os.walk(folder):
        for name in files:
            try:
                if name.endswith(".html") and os.stat(os.path.join(dirpath, name)).st_mtime >= since:
                    return True
            except FileNotFoundError:
                continue
    return False


def test_a_build_killed_part_way_leaves_the_previous_site_whole(tmp_path):
    site = make_site(tmp_path, content=None)
    generate_articles(site, 250)
    assert build_site(load_config(site / "config.yaml"), quiet=True).ok
    before = tree_digest(site / "output")
    assert len(before) > 250

    # A new site title: every page must be rendered again, so the build is long enough to kill.
    config = site / "config.yaml"
    config.write_text(re.sub(r"(?m)^title: .*$", "title: 改名的档案", config.read_text(
        encoding="utf-8")), encoding="utf-8")
    proc = start_build(site)
    wait_until_writing(site, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL

    assert tree_digest(site / "output") == before

    # The next build recovers from the dead one's leftovers and publishes the change.
    rebuilt = start_build(site)
    _, err = rebuilt.communicate(timeout=120)
    assert rebuilt.returncode == 0, err
    page = site / "output/articles/gen/2019/a00000/index.html"
    assert "改名的档案" in page.read_text(encoding="utf-8")
    assert set(tree_digest(site / "output")) == set(before)


def test_a_rebuild_never_writes_into_the_previous_sites_files(tmp_path):
    """Rebuilds start from hard links to the last output; every stage must replace files, not
    rewrite them, or a build killed after that write would have changed the live site. A
    witness folder of extra hard links shows any write into a shared file, wherever it happens.
    """
    site = make_site(tmp_path, content=None)
    generate_articles(site, 60)
    config = load_config(site / "config.yaml")
    assert build_site(config, quiet=True).ok
    before = tree_digest(site / "output")
    witness = tmp_path / "witness"
    for rel in before:
        (witness / rel).parent.mkdir(parents=True, exist_ok=True)
        os.link(site / "output" / rel, witness / rel)

    retitled = site / "content/articles/gen/2019/a00000.md"
    retitled.write_text(retitled.read_text(encoding="utf-8").replace("第0号", "改过的"),
                        encoding="utf-8")
    (site / "content/articles/gen/2020/a00001.md").unlink()
    with (site / "templates/static/style.css").open("a", encoding="utf-8") as f:
        f.write("\n/* changed */\n")
    assert build_site(config, quiet=True).ok
    assert tree_digest(site / "output") != before
    assert tree_digest(witness) == before


def test_two_builds_at_once_take_turns_and_leave_a_whole_site(tmp_path):
    site = make_site(tmp_path, content=None)
    generate_articles(site, 150)
    builds = [start_build(site), start_build(site)]
    errs = [b.communicate(timeout=120)[1] for b in builds]
    assert [b.returncode for b in builds] == [0, 0], errs
    # Whichever took the lock first built; the other said so and waited its turn.
    assert sum("another build is running" in e for e in errs) == 1, errs

    reference = start_build(site, "--output", str(tmp_path / "reference"))
    assert reference.wait(timeout=120) == 0
    assert tree_digest(site / "output") == tree_digest(tmp_path / "reference")
    # Nothing half-done is left beside the site (a kept spare copy for the next build is fine).
    leftovers = [p.name for p in site.iterdir() if p.name.startswith(".output")]
    assert not [name for name in leftovers if "tmp" in name or name.endswith(".old")], leftovers


def test_the_output_does_not_depend_on_the_process(tmp_path):
    """Two processes with different hash seeds (as two CI runs have) write identical sites."""
    site = make_site(tmp_path, content=None)
    generate_articles(site, 40)
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out-{seed}"
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "site_builder", "--config", str(site / "config.yaml"),
                        "build", "--quiet", "--output", str(out)], cwd=site, env=env, check=True,
                       capture_output=True, timeout=120)
        outputs.append(tree_digest(out))
    differing = sorted(k for k in outputs[0].keys() | outputs[1].keys()
                       if outputs[0].get(k) != outputs[1].get(k))
    assert differing == []


def test_new_then_check_then_strict_build(tmp_path):
    site = make_site(tmp_path, content=None)
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(cli, ["--config", str(site / "config.yaml"), *args], obj={})

    created = run("new", "--title", "锡山区总工会为快递小哥送年货", "--region", "江苏/无锡/锡山",
                  "--date", "2025-01-20", "--tags", "送温暖,快递小哥")
    assert created.exit_code == 0, created.output
    path = Path(created.stdout.strip())
    path = path if path.is_absolute() else Path.cwd() / path
    with path.open("a", encoding="utf-8") as f:
        f.write("锡山区总工会走进快递网点，为坚守岗位的快递小哥送上年货。\n")

    checked = run("check", "--format", "github")
    assert checked.exit_code == 0, checked.output
    assert checked.stdout == ""

    built = run("build", "--strict", "--quiet")
    assert built.exit_code == 0, built.output
    page = (site / "output/articles/2025/jiangsu-wuxi-xishan"
            / "xi-shan-qu-zong-gong-hui-wei-kuai-di-xiao-ge-song-nian-huo/index.html")
    html = page.read_text(encoding="utf-8")
    assert "锡山区总工会为快递小哥送年货" in html and "坚守岗位的快递小哥" in html
    region_page = (site / "output/regions/jiangsu/wuxi/xishan/index.html").read_text(encoding="utf-8")
    assert "锡山区总工会为快递小哥送年货" in region_page

    # An error found by check fails the strict build too, and the published site stays.
    (path.parent / "broken.md").write_text("---\ntitle: 坏\nregion: [江苏\n---\n", encoding="utf-8")
    assert run("check").exit_code == 1
    assert run("build", "--strict", "--quiet").exit_code == 1
    assert page.read_text(encoding="utf-8") == html
