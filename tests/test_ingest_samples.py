"""Bulletins cut as a human editor would: boundaries, titles, metadata.

The five samples (bundled in content/bulletins) and synthetic bulletins written in their style with
other layouts and encodings (tests/fixtures/bulletins/*.txt), each with an expectation file."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import REPO, SAMPLE_BULLETINS

from site_builder.config import load_config
from site_builder.content import load_library
from site_builder.content.bulletins import load_bulletins
from site_builder.ingest import ingest_paths
from site_builder.ingest.cut import cut_bulletin
from site_builder.ingest.decode import decode_bulletin

EXPECTED = Path(__file__).parent / "fixtures" / "bulletins"
SAMPLES = sorted(EXPECTED.glob("*.yaml"))
TAGS = list(load_config(REPO / "config.yaml").ingest.tags)

SYNTHETIC = sorted(EXPECTED.glob("*.txt"))
SHARED_SAMPLES = [p for p in SAMPLES if not (EXPECTED / f"{p.stem}.txt").exists()]


def _source(name: str) -> Path:
    local = EXPECTED / name
    return local if local.exists() else SAMPLE_BULLETINS / name


def _cut(name: str):
    text, encoding = decode_bulletin(_source(name).read_bytes())
    return cut_bulletin(text.replace("\r\n", "\n"), TAGS), encoding


@pytest.fixture(scope="module", params=[p.name for p in SAMPLES])
def sample(request):
    expected = yaml.safe_load((EXPECTED / request.param).read_text(encoding="utf-8"))
    if not _source(expected["source"]).exists():
        pytest.skip(f"sample bulletin not found at {SAMPLE_BULLETINS}")
    cut, encoding = _cut(expected["source"])
    if "encoding" in expected:
        assert encoding == expected["encoding"]
    return expected, cut


def test_page_header(sample):
    """Page, date and editors read from the header (doubled glyphs undone), where expected."""
    expected, cut = sample
    header = cut.page.header
    if "page" in expected:
        assert header.page == expected["page"]
        assert (header.date.isoformat() if header.date else None) == expected["date"]
        assert header.editors == expected["editors"]


def test_article_boundaries_and_titles(sample):
    expected, cut = sample
    got = [(a.meta.title, a.meta.subtitle) for a in cut.articles]
    want = [(e["title"], e.get("subtitle", "")) for e in expected["articles"]]
    assert got == want
    for article, e in zip(cut.articles, expected["articles"], strict=True):
        paragraphs = [p.text for p in article.draft.pieces if p.kind == "p"]
        assert paragraphs[0].startswith(e["starts"]), article.meta.title
        assert article.draft.pieces[-1].text.endswith(e["ends"]), article.meta.title


def test_metadata(sample):
    expected, cut = sample
    for article, e in zip(cut.articles, expected["articles"], strict=True):
        meta = article.meta
        assert (meta.region.path, meta.year, meta.kind) == (e["region"], e["year"], e["kind"]), \
            meta.title
        assert meta.authors == e["authors"], meta.title
        assert (meta.date.isoformat() if meta.date else None) == e.get("date"), meta.title
        assert (not article.draft.title_from_page) == e.get("title_derived", False), meta.title
        regions = [r.path for r in meta.regions] or [meta.region.path]
        if "regions" in e:  # the places the article is about, not every passing mention
            assert regions == e["regions"], meta.title
        if "regions_within" in e:
            assert all(r == e["regions_within"] or r.startswith(e["regions_within"] + "/")
                       for r in regions), (meta.title, regions)
        for tag in expected.get("series_tags", []):
            assert tag in meta.tags, meta.title


def test_page_banners_are_page_furniture(sample):
    """Section banners over the whole page are recorded as the page's section, not as the
    first article's subtitle."""
    expected, cut = sample
    assert cut.page.banners == expected.get("section", [])
    for article in cut.articles:
        assert not any(b in article.meta.subtitle for b in cut.page.banners)


