"""Search: folding, exact matching against a brute-force scan, query syntax, facets, ranking,
the CLI and incremental updates. Browser behaviour is in test_search_browser.py."""

from __future__ import annotations

import json
import marshal
import random
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sites import brute_force, index_site, small_site, write_site

from site_builder.cli import cli
from site_builder.search import SearchIndex
from site_builder.search.analysis import (
    fold,
    fold_char,
    normalize,
    normalize_with_offsets,
    segmenter,
)
from site_builder.search.export import _fold_map, doc_text, numbered, ordered, vocabulary
from site_builder.search.grams import FAMILIES, FAMILY_OF, build_shard, shard_of
from site_builder.search.indexer import extra_words
from site_builder.search.merge import PARTITIONS, cut_shards, merge_partition, split_records
from site_builder.search.postings import analyze, encode_block, encode_block_fast
from site_builder.search.schema import order_key
from site_builder.search.script_chunks import CHUNK_DIR


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = write_site(tmp_path_factory.mktemp("gen"), 120)
    config, articles, stats = index_site(root)
    index = SearchIndex(config.root)
    yield config, articles, index, stats
    index.close()


def found_urls(index: SearchIndex, query: str) -> set[str]:
    return {h.url for h in index.search(query, limit=None).hits}


# --- analysis ------------------------------------------------------------------------------

def test_traditional_folds_to_simplified_per_character():
    assert normalize("溫暖") == "温暖"
    assert fold("後來乾淨") == "后来干净"
    assert normalize("送 溫\n暖") == "送温暖"
    assert normalize("１２３５１ iPhone") == "12351iphone"
    # folding never changes length, so highlight offsets stay true
    text = "臺灣職工 Ａ溫暖"
    assert len(fold(text)) == len(text)


def test_browser_fold_table_equals_the_analyzer():
    table = _fold_map()
    for char in "溫暖後來乾隆髮臺灣著ＡＺ１ÉΣ":
        assert table.get(char, char) == fold_char(char)


def test_bulk_encoder_writes_the_bytes_of_the_per_article_encoder(generated):
    """A cold build encodes blocks with numpy, an edit re-encodes one block per record in
    Python: both must give the same bytes, or the output would depend on the history."""
    config, articles, _, _ = generated
    docs = ordered(articles)
    vocab, words = vocabulary(config), extra_words(config)
    texts = [doc_text(a) for a in docs]
    terms = [analyze(t, vocab, words) for t in texts]
    slow = encode_block(0, terms)
    fast, _, length_bytes = encode_block_fast(0, texts, vocab, words)
    assert slow.keys() == fast.keys() and len(slow) > 1000
    assert [k for k in slow if slow[k] != fast[k]] == []
    assert [bytes(b) for b in length_bytes] == [bytes(t.length_bytes()[field] for t in terms)
                                                for field in (0, 1)]


@pytest.mark.parametrize("count", [1, 8, 64, 512])
def test_partitioned_merge_gives_the_shards_of_the_whole_records(generated, count):
    """A cold build merges the tasks' records partition by partition (merge.py); the shards
    must be the bytes of building each shard from the whole records at once, whatever the
    shard count against the partition count."""
    config, articles, _, _ = generated
    docs = ordered(articles)
    vocab, words = vocabulary(config), extra_words(config)
    texts = [doc_text(a) for a in docs]
    whole: dict = {}
    pieces: dict = {}
    for block in range(0, len(texts), 16):  # small blocks: many pieces per record
        encoded, _, _ = encode_block_fast(block // 16, texts[block:block + 16], vocab,
                                          words)
        for key, framed in encoded.items():
            whole[key] = whole.get(key, b"") + framed
        for part, data in split_records(encoded).items():
            pieces.setdefault(part, []).append(data)
    for family in FAMILIES:
        merged = [merge_partition(pieces.get((family, p), [])) for p in range(PARTITIONS)]
        cut = cut_shards(merged, count)
        expected: dict = {}
        for key, payload in whole.items():
            if FAMILY_OF[key[1]] == family:
                expected.setdefault(shard_of(key[0], count), {})[key] = payload
        assert sorted(cut) == sorted(expected)
        assert all(cut[n] == build_shard(expected[n]) for n in expected)


