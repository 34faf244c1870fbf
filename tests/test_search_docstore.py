"""The CLI's docstore (``.site-builder/index/cli-docs/``): written by the build, so that no
``site-builder search`` opens Whoosh for its hits, the first after a build included.

What a user would notice: the first query after a build answers without Whoosh (as fast as
any other); an edit shows in the hit's title and snippet, a deleted article disappears; a
damaged, cut or stale store is never shown; and the store a build history leaves is the one
a clean build of the same articles writes (a patched build rewrites only the chunks of the
documents it changed).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_search import index_site, small_site, write_site
from test_search_cli_startup import imported, run_cli

from site_builder.search import docstore, grams

TITLED = "content/articles/2024/titled.md"


def store_of(root: Path) -> Path:
    return root / ".site-builder" / "index" / docstore.STORE_DIR


def store_files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(store_of(root).iterdir())}


def written_new(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    return sorted(n for n in after if before.get(n) != after[n])


def hits(root: Path, query: str, *args: str) -> list[dict]:
    done = run_cli(root, "--json", *args, "--", query)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def built(tmp_path):
    root = small_site(tmp_path)
    index_site(root)
    return root


def test_the_first_query_after_a_build_reads_the_store_not_whoosh(built):
    assert (store_of(built) / docstore.META_FILE).exists()  # before any query
    first = run_cli(built, "--json", "快递小哥", importtime=True)
    assert first.returncode == 0, first.stderr
    modules = imported(first.stderr)
    assert "site_builder.search.engine" in modules
    assert not any(m.split(".")[0] == "whoosh" for m in modules)
    assert [h["title"] for h in json.loads(first.stdout)][:1] == ["快递小哥的春节"]
    shutil.rmtree(built / ".site-builder" / "index" / "whoosh")  # the store alone answers
    assert hits(built, "快递小哥") == json.loads(first.stdout)


def test_the_store_written_from_whoosh_is_the_builds_byte_for_byte(built):
    """The repair path (a store missing or damaged: written again from Whoosh's stored
    fields) writes the records the build wrote from its doc_view."""
    written = store_files(built)
    first = hits(built, "温暖")
    shutil.rmtree(store_of(built))
    assert hits(built, "温暖") == first
    assert store_files(built) == written


def test_an_edit_shows_in_the_hit_and_a_deleted_article_disappears(built):
    assert hits(built, "快递小哥")[0]["title"] == "快递小哥的春节"
    article = built / TITLED
    article.write_text(article.read_text(encoding="utf-8")
                       .replace("快递小哥的春节", "快递小哥过大年")
                       .replace("送去年货", "送去龘龘年货"), encoding="utf-8")
    _, _, stats = index_site(built)
    assert stats["mode"] == "patched"
    hit = hits(built, "龘龘")
    assert [h["title"] for h in hit] == ["快递小哥过大年"]
    assert "送去龘龘年货" in hit[0]["snippet"] and hit[0]["highlights"]
    assert hits(built, "快递小哥")[0]["title"] == "快递小哥过大年"
    article.unlink()
    _, _, stats = index_site(built)
    assert stats["mode"] == "patched"
    assert hits(built, "龘龘") == []
    assert "articles/2024/titled/" not in [h["url"] for h in hits(built, "快递小哥")]


def test_a_stale_store_is_never_read(built):
    """A store from before the last build (tagged with another manifest) is not shown:
    the query writes it again (from Whoosh) for the current index."""
    old = store_files(built)
    article = built / TITLED
    article.write_text(article.read_text(encoding="utf-8").replace("快递小哥的春节", "快递小哥过大年"),
                       encoding="utf-8")
    index_site(built)
    new = store_files(built)
    shutil.rmtree(store_of(built))
    store_of(built).mkdir()
    for name, data in old.items():
        (store_of(built) / name).write_bytes(data)
    assert hits(built, "快递小哥")[0]["title"] == "快递小哥过大年"
    assert {n: d for n, d in store_files(built).items() if n in new} == new


def test_a_damaged_store_is_written_again(built):
    first = hits(built, "快递小哥")
    written = store_files(built)
    meta = store_of(built) / docstore.META_FILE
    chunk = store_of(built) / next(n for n in written if n != docstore.META_FILE)
    damage = [
        (meta, written[meta.name][:len(written[meta.name]) // 3]),  # inside the manifest
        (meta, written[meta.name][:-1]),  # inside the meta's chunk list
        (meta, written[meta.name] + b"\0"),  # longer than written
        (chunk, written[chunk.name][:100]),  # inside the offsets
        (chunk, written[chunk.name][:-1]),  # inside the last record
        (chunk, None),  # gone
    ]
    for path, data in damage:
        if data is None:
            path.unlink()
        else:
            path.write_bytes(data)
        again = run_cli(built, "--json", "快递小哥")
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout) == first
        assert store_files(built) == written


def test_a_damaged_store_without_whoosh_says_to_build_again(built):
    written = store_files(built)
    chunk = store_of(built) / next(n for n in written if n != docstore.META_FILE)
    chunk.write_bytes(written[chunk.name][:-1])
    shutil.rmtree(built / ".site-builder" / "index" / "whoosh")
    done = run_cli(built, "快递小哥")
    assert done.returncode == 2
    assert "damaged" in done.stderr and "site-builder build" in done.stderr


def test_chunks_hold_whole_blocks_of_the_export():
    assert docstore.CHUNK_BITS <= grams.BLOCK_BITS  # the encode workers write whole chunks


def test_patched_builds_write_the_chunks_they_change_and_the_store_of_a_clean_build(
        tmp_path, monkeypatch):
    """Four documents a chunk here (256 in a real build), so that 60 articles make 15."""
    monkeypatch.setattr(docstore, "CHUNK_BITS", 2)
    root = write_site(tmp_path, 60, seed=17)
    index_site(root)
    (root / ".site-builder" / "index" / docstore.LEGACY_FILE).write_bytes(b"format 4")
    articles = root / "content" / "articles"

    def build(mode: str) -> tuple[dict[str, bytes], dict[str, bytes]]:
        before = store_files(root)
        _, _, stats = index_site(root)
        assert stats["mode"] == mode
        return before, store_files(root)

    def clean_build() -> dict[str, bytes]:
        shutil.rmtree(root / ".site-builder")
        shutil.rmtree(root / "output")
        _, _, stats = index_site(root)
        assert stats["mode"] == "full"
        return store_files(root)

    path = sorted(articles.rglob("*.md"))[30]
    path.write_text(path.read_text(encoding="utf-8") + "\n\n龘龘编辑补充。\n", encoding="utf-8")
    before, after = build("patched")
    (chunk, meta) = written_new(before, after)  # one chunk and the meta
    assert meta == docstore.META_FILE and chunk.endswith(".bin")
    assert len(after) == 16 and len(before) == 16
    assert not (root / ".site-builder" / "index" / docstore.LEGACY_FILE).exists()
    assert hits(root, "龘龘编辑补充")[0]["snippet"].endswith("龘龘编辑补充。")
    assert clean_build() == after

    newest = articles / "zz-newest.md"
    monkeypatch.setenv("SITE_BUILDER_TODAY", "2099-01-01")  # the article of the day: published
    newest.write_text("---\ntitle: 靐靐今日新闻\ndate: 2099-01-01\nregion: 江苏/无锡\n---\n\n"
                      "工会送温暖。\n", encoding="utf-8")
    before, after = build("patched")  # the next number: the last chunk, a new one
    assert len(after) == 17 and written_new(before, after)[0].startswith("15-")
    assert len(written_new(before, after)) == 2
    assert [h["title"] for h in hits(root, "靐靐今日新闻")] == ["靐靐今日新闻"]
    assert clean_build() == after

    oldest = articles / "aa-oldest.md"
    oldest.write_text("---\ntitle: 旧日档案\ndate: 1990-01-01\nregion: 江苏/无锡\n---\n\n"
                      "工会送温暖。\n", encoding="utf-8")
    build("patched")  # every number moves by one
    newest.unlink()
    oldest.unlink()
    path.unlink()
    _, after = build("patched")
    assert len(after) == 16  # 59 documents
    assert hits(root, "靐靐今日新闻") == [] and hits(root, "龘龘编辑补充") == []
    assert clean_build() == after


def test_a_patched_build_makes_missing_and_damaged_chunks_whole(tmp_path, monkeypatch):
    """A chunk file lost (or a store from before builds wrote it) is written by the next
    patched build, and so is a damaged chunk it would patch (its bytes are not those it is
    named for), from the articles: the store is again the clean build's."""
    monkeypatch.setattr(docstore, "CHUNK_BITS", 2)
    root = write_site(tmp_path, 30, seed=19)
    index_site(root)
    written = store_files(root)
    lost = sorted(n for n in written if n != docstore.META_FILE)[:3]
    for name in lost:
        (store_of(root) / name).unlink()
    path = sorted((root / "content" / "articles").rglob("*.md"))[0]
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\n\n龘龘补充。\n", encoding="utf-8")
    _, _, stats = index_site(root)
    assert stats["mode"] == "patched"
    patched = store_files(root)
    assert {n.split("-")[0] for n in lost} <= {n.split("-")[0] for n in patched}
    (edited,) = [n for n in patched if n not in written and n != docstore.META_FILE]
    (store_of(root) / edited).write_bytes(patched[edited][:-1] + b"!")
    path.write_text(text + "\n\n靐靐补充。\n", encoding="utf-8")
    _, _, stats = index_site(root)
    assert stats["mode"] == "patched"
    again = store_files(root)
    assert hits(root, "靐靐补充")[0]["snippet"].endswith("靐靐补充。")
    shutil.rmtree(root / ".site-builder")
    shutil.rmtree(root / "output")
    index_site(root)
    assert store_files(root) == again


