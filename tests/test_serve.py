"""``site-builder serve`` as a real process: rebuilds, reloads, errors in the page, safe serving."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from conftest import REPO
from served import Served

from site_builder.config import load_config
from site_builder.errors import Diagnostic
from site_builder.serve import (
    PANEL_ID,
    BuildState,
    ChangeKind,
    changed_paths,
    classify,
    decorate,
    snapshot,
)

ARTICLE = Path("content/articles/2024/wuxi-songwennuan.md")
ARTICLE_URL = "articles/2024/wuxi-songwennuan/"
OLD_TITLE = "无锡市总工会冬日暖“新”服务活动"
RELOAD_DEADLINE = 2.0  # seconds from saving a file to the browser showing it (the bar)


@pytest.fixture
def serve(site_dir: Path) -> Iterator:
    started: list[Served] = []

    def start(*args: str, site: Path = site_dir) -> Served:
        served = Served(site, *args)
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_an_edited_article_is_served_changed_within_two_seconds(serve, site_dir):
    served = serve()
    status, page = served.get(ARTICLE_URL)
    assert status == 200 and OLD_TITLE in page
    assert '<script src="/livereload.js"></script>' in page

    edit(site_dir / ARTICLE, OLD_TITLE, "无锡市总工会暖心服务（已修改）")
    took = served.wait_for(ARTICLE_URL, lambda s, body: "暖心服务（已修改）" in body)
    assert took < RELOAD_DEADLINE, f"took {took:.2f} s"
    assert "changed: content/articles/2024/wuxi-songwennuan.md" in served.output()
    # The lists it appears in follow, not only its own page.
    assert "暖心服务（已修改）" in served.get("regions/jiangsu/wuxi/")[1]


def test_new_articles_templates_static_files_and_config_are_watched(serve, site_dir):
    served = serve()
    new = site_dir / "content/articles/2025/new.md"
    new.write_text("---\ntitle: 新写的稿件\ndate: 2025-01-05\nregion: 浙江/宁波\n---\n\n正文。\n",
                   encoding="utf-8")
    served.wait_for("articles/2025/new/", lambda s, body: s == 200 and "新写的稿件" in body)

    edit(site_dir / "templates/base.html", "</footer>", "<p>模板已修改</p></footer>")
    served.wait_for("", lambda s, body: "模板已修改" in body)

    with (site_dir / "templates/static/style.css").open("a", encoding="utf-8") as f:
        f.write("\n.watched-rule { color: red; }\n")
    served.wait_for("static/style.css", lambda s, body: ".watched-rule" in body)

    edit(site_dir / "config.yaml", "title: 测试档案", "title: 改名的档案")
    served.wait_for("", lambda s, body: "改名的档案" in body)

    new.unlink()
    served.wait_for("articles/2025/new/", lambda s, body: s == 404)


def test_a_broken_article_is_shown_in_terminal_and_page_and_fixing_it_recovers(serve, site_dir):
    served = serve()
    path = site_dir / ARTICLE
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("region: 江苏/无锡", "region: [江苏/无锡"), encoding="utf-8")

    served.wait_for("", lambda s, body: PANEL_ID in body)
    status, page = served.get(ARTICLE_URL)
    assert status == 404  # skipped from the site; its page explains why
    assert PANEL_ID in page
    assert "content/articles/2024/wuxi-songwennuan.md:6:8:" in page  # path:line:col
    assert "invalid YAML" in page
    assert "content/articles/2024/wuxi-songwennuan.md:6:8: warning: invalid YAML" in served.output()

    path.write_text(good, encoding="utf-8")
    served.wait_for(ARTICLE_URL, lambda s, body: s == 200 and PANEL_ID not in body)
    assert served.proc.poll() is None


def test_a_template_error_keeps_the_last_good_site_on_screen(serve, site_dir):
    served = serve()
    template = site_dir / "templates/article.html"
    good = template.read_text(encoding="utf-8")
    template.write_text(good + "\n{% if %}\n", encoding="utf-8")

    served.wait_for(ARTICLE_URL, lambda s, body: PANEL_ID in body)
    status, page = served.get(ARTICLE_URL)
    assert status == 200 and OLD_TITLE in page  # the previous build, still whole
    assert "Build failed" in page
    assert "templates/article.html:" in page and "template syntax" in page
    assert "templates/article.html:" in served.output()

    template.write_text(good, encoding="utf-8")
    served.wait_for(ARTICLE_URL, lambda s, body: PANEL_ID not in body)


def test_a_config_error_is_reported_and_the_server_carries_on(serve, site_dir):
    served = serve()
    config = site_dir / "config.yaml"
    good = config.read_text(encoding="utf-8")
    config.write_text(good + "colour: red\n", encoding="utf-8")
    served.wait_for("", lambda s, body: "unknown key" in body and "colour" in body)
    config.write_text(good, encoding="utf-8")
    served.wait_for("", lambda s, body: PANEL_ID not in body)


def test_a_site_that_never_built_still_serves_its_problems(serve, site_dir):
    (site_dir / "templates/index.html").write_text("{% block %}", encoding="utf-8")
    served = serve()
    status, page = served.get("")
    assert status == 404
    assert "Build failed" in page and "templates/index.html" in page


def test_binds_to_loopback_by_default(serve):
    served = serve()
    listening = [c.laddr for c in psutil.Process(served.proc.pid).net_connections("inet")
                 if c.status == psutil.CONN_LISTEN]
    assert listening and all(addr.ip == "127.0.0.1" for addr in listening), listening
    assert f"http://127.0.0.1:{served.port}/" in served.output()


def test_a_port_in_use_is_a_clear_error(site_dir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "site_builder", "--config", str(site_dir / "config.yaml"),
             "serve", "--port", str(port)], cwd=site_dir, capture_output=True, text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in result.stderr


def test_serves_only_files_inside_the_output_folder(serve, site_dir):
    served = serve("--no-watch")
    (site_dir / "secret.txt").write_text("not for the web", encoding="utf-8")
    (site_dir / "output/link.txt").symlink_to(site_dir / "secret.txt")
    assert served.get("static/style.css")[0] == 200
    for raw in ("/../secret.txt", "/%2e%2e/secret.txt", "/static/../../secret.txt",
                "/..%2fsecret.txt", "/link.txt"):
        assert served.raw_status(raw) in (403, 404), raw
    assert "not for the web" not in served.get("link.txt")[1]


def test_drafts_are_previewed_outside_the_output_folder(serve, site_dir):
    served = serve("--drafts")
    status, page = served.get("articles/2020/draft/")
    assert status == 200 and "草稿：尚未审核" in page
    assert not (site_dir / "output").exists()  # a later publish of output/ cannot leak drafts


def test_no_watch_serves_without_rebuilding(serve, site_dir):
    served = serve("--no-watch")
    edit(site_dir / ARTICLE, OLD_TITLE, "不会被重建的标题")
    time.sleep(1.0)
    assert OLD_TITLE in served.get(ARTICLE_URL)[1]


@pytest.mark.browser
def test_the_open_page_reloads_by_itself(serve, site_dir, chromium_browser):
    served = serve()
    page = chromium_browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(served.url + ARTICLE_URL)
    page.wait_for_function("() => window.LiveReload && window.LiveReload.connector"
                           " && window.LiveReload.connector._isSocketConnected()", timeout=10000)
    page.evaluate("window.__notReloadedYet = true")

    started = time.monotonic()
    edit(site_dir / ARTICLE, OLD_TITLE, "浏览器自动刷新")
    page.wait_for_function(
        "() => !window.__notReloadedYet && document.querySelector('h1')"
        " && document.querySelector('h1').textContent.includes('浏览器自动刷新')",
        timeout=RELOAD_DEADLINE * 1000)
    took = time.monotonic() - started
    assert took < RELOAD_DEADLINE

    # A template error appears over the page (the site's CSP allows the panel), then clears.
    template = site_dir / "templates/article.html"
    good = template.read_text(encoding="utf-8")
    template.write_text(good + "{% endif %}", encoding="utf-8")
    page.wait_for_selector(f"#{PANEL_ID}", state="visible", timeout=5000)
    assert "templates/article.html" in page.inner_text(f"#{PANEL_ID}")
    template.write_text(good, encoding="utf-8")
    page.wait_for_selector(f"#{PANEL_ID}", state="detached", timeout=5000)
    assert not [p for p in problems if "Content Security Policy" in p], problems
    page.close()


# Pure parts, without a server.

def test_changes_are_classified_by_what_they_touch(site_dir):
    config = load_config(site_dir / "config.yaml")
    cfg = site_dir / "config.yaml"
    assert classify(site_dir / ARTICLE, config, cfg) is ChangeKind.CONTENT
    assert classify(site_dir / "templates/base.html", config, cfg) is ChangeKind.TEMPLATES
    assert classify(site_dir / "templates/static/style.css", config, cfg) is ChangeKind.STATIC
    assert classify(cfg, config, cfg) is ChangeKind.CONFIG
    assert classify(site_dir / "output/index.html", config, cfg) is None


def test_snapshots_see_added_removed_and_modified_files_not_editor_droppings(tmp_path):
    (tmp_path / "a.md").write_text("a")
    (tmp_path / "b.md").write_text("b")
    before = snapshot([tmp_path])
    (tmp_path / "a.md").write_text("a changed")
    (tmp_path / "b.md").unlink()
    (tmp_path / "c.md").write_text("c")
    (tmp_path / ".a.md.swp").write_text("vim")
    (tmp_path / "a.md~").write_text("backup")
    assert changed_paths(before, snapshot([tmp_path])) == {
        tmp_path / "a.md", tmp_path / "b.md", tmp_path / "c.md"}


def test_snapshots_skip_hidden_folders_and_linked_folders_and_see_through_linked_files(
        tmp_path):
    root = tmp_path / "content"
    (root / "articles/2024").mkdir(parents=True)
    (root / "articles/2024/a.md").write_text("a")
    (root / ".git").mkdir()
    (root / ".git/HEAD.md").write_text("not a source")
    (root / "#a.md#").write_text("emacs")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "far.md").write_text("far")
    (root / "articles/linked").symlink_to(elsewhere, target_is_directory=True)
    (root / "articles/link.md").symlink_to(elsewhere / "far.md")
    (root / "articles/broken.md").symlink_to(tmp_path / "missing.md")
    seen = snapshot([root])
    assert sorted(Path(p).relative_to(root).as_posix() for p in seen) == [
        "articles/2024/a.md", "articles/link.md"]
    before = dict(seen)
    (elsewhere / "far.md").write_text("far, and changed")  # through the link
    assert changed_paths(before, snapshot([root])) == {root / "articles/link.md"}


def test_pages_get_the_reload_script_and_escaped_problems():
    page = "<html><head><title>t</title></head><body><p>x</p></body></html>"
    clean = decorate(page, BuildState())
    assert clean.index('<script src="/livereload.js"></script>') < clean.index("</head>")
    assert PANEL_ID not in clean
    state = BuildState(failed=True, diagnostics=[Diagnostic("a.md", 3, "bad <b>tag</b>", col=2)])
    broken = decorate(page, state)
    assert "a.md:3:2: error: bad &lt;b&gt;tag&lt;/b&gt;" in broken
    assert broken.index(PANEL_ID) < broken.index("</body>")


def test_saves_wake_the_watcher_at_once_and_reads_do_not(tmp_path):
    """A large archive spaces its scans out (a scan of 10,000 files takes ~0.1 s and the next
    waits ten times that); file-system notifications wake a scan as soon as a file is
    written, created or removed, and not when a build merely reads the sources."""
    import threading

    from site_builder.serve import watch_sources

    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    config = tmp_path / "config.yaml"
    config.write_text("title: x\n", encoding="utf-8")
    article = content / "articles" / "a.md"
    article.write_text("---\ntitle: a\n---\n", encoding="utf-8")
    woken = threading.Event()
    observer = watch_sources([content, config], woken.set)
    assert observer is not None, "no file-system notifications on this machine"
    try:
        time.sleep(0.2)
        article.read_text(encoding="utf-8")
        (tmp_path / "output").mkdir()  # beside config.yaml, not a source
        assert not woken.wait(0.5), "a read or the output woke the watcher"
        for change in (lambda: article.write_text("---\ntitle: b\n---\n", encoding="utf-8"),
                       lambda: (content / "articles" / "new.md").write_text("x", encoding="utf-8"),
                       lambda: article.unlink(),
                       lambda: config.write_text("title: y\n", encoding="utf-8")):
            woken.clear()
            change()
            assert woken.wait(2.0), "a change did not wake the watcher"
    finally:
        observer.stop()
        observer.join()