def test_normalize_with_offsets_gives_true_character_positions():
    norm, offsets = normalize_with_offsets("a 溫")
    assert (norm, offsets) == ("a温", [0, 2])


def test_user_dictionary_keeps_campaign_words_whole():
    seg = segmenter(("新就业形态劳动者", "稳岗留工"))
    words = seg.words_of("把娘家人的关爱送到新就业形态劳动者身边，稳岗留工")
    assert "新就业形态劳动者" in words and "稳岗留工" in words and "娘家人" in words
    assert "，" not in words


# --- exact matching ------------------------------------------------------------------------

QUERIES = ["送温暖", "暖", "暖活", "温暖", "溫暖", "快递小哥", "职工", "困难职工", "工会",
           "12351", "iphone", "2025", "年货", "疫情防控", "新就业形态劳动者", "安全生产",
           "的", "送温暖活动", "总工会开展", "江阴", "娘家人", "稳岗留工", "两节"]


def test_every_term_matches_exactly_the_articles_containing_it(generated):
    _, articles, index, _ = generated
    checked = 0
    for term in QUERIES:
        assert found_urls(index, f'"{term}"') == brute_force(articles, term), term
        checked += 1
    rng = random.Random(3)
    for article in rng.sample(articles, 25):  # random substrings, crossing word boundaries
        text = normalize(article.text)
        for length in (1, 2, 3, 4, 5, 7):
            start = rng.randrange(0, max(1, len(text) - length))
            term = text[start:start + length]
            assert found_urls(index, f'"{term}"') == brute_force(articles, term), term
            checked += 1
    assert checked > 150


def test_terms_are_anded_or_ored_and_excluded(generated):
    _, articles, index, _ = generated
    both = brute_force(articles, "快递小哥") & brute_force(articles, "年货")
    assert found_urls(index, "快递小哥 年货") == both
    either = brute_force(articles, "快递小哥") | brute_force(articles, "年货")
    assert found_urls(index, "快递小哥 OR 年货") == either
    assert found_urls(index, "送温暖 -快递小哥") == (
        brute_force(articles, "送温暖") - brute_force(articles, "快递小哥"))
    assert found_urls(index, '"送温 暖"') == brute_force(articles, "送温暖")
    assert found_urls(index, "-送温暖") == set()  # exclusions alone are not a search


def test_field_filters(generated):
    _, articles, index, _ = generated
    wuxi = {a.url for a in articles if a.region.path.startswith("江苏/无锡")}
    assert found_urls(index, "region:江苏/无锡") == wuxi
    assert found_urls(index, "region:无锡市") == wuxi
    assert found_urls(index, "工会 year:2024") == (
        brute_force(articles, "工会") & {a.url for a in articles if a.year == 2024})
    assert found_urls(index, "kind:feature") == {a.url for a in articles if a.kind == "feature"}


# --- ranking and the CLI -------------------------------------------------------------------

def test_title_hits_rank_first_then_more_mentions(tmp_path):
    config, _, _ = index_site(small_site(tmp_path))
    index = SearchIndex(config.root)
    urls = [h.url for h in index.search("快递小哥").hits]
    index.close()
    assert urls == ["articles/2024/titled/", "articles/2024/twice/", "articles/2024/once/"]


def test_cli_prints_ranked_highlighted_hits_and_json(tmp_path):
    root = small_site(tmp_path)
    index_site(root)
    runner = CliRunner()
    args = ["--config", str(root / "config.yaml"), "search"]
    out = runner.invoke(cli, [*args, "温暖"], catch_exceptions=False)
    assert out.exit_code == 0
    assert "1. 【溫暖】送到家" in out.output and "為職工送【溫暖】" in out.output
    assert "江苏/无锡 · 2023-12-30 · articles/2024/trad/" in out.output
    out = runner.invoke(cli, [*args, "快递小哥", "--json", "--limit", "2"],
                        catch_exceptions=False)
    hits = json.loads(out.output)
    assert [h["url"] for h in hits] == ["articles/2024/titled/", "articles/2024/twice/"]
    assert {"url", "title", "region", "year", "score", "snippet"} <= set(hits[0])
    assert hits[0]["year"] == 2024 and hits[0]["score"] > hits[1]["score"]
    out = runner.invoke(cli, [*args, "没有这个词"], catch_exceptions=False)
    assert out.exit_code == 0 and "no results" in out.output
    out = runner.invoke(cli, [*args, "工会", "--region", "浙江", "--json"])
    assert json.loads(out.output) == []


