"""Generated projects for the search tests, and the answer a search must give.

``write_site`` makes many articles from the bundled bulletins' sentences, ``small_site`` four
for ranking, ``index_site`` writes a project's search index without its pages, and
``brute_force`` scans every article for a term (what an exact search must find).
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

from conftest import REPO, SAMPLE_BULLETINS

from site_builder.config import load_config
from site_builder.content import load_library
from site_builder.search import write_search_index
from site_builder.search.analysis import normalize
from site_builder.search.schema import searchable_parts

REGIONS = ["江苏/无锡/江阴", "江苏/无锡", "江苏/南京", "浙江/宁波/海曙", "浙江/杭州", "山西",
           "广东/深圳", "全国", "北京"]


def sentences() -> list[str]:
    """The sentences of the bundled sample bulletins, as generated articles' text."""
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(SAMPLE_BULLETINS.glob("*.txt")))
    parts = [s.strip() for s in text.replace("\n", "。").split("。")]
    return [s + "。" for s in parts if 8 <= len(s) <= 80] or ["各级工会开展送温暖活动。"]


def write_site(root: Path, n: int, seed: int = 7) -> Path:
    """A project with n generated articles: bulletin sentences, varied places and years,
    some in traditional characters, full-width digits and Latin, line breaks inside words."""
    import opencc

    to_trad = opencc.OpenCC("s2t")
    rng = random.Random(seed)
    pool = sentences()
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    shutil.copytree(REPO / "templates", root / "templates")
    for i in range(n):
        body = [" ".join(rng.sample(pool, 3)) for _ in range(rng.randint(2, 4))]
        title = rng.choice(pool)[:rng.randint(6, 18)].rstrip("。")
        if i % 9 == 0:
            body = [to_trad.convert(p) for p in body]
        if i % 7 == 0:
            body.append("热线１２３５１ 和 iPhone 抽奖，2025年")
        if i % 5 == 0:
            body.append("送温\n暖活动，快递小\n哥")
        year = 2020 + i % 6
        front = {"title": title, "date": f"{year}-0{1 + i % 2}-{10 + i % 18}",
                 "region": REGIONS[i % len(REGIONS)], "tags": rng.sample(["送温暖", "年货",
                 "快递小哥", "困难职工"], 2), "kind": "feature" if i % 4 == 0 else "news"}
        if i % 11 == 3:  # the year only, as ingest writes when a page gives no date
            del front["date"]
            front["year"] = year
        folder = root / "content" / "articles" / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"a{i:04d}.md").write_text(
            "---\n" + json.dumps(front, ensure_ascii=False) + "\n---\n\n" + "\n\n".join(body),
            encoding="utf-8")
    return root


def index_site(root: Path):
    """The search index of the project at ``root``, written without building its pages:
    (config, articles, the index's statistics)."""
    config = load_config(root / "config.yaml")
    library = load_library(config.content_dir, project_root=root)
    assert not library.errors, library.errors
    stats = write_search_index(library.articles, config, root / "output")
    return config, library.articles, stats


def brute_force(articles, term: str) -> set[str]:
    """The URLs of the articles whose searchable text contains ``term``: what an exact
    search must answer, found by scanning every article."""
    return {a.url for a in articles
            if any(normalize(term) in normalize(p) for p in searchable_parts(a))}


def small_site(tmp_path: Path) -> Path:
    """Four articles in ``tmp_path/site`` for ranking: the phrase 快递小哥 in a title, twice in
    a body and once in a body; one in traditional characters with markup-like text."""
    root = tmp_path / "site"
    root.mkdir()
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    folder = root / "content" / "articles" / "2024"
    folder.mkdir(parents=True)
    filler = "各地工会走访慰问一线职工，送去年货和慰问金。" * 6
    docs = {
        "titled": ("快递小哥的春节", "2024-02-01", filler),
        "once": ("工会走访一线", "2024-02-09", filler + "也看望了快递小哥。"),
        "twice": ("新春慰问活动", "2024-02-05", filler + "快递小哥，快递小哥。"),
        "trad": ("溫暖送到家", "2023-12-30", "為職工送溫暖，a<b 與 \"引號\""),
    }
    for slug, (title, date, body) in docs.items():
        (folder / f"{slug}.md").write_text(
            f"---\ntitle: {title}\ndate: {date}\nregion: 江苏/无锡\n---\n\n{body}\n",
            encoding="utf-8")
    return root
