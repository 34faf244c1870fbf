"""A page of many items is cut with work in proportion to its size (counted, not timed)."""

from __future__ import annotations

import random

from site_builder.ingest import split
from site_builder.ingest.cut import cut_bulletin

PLACES = ["无锡", "苏州", "宁波", "郑州", "洛阳", "成都", "昆明", "长沙", "合肥", "济南"]
VERBS = ["慰问", "走访", "看望", "服务", "帮扶", "关爱", "表彰", "培训"]
GROUPS = ["一线职工", "困难职工", "环卫工人", "快递小哥", "劳动模范", "外卖骑手", "农民工"]


def many_items(n: int, seed: int = 7) -> str:
    rnd = random.Random(seed)
    lines = []
    for i in range(n):
        place, verb, group = rnd.choice(PLACES), rnd.choice(VERBS), rnd.choice(GROUPS)
        lines += [f"{place}第{i}批工会{verb}{group}", "",
                  f"本报讯（记者 王{'甲乙丙丁'[i % 4]}）{i % 12 + 1}月{i % 28 + 1}日，{place}市总工会"
                  f"{verb}{group}{i}人，送去慰问金{i * 3}万元。", ""]
    return "\n".join(lines)


def test_headline_matching_scores_a_bounded_number_of_pairs(monkeypatch):
    """Every (headline, body) pair was scored before: 600 items made 360,000 comparisons and
    3,000 items took over a minute. Now a headline is scored against the bodies next to it
    and those sharing its rarest words only."""
    calls = 0
    adjacency = split._adjacency

    def counted(*args):
        nonlocal calls
        calls += 1
        return adjacency(*args)

    monkeypatch.setattr(split, "_adjacency", counted)
    n = 600
    cut = cut_bulletin(many_items(n), [])
    assert len(cut.articles) == n
    assert calls <= 60 * n, calls
    for i, article in enumerate(cut.articles):  # each headline still found its own body
        assert f"第{i}批" in article.meta.title
        assert f"{i}人，" in article.draft.pieces[0].text
    assert cut.unassigned == ""
