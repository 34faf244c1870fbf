"""The evaluation corpus (tests/fixtures/evaluation): ingest holds the issue's targets on the
tuning splits (tuning, tuning2, tuning3: rules were developed on them) and on the held-out
splits (heldout, heldout4: scored only, never tuned on), and the scorer counts what it says it
counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO

from site_builder.config import load_config
from site_builder.ingest.evaluate import evaluate, main, score_page

CORPUS = Path(__file__).parent / "fixtures" / "evaluation"
TAGS = list(load_config(REPO / "config.yaml").ingest.tags)


@pytest.mark.parametrize("split", ["tuning", "tuning2", "tuning3", "heldout", "heldout4"])
def test_targets_hold(split):
    summary, _ = evaluate(CORPUS / split, TAGS)
    assert summary.f1 >= 0.95
    assert summary.fields["title"] >= 0.90
    assert summary.fields["region"] >= 0.90
    assert summary.fields["authors"] >= 0.90
    assert summary.fields["year"] == summary.fields["date"] == 1.0
    assert summary.lost == 0


def test_corpus_size_and_split():
    pages = {s: sorted((CORPUS / s).glob("*.yaml")) for s in ("tuning", "heldout")}
    assert sum(len(p) for p in pages.values()) >= 25
    assert len(pages["heldout"]) * 3 >= sum(len(p) for p in pages.values()) - 1  # a third
    import yaml

    articles = sum(len(yaml.safe_load(p.read_text(encoding="utf-8"))["articles"])
                   for ps in pages.values() for p in ps)
    assert articles >= 80


def test_a_wrong_truth_is_counted_as_a_miss(tmp_path):
    """Merged articles and wrong fields are misses, not silently passed."""
    source = CORPUS / "tuning" / "t16_hubei_four_items"
    (tmp_path / "p.txt").write_bytes(source.with_suffix(".txt").read_bytes())
    truth = source.with_suffix(".yaml").read_text(encoding="utf-8")
    # Claim the first two items are one article, and a wrong region for the third.
    truth = truth.replace("  ends: 春联，提供法律咨询。\n", "  ends: 慰问一线职工八千人。\n", 1)
    truth = truth.replace("region: 湖北/襄阳", "region: 湖北/武汉")
    (tmp_path / "p.yaml").write_text(truth, encoding="utf-8")
    score, _ = score_page(tmp_path / "p.yaml", TAGS)
    assert (score.truth, score.cut, score.found) == (4, 4, 3)
    assert score.fields["region"] == 3


def test_command_prints_split_and_field_scores(capsys):
    assert main([str(CORPUS / "tuning"), "--config", str(REPO / "config.yaml")]) == 0
    out = capsys.readouterr().out
    assert "split  P 1.000  R 1.000  F1 1.000" in out and "characters lost 0" in out
    assert "title" in out and "region" in out and "authors" in out and "kind" in out