def test_cli_without_index_says_build_first(tmp_path):
    root = small_site(tmp_path)
    out = CliRunner().invoke(cli, ["--config", str(root / "config.yaml"), "search", "温暖"])
    assert out.exit_code == 2
    assert "no search index: run site-builder build first" in out.output


# --- incremental, deterministic ------------------------------------------------------------

def test_one_changed_article_rewrites_only_affected_chunks(tmp_path):
    root = write_site(tmp_path, 60, seed=11)
    config, _, first = index_site(root)
    assert first["updated_documents"] == 60
    before = {p.relative_to(root / "output"): p.read_bytes()
              for p in (root / "output" / "search").rglob("*") if p.is_file()}
    _, _, again = index_site(root)
    assert again["updated_documents"] == 0 and again["rewritten_files"] == 0
    path = sorted((root / "content" / "articles").rglob("*.md"))[10]
    path.write_text(path.read_text(encoding="utf-8") + "\n\n新增一句：龘龘独有词。\n",
                    encoding="utf-8")
    _, articles, third = index_site(root)
    assert third["updated_documents"] == 1
    assert 0 < third["rewritten_files"] < 0.2 * third["files"]
    index = SearchIndex(config.root)
    assert found_urls(index, "龘龘独有词") == brute_force(articles, "龘龘独有词") != set()
    index.close()
    after = {p.relative_to(root / "output"): p.read_bytes()
             for p in (root / "output" / "search").rglob("*") if p.is_file()}
    copies = Path("search") / CHUNK_DIR  # the files' script copies (tests/test_from_folder.py)
    assert sum(1 for k in after if before.get(k) != after[k]
               and not k.is_relative_to(copies)) == third["rewritten_files"]
    # the same articles from scratch give the same bytes
    shutil.rmtree(root / ".site-builder")
    shutil.rmtree(root / "output")
    index_site(root)
    scratch = {p.relative_to(root / "output"): p.read_bytes()
               for p in (root / "output" / "search").rglob("*") if p.is_file()}
    assert scratch.keys() == after.keys()
    assert [k for k in after if scratch[k] != after[k]] == []  # whatever the build history


def _search_files(root: Path) -> dict:
    return {p.relative_to(root / "output"): p.read_bytes()
            for p in (root / "output" / "search").rglob("*") if p.is_file()}


def test_adding_and_removing_articles_patches_the_export_and_equals_a_clean_build(
        tmp_path, monkeypatch):
    """Documents are numbered oldest first: the article of the day takes the next number,
    so adding it (or removing the newest) patches a few blocks instead of encoding the
    archive again; an old-dated article shifts the numbers after it. Every way ends in
    the bytes a clean build writes, and search finds what the articles say."""
    root = write_site(tmp_path, 60, seed=13)
    config, _, _ = index_site(root)
    articles_dir = root / "content" / "articles"

    def add(name: str, date: str, phrase: str) -> Path:
        path = articles_dir / name
        path.write_text(f"---\ntitle: 新增文章{phrase}\ndate: {date}\nregion: 江苏/无锡\n---\n\n"
                        f"工会送温暖，{phrase}。\n", encoding="utf-8")
        return path

    def check(expected_mode: str, phrase: str, present: bool) -> None:
        _, articles, stats = index_site(root)
        assert stats["mode"] == expected_mode
        index = SearchIndex(config.root)
        assert found_urls(index, phrase) == brute_force(articles, phrase)
        assert bool(found_urls(index, phrase)) is present
        index.close()
        incremental = _search_files(root)
        shutil.rmtree(root / ".site-builder")
        shutil.rmtree(root / "output")
        index_site(root)
        assert _search_files(root) == incremental  # whatever the build history

    monkeypatch.setenv("SITE_BUILDER_TODAY", "2099-01-01")  # the article of the day: published
    newest = add("zz-newest.md", "2099-01-01", "龘龘今日新闻")
    check("patched", "龘龘今日新闻", True)
    oldest = add("aa-oldest.md", "1990-01-01", "靐靐旧日档案")  # every number moves by one
    check("patched", "靐靐旧日档案", True)
    newest.unlink()
    check("patched", "龘龘今日新闻", False)
    oldest.unlink()
    check("patched", "靐靐旧日档案", False)


