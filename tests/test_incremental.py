"""Rebuilds reuse the last output, and always end up exactly where a clean build would."""

from __future__ import annotations

import shutil
from pathlib import Path

from builds import assert_same_as_clean_build, build

from site_builder.build import build_site
from site_builder.config import load_config


def test_edit_renders_only_the_pages_it_touches(site_dir: Path, tmp_path: Path):
    first = build(site_dir)
    assert first.rendered == first.pages
    article = site_dir / "content/articles/2021/haishu.md"
    article.write_text(article.read_text().replace("坚果礼盒", "坚果年货礼盒"), encoding="utf-8")
    second = build(site_dir)
    assert 0 < second.rendered < second.pages / 2
    assert "坚果年货礼盒" in (site_dir / "output/articles/2021/haishu/index.html").read_text()
    assert_same_as_clean_build(site_dir, tmp_path)


def test_noop_rebuild_renders_nothing(site_dir: Path):
    build(site_dir)
    assert build(site_dir).rendered == 0


def test_add_delete_and_template_change_match_a_clean_build(site_dir: Path, tmp_path: Path):
    build(site_dir)
    new = site_dir / "content/articles/2024/xishan-new.md"
    new.write_text("---\ntitle: 锡山区总工会送清凉\ndate: 2024-07-01\nregion: 江苏/无锡/锡山\n"
                   "tags: [送温暖]\n---\n\n锡山区总工会为户外劳动者送去清凉。\n", encoding="utf-8")
    build(site_dir)
    assert (site_dir / "output/articles/2024/xishan-new/index.html").is_file()
    assert (site_dir / "output/regions/jiangsu/wuxi/xishan/2024/index.html").is_file()
    assert_same_as_clean_build(site_dir, tmp_path)

    (site_dir / "content/articles/2021/haishu.md").unlink()
    build(site_dir)
    assert not (site_dir / "output/articles/2021/haishu").exists()
    assert not (site_dir / "output/regions/zhejiang").exists()
    assert_same_as_clean_build(site_dir, tmp_path)

    base = site_dir / "templates/base.html"
    base.write_text(base.read_text().replace("<footer", "<footer data-x=\"1\""), encoding="utf-8")
    report = build(site_dir)
    assert report.rendered == report.pages  # a template change renders everything
    assert_same_as_clean_build(site_dir, tmp_path)


def test_rebuild_leaves_the_previous_output_untouched_until_the_swap(site_dir: Path):
    """The new build shares files with the old one; it must replace them, not write into them."""
    build(site_dir)
    old_page = site_dir / "output/articles/2021/haishu/index.html"
    keep = site_dir / "kept.html"
    keep.hardlink_to(old_page)  # a second name for the old file's contents
    before = keep.read_bytes()
    article = site_dir / "content/articles/2021/haishu.md"
    article.write_text(article.read_text().replace("顺丰速运", "邮政快递"), encoding="utf-8")
    build(site_dir)
    assert keep.read_bytes() == before
    assert "邮政快递" in old_page.read_text()


def test_a_long_lived_builder_reuses_its_plan_for_body_edits_and_stays_exact(
        site_dir: Path, tmp_path: Path):
    """The dev server keeps one Builder: a body edit reuses the last plan (only the pages
    holding the article get new fingerprints), anything else plans anew — and after each
    step the output is byte for byte a clean build's."""
    from site_builder.build import Builder

    config = load_config(site_dir / "config.yaml")
    builder = Builder(config, save_cache=False)  # as serve makes it

    def rebuild():
        report = build_site(config, quiet=True, builder=builder)
        assert report.ok, report.diagnostics
        return report

    rebuild()
    first_plan = builder.plan
    article = site_dir / "content/articles/2021/haishu.md"
    article.write_text(article.read_text() + "\n## 补记\n\n网点负责人表示感谢，坚果年货礼盒已分发。\n",
                       encoding="utf-8")  # after the summary's first characters
    rebuild()
    assert builder.plan is not first_plan and builder.plan.pages is not first_plan.pages
    assert builder.plan.archive.years is first_plan.archive.years  # not planned again
    page = (site_dir / "output/articles/2021/haishu/index.html").read_text()
    assert "坚果年货礼盒" in page
    feed = (site_dir / "output/feed.xml").read_text()
    assert "坚果年货礼盒" in feed or "haishu" not in feed
    assert_same_as_clean_build(site_dir, tmp_path)

    rebuild()  # the spare is a build behind: it must catch up on the edit too
    assert_same_as_clean_build(site_dir, tmp_path)

    reused = builder.plan
    article.write_text(article.read_text().replace("title:", "title: 新", 1), encoding="utf-8")
    rebuild()  # a metadata edit: planned anew
    assert builder.plan.archive.years is not reused.archive.years
    assert "新" in (site_dir / "output/articles/2021/haishu/index.html").read_text()
    assert_same_as_clean_build(site_dir, tmp_path)

    article.unlink()
    rebuild()
    assert not (site_dir / "output/articles/2021/haishu").exists()
    assert_same_as_clean_build(site_dir, tmp_path)