def test_nothing_lost(sample):
    """Every non-space character is in exactly one article, the furniture or a removed repeat."""
    expected, cut = sample
    assert cut.unassigned == ""
    assert cut.surplus == ""
    assert cut.accounting["source"] == cut.accounting["kept"] > 0
    assert [f.text for f in cut.page.furniture] == expected["furniture"]


def test_readable_as_edited_articles(sample):
    """Paragraphs whole, no stray breaks, no doubled glyphs, no page furniture in the body."""
    _, cut = sample
    furniture = [f.text for f in cut.page.furniture if len(f.text) > 3]
    for article in cut.articles:
        title = article.meta.title
        for line in (title, article.meta.subtitle):
            assert not re.search(r"(\S{4,})\1", line), line  # 世界级…起航世界级…起航 undone
        for piece in article.draft.pieces:
            assert "\n" not in piece.text
            assert piece.text.strip() == piece.text
            assert not any(f in piece.text for f in furniture)
            if piece.kind in ("h2", "h3", "byline", "credit"):
                assert not re.search(r"(\S{2,})\1", piece.text), piece.text  # no doubled glyphs
            if piece.kind == "p" and piece is not article.draft.pieces[-1]:
                # A paragraph never ends mid-word: it ends a sentence, a credit or a colon.
                assert re.search(r"[。！？!?…”’』）)：:]$", piece.text), piece.text


@pytest.mark.skipif(not SAMPLE_BULLETINS.is_dir(),
                    reason=f"sample bulletins not found at {SAMPLE_BULLETINS}")
def test_ingested_archive_loads_cleanly(tmp_path):
    """Articles written by ingest pass the content stage's validation with no diagnostics."""
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(REPO / "config.yaml", site / "config.yaml")
    config = load_config(site / "config.yaml")
    code = ingest_paths(config, [SAMPLE_BULLETINS], dry_run=False, force=False, report=False)
    assert code == 0
    library = load_library(site / "content", project_root=site)
    assert library.diagnostics == []
    expected_total = sum(len(yaml.safe_load(p.read_text(encoding="utf-8"))["articles"])
                         for p in SHARED_SAMPLES)
    assert len(library.articles) == expected_total
    bulletins, problems = load_bulletins(site / "content", site)
    assert problems == []
    assert sorted(b.name for b in bulletins) == sorted(p.name for p in SAMPLE_BULLETINS.glob("*.txt"))
    for bulletin in bulletins:
        paths = [a["path"] for a in bulletin.meta["articles"]]
        assert paths and all((site / p).is_file() for p in paths)
        assert bulletin.meta["unassigned"] == []
    by_source = {a.source for a in library.articles}
    assert by_source == {b.name for b in bulletins}


def test_synthetic_bulletins_ingest_cleanly_and_idempotently(tmp_path):
    """The synthetic bulletins (GB18030, Big5, UTF-8) go through the command's code path: files
    written, the archive loads with no diagnostics, a second run changes nothing."""
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(REPO / "config.yaml", site / "config.yaml")
    config = load_config(site / "config.yaml")
    assert ingest_paths(config, SYNTHETIC, dry_run=False, force=False, report=False) == 0
    library = load_library(site / "content", project_root=site)
    assert library.diagnostics == []
    expected_total = sum(len(yaml.safe_load((EXPECTED / f"{p.stem}.yaml").read_text(
        encoding="utf-8"))["articles"]) for p in SYNTHETIC)
    assert len(library.articles) == expected_total
    before = {p: p.read_bytes() for p in (site / "content").rglob("*") if p.is_file()}
    assert ingest_paths(config, SYNTHETIC, dry_run=False, force=False, report=False) == 0
    after = {p: p.read_bytes() for p in (site / "content").rglob("*") if p.is_file()}
    assert after == before
    big5 = next(a for a in library.articles if a.source.startswith("007_"))
    assert "廈門" in big5.title and big5.url.endswith("/xia-men-gong-hui-wei-yi-xian-zhi/")