def test_document_order_is_the_archive_order(generated):
    """Equal scores rank in the archive's order (newest first, year-only articles after the
    dated ones of their year), and document numbers follow it backwards."""
    _, articles, _, _ = generated
    assert any(a.date is None for a in articles) and any(a.date for a in articles)
    assert ordered(articles) == sorted(articles, key=lambda a: a.sort_key)
    assert ordered(articles) == sorted(articles, key=order_key)  # the CLI's tie-break
    assert numbered(articles) == sorted(articles, key=lambda a: a.sort_key)[::-1]


def test_many_shards_are_cut_by_the_workers_and_find_every_term(tmp_path, monkeypatch):
    """With more shards than partitions, workers cut each merged partition and write the
    shards themselves (large archives); every term must still be found exactly."""
    from site_builder.search import grams
    from site_builder.search.merge import PARTITIONS

    monkeypatch.setattr(grams, "SHARD_TARGET_BYTES", {f: 300 for f in grams.FAMILIES})
    root = write_site(tmp_path, 40, seed=5)
    config, articles, _ = index_site(root)
    manifest = json.loads((root / "output" / "search" / "manifest.json").read_text())
    assert all(count >= PARTITIONS for count in manifest["shards"].values()), manifest["shards"]
    index = SearchIndex(config.root)
    for term in ("工会", "送温暖", "快递小哥", "职工", "温"):
        assert found_urls(index, term) == brute_force(articles, term) != set(), term
    index.close()
    assert not (config.root / ".site-builder" / "index" / "spill").exists()


def test_an_edit_past_a_length_step_rewrites_the_lengths_not_every_word_record(
        tmp_path, monkeypatch):
    """Field lengths live in lengths.bin (a byte per document and field), not in the word
    records: an edit that only repeats a word the article has, its body longer by a length
    step, rewrites that word's record and lengths.bin, and not the record of every other
    word of the article (at 10k, ~400 shard files more in half of all edits)."""
    from site_builder.search import grams

    monkeypatch.setattr(grams, "SHARD_TARGET_BYTES", {f: 300 for f in grams.FAMILIES})
    root = write_site(tmp_path, 40, seed=5)
    config, articles, _ = index_site(root)
    folder = root / "output" / "search"

    def files() -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes()
                for p in sorted(folder.rglob("*")) if p.is_file()}

    before = files()
    article = next(a for a in articles if "工会" in a.text)
    assert len(set(segmenter(extra_words(config)).words_of(article.text))) > 20
    source = root / article.source_path
    source.write_text(source.read_text(encoding="utf-8") + "\n\n" + "工会" * 40 + "\n",
                      encoding="utf-8")
    _, _, stats = index_site(root)
    assert stats["mode"] == "patched"
    after = files()
    changed = {rel for rel in before.keys() | after.keys() if before.get(rel) != after.get(rel)}
    assert "lengths.bin" in changed
    assert len([rel for rel in changed if rel.startswith("w/")]) == 1, sorted(changed)
    assert found_urls(SearchIndex(config.root), "工会") \
        == brute_force(articles, "工会")