def test_a_new_build_process_reuses_the_saved_plan_for_body_edits_and_stays_exact(
        site_dir: Path, tmp_path: Path, monkeypatch):
    """`site-builder build` after a body edit takes the plan the last build saved instead of
    planning every page again; a metadata or template change plans anew. Each Builder here
    is what a new process has: nothing in memory."""
    import site_builder.state as build_module
    from site_builder.build import Builder

    config = load_config(site_dir / "config.yaml")
    planned = []
    real_plan_site = build_module.plan_site

    def counting_plan_site(*args, **kwargs):
        planned.append(1)
        return real_plan_site(*args, **kwargs)

    monkeypatch.setattr(build_module, "plan_site", counting_plan_site)

    def new_process_build():
        report = build_site(config, quiet=True, builder=Builder(config))
        assert report.ok, report.diagnostics
        return report

    new_process_build()
    plan_file = site_dir / ".site-builder/cache/plan.pickle"
    assert len(planned) == 1 and plan_file.is_file()
    whole = plan_file.stat()
    article = site_dir / "content/articles/2021/haishu.md"
    article.write_text(article.read_text() + "\n## 补记\n\n坚果年货礼盒已分发到每个网点。\n",
                       encoding="utf-8")
    report = new_process_build()
    assert len(planned) == 1  # the saved plan, updated with the new body
    assert (plan_file.stat().st_ino, plan_file.stat().st_mtime_ns) == (whole.st_ino,
                                                                       whole.st_mtime_ns)
    assert plan_file.with_name("plan.pickle.delta").is_file()  # only what the edit changed
    assert 0 < report.rendered < report.pages / 2
    assert "坚果年货礼盒" in (site_dir / "output/articles/2021/haishu/index.html").read_text()
    feed = (site_dir / "output/feed.xml").read_text()
    assert "坚果年货礼盒" in feed or "haishu" not in feed
    new_process_build()  # the spare catches up, from the plan the last build saved
    assert len(planned) == 1
    saved = site_dir / ".site-builder"
    shutil.copytree(saved, tmp_path / "state")  # what the clean build below deletes
    assert_same_as_clean_build(site_dir, tmp_path)
    shutil.rmtree(saved)
    shutil.copytree(tmp_path / "state", saved)
    planned.clear()
    planned.append(1)
    other = site_dir / "content/articles/2024/wuxi-songwennuan.md"
    other.write_text(other.read_text() + "\n另一篇的补记。\n", encoding="utf-8")
    new_process_build()  # a second body edit: the saved plan plus both deltas
    new_process_build()
    assert len(planned) == 1
    assert "另一篇的补记" in (site_dir / "output/articles/2024/wuxi-songwennuan/index.html"
                              ).read_text()

    article.write_text(article.read_text().replace("title:", "title: 新", 1), encoding="utf-8")
    new_process_build()  # metadata changed: planned anew
    assert len(planned) == 2
    assert "新" in (site_dir / "output/articles/2021/haishu/index.html").read_text()

    base = site_dir / "templates/base.html"
    base.write_text(base.read_text().replace("</body>", "<!-- v2 --></body>"), encoding="utf-8")
    article.write_text(article.read_text() + "\n再补一句。\n", encoding="utf-8")
    new_process_build()  # another site key: the saved plan is not trusted
    assert len(planned) == 3
    planned.clear()
    assert_same_as_clean_build(site_dir, tmp_path)


def test_a_damaged_saved_plan_is_ignored(site_dir: Path, tmp_path: Path):
    build(site_dir)
    (site_dir / ".site-builder/cache/plan.pickle").write_bytes(b"not a pickle")
    article = site_dir / "content/articles/2021/haishu.md"
    article.write_text(article.read_text() + "\n补记一段。\n", encoding="utf-8")
    build(site_dir)
    assert "补记一段" in (site_dir / "output/articles/2021/haishu/index.html").read_text()
    assert_same_as_clean_build(site_dir, tmp_path)


def test_a_spare_copy_of_unknown_state_is_pruned(site_dir: Path, tmp_path: Path):
    """A spare folder whose manifest does not match (a build killed before its stamp, files
    left by hand) is made the live site's copy again: the site published from it holds no
    stray file or folder."""
    build(site_dir)
    build(site_dir)  # now the spare exists, a build behind
    spare = site_dir / ".output.spare"
    assert spare.is_dir()
    (spare / ".site-builder-stamp").unlink()  # its state is unknown now
    (spare / "stray.html").write_text("left over", encoding="utf-8")
    (spare / "articles" / "gone").mkdir(parents=True)
    (spare / "articles" / "gone" / "index.html").write_text("old", encoding="utf-8")
    article = site_dir / "content/articles/2021/haishu.md"
    article.write_text(article.read_text() + "\n补记。\n", encoding="utf-8")
    build(site_dir)
    assert not (site_dir / "output" / "stray.html").exists()
    assert not (site_dir / "output" / "articles" / "gone").exists()
    assert_same_as_clean_build(site_dir, tmp_path)