def test_a_store_left_behind_by_another_build_is_not_patched(tmp_path, monkeypatch):
    """A build of an older version edits articles without writing the store (it leaves the
    store's files and the state's docstore entry as it found them): the next build must not
    keep the chunks that entry names for documents that changed since."""
    import marshal

    monkeypatch.setattr(docstore, "CHUNK_BITS", 2)
    root = write_site(tmp_path, 30, seed=23)
    index_site(root)
    state_file = root / ".site-builder" / "index" / "state.marshal"
    left = marshal.loads(state_file.read_bytes())["docstore"]
    files = store_files(root)
    paths = sorted((root / "content" / "articles").rglob("*.md"))
    paths[3].write_text(paths[3].read_text(encoding="utf-8") + "\n\n龘龘补充。\n",
                        encoding="utf-8")
    index_site(root)  # as the other version: the store stays the first build's
    state = marshal.loads(state_file.read_bytes())
    state_file.write_bytes(marshal.dumps({**state, "docstore": left}))
    shutil.rmtree(store_of(root))
    store_of(root).mkdir()
    for name, data in files.items():
        (store_of(root) / name).write_bytes(data)
    paths[20].write_text(paths[20].read_text(encoding="utf-8") + "\n\n靐靐补充。\n",
                         encoding="utf-8")
    _, _, stats = index_site(root)
    assert stats["mode"] == "patched"
    assert hits(root, "龘龘补充")[0]["snippet"].endswith("龘龘补充。")
    patched = store_files(root)
    shutil.rmtree(root / ".site-builder")
    shutil.rmtree(root / "output")
    index_site(root)
    assert store_files(root) == patched


def test_a_build_that_changes_nothing_writes_a_missing_store(tmp_path):
    """After an upgrade from a version whose queries wrote the store (or with the store's
    folder deleted), a build with nothing to change writes it: the first query after it
    does not open Whoosh either."""
    import marshal

    root = small_site(tmp_path)
    index_site(root)
    written = store_files(root)
    state_file = root / ".site-builder" / "index" / "state.marshal"
    state = marshal.loads(state_file.read_bytes())
    state_file.write_bytes(marshal.dumps({k: v for k, v in state.items() if k != "docstore"}))
    shutil.rmtree(store_of(root))
    legacy = root / ".site-builder" / "index" / docstore.LEGACY_FILE
    legacy.write_bytes(b"format 4")
    _, _, stats = index_site(root)
    assert stats["mode"] == "unchanged"
    assert store_files(root) == written and not legacy.exists()
    first = run_cli(root, "--json", "快递小哥", importtime=True)
    assert first.returncode == 0, first.stderr
    assert not any(m.split(".")[0] == "whoosh" for m in imported(first.stderr))
    shutil.rmtree(store_of(root))  # the state remembers it: only the folder is gone
    _, _, stats = index_site(root)
    assert stats["mode"] == "unchanged" and store_files(root) == written