def test_a_search_stage_stopped_after_writing_shards_leaves_no_state_to_patch_from(
        tmp_path, monkeypatch):
    """The index state is what the next build patches from. A stage stopped between writing
    its shards and its state (a killed build) left the old state beside new shards: the next
    patch counted each changed record's bytes against a shard that already held it, and its
    family sizes (then shard counts, then the manifest on the search page) drifted from a
    clean build's. The state now goes first and comes back last; a stage that finds none
    encodes everything, and ends where a clean build does."""
    from site_builder.search import export

    class Killed(Exception):
        pass

    def edit(root: Path) -> None:
        article = sorted((root / "content" / "articles").rglob("*.md"))[7]
        article.write_text(article.read_text(encoding="utf-8") + "\n\n补记：送温暖活动又到一站。\n",
                           encoding="utf-8")

    (tmp_path / "stopped").mkdir()
    (tmp_path / "clean").mkdir()
    root = write_site(tmp_path / "stopped", 60, seed=3)
    index_site(root)
    edit(root)

    def stop(self, *args, **kwargs):
        raise Killed  # after the shards and the output, before the manifest and the state

    def close_as_killed(self):
        self.db.close()  # (no commit: a killed process never got there)

    monkeypatch.setattr(export.Exporter, "_commit", stop)
    monkeypatch.setattr(export.TextCache, "close", close_as_killed)
    with pytest.raises(Killed):
        index_site(root)
    monkeypatch.undo()
    _, _, stats = index_site(root)
    assert stats["mode"] == "full"

    clean = write_site(tmp_path / "clean", 60, seed=3)
    edit(clean)
    index_site(clean)

    def export_files(site: Path) -> dict[str, bytes]:
        folder = site / "output" / "search"
        return {p.relative_to(folder).as_posix(): p.read_bytes()
                for p in sorted(folder.rglob("*")) if p.is_file()}

    assert export_files(root) == export_files(clean)
    states = [marshal.loads((site / ".site-builder/index" / export.STATE_FILE).read_bytes())
              for site in (root, clean)]
    assert states[0]["family_bytes"] == states[1]["family_bytes"]


def test_encoders_replaced_in_rounds_write_the_same_index(tmp_path, monkeypatch):
    """Encode workers are replaced every TASKS_PER_WORKER tasks (their memory grows with
    every task); the export must not depend on how the tasks were spread over workers."""
    from site_builder.search import export

    def export_bytes(root: Path) -> dict[str, bytes]:
        index_site(root)
        folder = root / "output" / "search"
        return {p.relative_to(folder).as_posix(): p.read_bytes()
                for p in sorted(folder.rglob("*")) if p.is_file()}

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    whole = export_bytes(write_site(tmp_path / "a", 700, seed=11))  # 3 blocks of 256
    monkeypatch.setattr(export, "TASK_BLOCKS", 1)
    monkeypatch.setattr(export, "TASKS_PER_WORKER", 1)  # a fresh pair of workers per round
    rounds = export_bytes(write_site(tmp_path / "b", 700, seed=11))
    assert rounds == whole


def test_a_patch_that_changes_a_familys_shard_count_equals_a_clean_build(tmp_path, monkeypatch):
    """An edit usually rewrites a few records of a few shards (spliced in place); when it
    moves a family past a power of two, the family is cut into shards again."""
    from site_builder.search import grams

    root = write_site(tmp_path, 60, seed=17)
    index_site(root)
    total = sum(p.stat().st_size for p in (root / "output/search/p").glob("*.bin"))
    monkeypatch.setitem(grams.SHARD_TARGET_BYTES, "p", -(-total // 2))  # 2 shards, just
    shutil.rmtree(root / ".site-builder")
    shutil.rmtree(root / "output")
    index_site(root)
    assert len(list((root / "output/search/p").glob("*.bin"))) == 2
    article = sorted((root / "content/articles").rglob("*.md"))[5]
    original = article.read_text(encoding="utf-8")
    article.write_text(original + "\n職工書屋新添圖書三百冊，龘龘閱讀角落成。\n", encoding="utf-8")
    for expected in (4, 2):
        _, _, stats = index_site(root)
        assert stats["mode"] == "patched"
        assert len(list((root / "output/search/p").glob("*.bin"))) == expected
        patched = _search_files(root)
        shutil.rmtree(root / ".site-builder")
        shutil.rmtree(root / "output")
        index_site(root)
        assert _search_files(root) == patched
        article.write_text(original, encoding="utf-8")