def test_pages_the_live_output_holds_as_they_are_due_are_linked_not_rendered(
        site_dir: Path, tmp_path: Path, monkeypatch):
    """After an article is added, the spare copy is behind the live one by that build's pages:
    the next edit links those from the live output instead of rendering them again, renders
    the rest, and ends where a clean build would; a linked page is later replaced, never
    written into, so the copy it came from keeps its bytes."""
    from site_builder import render

    monkeypatch.setattr(render, "LINK_MIN", 1)  # (a handful of pages here; ~900 at 10k)
    build(site_dir)
    build(site_dir)  # a live output and a spare, both known
    new = site_dir / "content/articles/2024/xishan-new.md"
    new.write_text("---\ntitle: 锡山区总工会送清凉\ndate: 2024-07-01\nregion: 江苏/无锡/锡山\n"
                   "tags: [送温暖]\n---\n\n锡山区总工会为户外劳动者送去清凉。\n", encoding="utf-8")
    added = build(site_dir)
    assert added.linked == 0 and added.rendered > 0
    article = site_dir / "content/articles/2021/haishu.md"
    article.write_text(article.read_text().replace("坚果礼盒", "坚果年货礼盒"), encoding="utf-8")
    edited = build(site_dir)
    assert edited.linked > 0
    assert 0 < edited.rendered < added.rendered  # the edit's own pages only
    page = "articles/2024/xishan-new/index.html"  # the added page, made by the last build
    live, spare = site_dir / "output", site_dir / ".output.spare"
    assert (live / page).samefile(spare / page)

    kept = tmp_path / "kept.html"
    kept.hardlink_to(live / page)
    before = kept.read_bytes()
    new.write_text(new.read_text().replace("送去清凉", "送去清凉饮品"), encoding="utf-8")
    build(site_dir)
    assert kept.read_bytes() == before
    assert "送去清凉饮品" in (live / page).read_text(encoding="utf-8")
    assert_same_as_clean_build(site_dir, tmp_path)


def test_too_few_pages_due_never_read_the_live_outputs_fingerprints(site_dir: Path,
                                                                     monkeypatch):
    """An ordinary edit has a few pages due: reading the live output's manifest (~0.01 s at
    10k) would cost more than it saves."""
    from site_builder.publish.manifest import SlotManifest

    build(site_dir)
    build(site_dir)
    read = []
    real = SlotManifest.previous

    def previous(self):
        read.append(self.out_dir.name)
        return real(self)

    monkeypatch.setattr(SlotManifest, "previous", previous)
    article = site_dir / "content/articles/2021/haishu.md"
    article.write_text(article.read_text() + "\n海曙区职工书屋新到一批图书。\n", encoding="utf-8")
    report = build(site_dir)
    assert report.linked == 0 and report.rendered > 0
    assert not report.planned, report.timings
    assert read == [".output.spare"]  # the spare's own, and not the live output's


def test_a_build_that_plans_anew_brings_the_spare_up_to_its_pages(
        site_dir: Path, tmp_path: Path, monkeypatch):
    """Adding an article changes many list pages (~900 at 10k): that build links them into
    the spare too, so the next edit starts from a spare that lacks only its own pages; the
    spare stays a copy whose fingerprints are known, and every output a clean build's."""
    from site_builder.render import site as render_site

    monkeypatch.setattr(render_site, "LINK_FROM_LIVE_MIN", 1)
    build(site_dir)
    build(site_dir)
    new = site_dir / "content/articles/2024/xishan-new.md"
    new.write_text("---\ntitle: 锡山区总工会送清凉\ndate: 2024-07-01\nregion: 江苏/无锡/锡山\n"
                   "tags: [送温暖]\n---\n\n锡山区总工会为户外劳动者送去清凉。\n", encoding="utf-8")
    added = build(site_dir)
    assert added.planned and added.rendered > 0
    live, spare = site_dir / "output", site_dir / ".output.spare"
    page = "articles/2024/xishan-new/index.html"
    assert (live / page).samefile(spare / page)  # linked after the swap
    listing = "regions/jiangsu/wuxi/xishan/index.html"
    assert (spare / listing).read_bytes() == (live / listing).read_bytes()

    article = site_dir / "content/articles/2021/haishu.md"
    article.write_text(article.read_text() + "\n海曙区职工书屋新到一批图书。\n", encoding="utf-8")
    edited = build(site_dir)
    assert not edited.planned and edited.linked == 0
    assert 0 < edited.rendered < added.rendered
    assert_same_as_clean_build(site_dir, tmp_path)
    new.unlink()
    build(site_dir)
    assert_same_as_clean_build(site_dir, tmp_path)
