"""The parse cache keeps every parsed article between builds and stays right when damaged."""

from __future__ import annotations

from pathlib import Path

import site_builder.content.loader as loader_module
from site_builder.build import build_site
from site_builder.config import load_config
from site_builder.content.cache import JOURNAL_MIN, ArticleCache

ARTICLE = "content/articles/2021/haishu.md"


def build(site: Path):
    report = build_site(load_config(site / "config.yaml"), quiet=True)
    assert report.ok, report.diagnostics
    return report


def cache_file(site: Path) -> Path:
    return site / ".site-builder/cache/articles.pickle"


def parses_in_next_build(site: Path, monkeypatch) -> list[str]:
    """Paths the next build parses (the rest come from the cache)."""
    parsed: list[str] = []
    real = loader_module._parse_job  # one file read and parsed (in this process: few files)

    def counting(job):
        parsed.append(job[0])
        return real(job)

    monkeypatch.setattr(loader_module, "_parse_job", counting)
    build(site)
    monkeypatch.setattr(loader_module, "_parse_job", real)
    return parsed


def test_an_edit_appends_to_the_journal_and_the_next_build_parses_nothing(site_dir, monkeypatch):
    build(site_dir)
    pickle_stat = cache_file(site_dir).stat()
    article = site_dir / ARTICLE
    article.write_text(article.read_text() + "\n补记一段。\n", encoding="utf-8")
    assert len(parses_in_next_build(site_dir, monkeypatch)) == 1
    after = cache_file(site_dir).stat()
    assert (after.st_ino, after.st_mtime_ns) == (pickle_stat.st_ino, pickle_stat.st_mtime_ns)
    assert cache_file(site_dir).with_name("articles.pickle.journal").stat().st_size > 0
    assert parses_in_next_build(site_dir, monkeypatch) == []  # the journal's entry is used
    assert "补记一段" in (site_dir / "output/articles/2021/haishu/index.html").read_text()


def test_a_cut_journal_costs_parses_never_a_wrong_page(site_dir, monkeypatch):
    build(site_dir)
    article = site_dir / ARTICLE
    article.write_text(article.read_text() + "\n补记一段。\n", encoding="utf-8")
    build(site_dir)
    journal = cache_file(site_dir).with_name("articles.pickle.journal")
    journal.write_bytes(journal.read_bytes()[:-7])  # a save killed halfway
    article.write_text(article.read_text() + "\n再补一段。\n", encoding="utf-8")
    parsed = parses_in_next_build(site_dir, monkeypatch)
    assert [p for p in parsed if p.endswith("haishu.md")]
    page = (site_dir / "output/articles/2021/haishu/index.html").read_text()
    assert "补记一段" in page and "再补一段" in page
    assert not journal.exists()  # folded into a new pickle
    assert parses_in_next_build(site_dir, monkeypatch) == []


def test_the_journal_is_folded_once_it_grows(tmp_path):
    file = tmp_path / "articles.pickle"
    cache = ArticleCache(file, trusted_html=False)
    for i in range(10):
        cache.put(f"a{i}.md", (1, i, f"d{i}"), f"article {i}")
    cache.save()  # the first save writes the pickle
    for round_ in range(3):
        for i in range(JOURNAL_MIN // 2):
            cache.put(f"b{i}.md", (2, round_, f"e{i}"), f"edit {round_}")
        cache.save()
    journal = file.with_name("articles.pickle.journal")
    assert not journal.exists()  # 3 × 128 edits passed JOURNAL_MIN: folded
    cache.put("a0.md", (3, 3, "z"), "last")
    cache.save()
    assert journal.exists()
    again = ArticleCache(file, trusted_html=False)
    assert again.entries == cache.entries
    assert again.entries["a0.md"][3] == "last" and again.entries["b0.md"][3] == "edit 2"
    cache.keep(["a0.md"])
    cache.save()
    assert set(ArticleCache(file, trusted_html=False).entries) == {"a0.md"}


def parsed_then_cached(site: Path):
    """The site's articles parsed afresh; the cache a load filled and saved; and the articles
    as a new process loads them from that cache."""
    config = load_config(site / "config.yaml")
    fresh = loader_module.load_library(config.content_dir, project_root=site).articles
    saved = ArticleCache(cache_file(site), trusted_html=config.trusted_html)
    loader_module.load_library(config.content_dir, project_root=site, cache=saved)
    saved.save()
    again = ArticleCache(cache_file(site), trusted_html=config.trusted_html)
    cached = loader_module.load_library(config.content_dir, project_root=site,
                                        cache=again).articles
    return fresh, saved, cached


def test_an_article_from_the_cache_is_the_article_parsed(site_dir):
    """Bodies are kept encoded in the cache and decoded when first read: what a build reads
    back is equal to what it parsed, body, text and images included."""
    import dataclasses

    fresh, _, cached = parsed_then_cached(site_dir)
    assert [a.id for a in cached] == [a.id for a in fresh]
    assert any(a.image_sources for a in cached)  # the sample site has a picture
    for old, new in zip(fresh, cached, strict=True):
        assert new.image_sources == old.image_sources  # known before the body is read
        assert dataclasses.asdict(new) == dataclasses.asdict(old)
        assert new.text == old.text and new.sort_key == old.sort_key


def test_a_cache_file_cut_short_costs_parses_never_a_wrong_page(site_dir, monkeypatch):
    """A cache file cut anywhere (a full disk, a copy stopped halfway) is not trusted at all."""
    build(site_dir)
    file = cache_file(site_dir)
    whole = file.read_bytes()
    for cut in (len(whole) - 3, len(whole) // 2, 20):
        file.write_bytes(whole[:cut])
        parsed = parses_in_next_build(site_dir, monkeypatch)
        assert len(parsed) == len(list((site_dir / "content").rglob("*.md")))
        assert "坚果礼盒" in (site_dir / "output/articles/2021/haishu/index.html").read_text()
        file.write_bytes(whole[:cut])  # (the build saved it whole again: cut it anew)
    file.write_bytes(whole)
    assert parses_in_next_build(site_dir, monkeypatch) == []


def test_articles_read_from_the_cache_keep_their_bodies_after_it_is_saved_anew(site_dir):
    """Another process (or this one) may replace the cache file after it was loaded: what
    was loaded still reads the same."""
    fresh, first, articles = parsed_then_cached(site_dir)
    first.journaled = JOURNAL_MIN * 8  # fold: the file is written anew and replaced
    first.put("extra.md", (1, 1, "x"), "an entry that changes the file")
    first.save()
    cache_file(site_dir).write_bytes(b"\0" * 64)  # and even that one is gone now
    assert [a.body_html for a in articles] == [a.body_html for a in fresh]
