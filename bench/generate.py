"""Deterministic synthetic corpus for the benchmark: N Chinese news articles in a project folder.

Why synthetic: the five sample bulletins hold only ~400 distinct sentences, far too small a
vocabulary for index sizes and query costs to look like a real archive. Each body mixes
sentences of the samples with sentences made of words drawn by frequency from jieba's own
dictionary (349k words with corpus counts), so term statistics follow a real Zipf curve.
Regions are real places from the project's gazetteer (31 provinces, ~200 cities, their
counties), dates span 2019-2025 (some year-only), tags come from config.yaml.

Every article is generated from its own ``random.Random(f"{seed}:{index}")``, so the corpus
is the same on every run and machine, article i is the same whatever N, and generation runs
in parallel. The front-matter is also valid Hugo front-matter (``regions`` carries the whole
province → city → county chain so Hugo's taxonomy pages roll up like ours).

    python bench/generate.py --n 10000 --out bench/work/n10000
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import re
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from random import Random

import yaml

REPO = Path(__file__).resolve().parent.parent
DEFAULT_BULLETINS = REPO / "content" / "bulletins"
GENERATOR_VERSION = 1
YEARS = tuple(range(2019, 2026))
CITY_COUNT = 200
BODY_CHARS = (600, 1500)

_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]+$")
_SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]?")
_HAS_CJK = re.compile(r"[\u4e00-\u9fff]")

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红梅鑫波斌宇浩凯健俊帆帅旭宁"
    "琳晨辉鹏飞云龙峰婷雪颖倩佳欣怡晓东海亮松林国庆建新志文春燕兰凤洁蕾"
)
KINDS = (("news", 80), ("feature", 8), ("notice", 5), ("photo", 3), ("editorial", 2), ("digest", 2))
GROUPS = ("困难职工", "一线职工", "快递小哥", "外卖骑手", "环卫工人", "农民工", "劳动模范", "货车司机",
          "留岗职工", "新就业形态劳动者", "户外劳动者", "医务人员", "建筑工人", "网约车司机")
THINGS = ("慰问金", "年货礼包", "新春祝福", "暖心年夜饭", "春联福字", "返乡车票", "健康体检",
          "法律服务", "技能培训", "爱心驿站", "米面油", "御寒衣物")
ACTIONS = ("开展“两节”送温暖活动", "走访慰问困难职工", "启动新春慰问", "举办留岗过年系列活动",
           "为职工送上新春祝福", "发放慰问资金", "开展就业援助月活动", "推进稳岗留工",
           "召开送温暖工作部署会", "开展“工会进万家”活动", "举办迎新春职工文艺演出")
TITLE_PATTERNS = (
    "{place}总工会{action}",
    "{place}：{tag}暖人心",
    "{place}工会为{group}送上{thing}",
    "{place}{group}收到“娘家人”的{thing}",
    "{heading}",
    "{place}{word}{word2}：{tag}在行动",
    "{year}年{place}{action}",
    "{place}：{group}{word}有了“{word2}”",
)


@dataclass(frozen=True)
class Vocabulary:
    sentences: tuple[str, ...]  # sentences of the sample bulletins
    headings: tuple[str, ...]  # short lines without a full stop: sub-heads of the samples
    words: tuple[str, ...]  # jieba dictionary words (CJK only)
    cumulative: tuple[int, ...]  # cumulative frequencies of ``words``, for weighted draws
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Places:
    cities: tuple[tuple[str, tuple[str, ...]], ...]  # (city path, its county paths)
    city_weights: tuple[float, ...]


def read_bulletins(folder: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Distinct whole sentences and sub-heads of the sample bulletins, in a stable order.

    The bulletins are hard-wrapped, so lines are joined within blank-line separated blocks
    before splitting into sentences; a short block without a full stop is a sub-head.
    """
    sentences: dict[str, None] = {}
    headings: dict[str, None] = {}
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for block in re.split(r"\n\s*\n", text):
            joined = "".join(line.strip() for line in block.splitlines())
            if not joined:
                continue
            if not re.search("[。！？]", joined) and 6 <= len(joined) <= 28 and _HAS_CJK.search(joined):
                headings[" ".join(joined.split())] = None
                continue
            for s in _SENTENCE.findall(joined):
                s = s.strip().lstrip("”’」』")
                if (len(s) >= 8 and s[-1] in "。！？" and _HAS_CJK.search(s)
                        and not s.startswith(("#", "-", "*", ">", "|"))):
                    sentences[s] = None
    return tuple(sentences), tuple(headings)


def read_jieba_dictionary() -> tuple[tuple[str, ...], tuple[int, ...]]:
    """(words, cumulative counts) from jieba/dict.txt: ``word count tag`` per line."""
    import jieba

    path = Path(jieba.__file__).parent / "dict.txt"
    words: list[str] = []
    cumulative: list[int] = []
    total = 0
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) < 2 or not _CJK_WORD.match(parts[0]):
                continue
            total += int(parts[1])
            words.append(parts[0])
            cumulative.append(total)
    return tuple(words), tuple(cumulative)


def repo_tags() -> tuple[str, ...]:
    data = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    return tuple(data.get("ingest", {}).get("tags", []))


@cache
def vocabulary(bulletins: str) -> Vocabulary:
    sentences, headings = read_bulletins(Path(bulletins))
    if not sentences:
        raise SystemExit(f"no sentences found in {bulletins}/*.txt")
    words, cumulative = read_jieba_dictionary()
    return Vocabulary(sentences, headings, words, cumulative, repo_tags())


@cache
def places(seed: int) -> Places:
    """~200 real cities over the 31 mainland provinces, with Zipf-like article shares."""
    from site_builder.gazetteer import default_gazetteer

    rng = Random(f"{seed}:places")
    mainland = [p for p in default_gazetteer().provinces if p.name not in ("香港", "澳门", "台湾")]
    all_cities = [c for p in mainland for c in p.children]
    per_province = {p.path: [c for c in p.children] for p in mainland}
    chosen = [rng.choice(cs) for cs in per_province.values() if cs]  # every province once
    rest = [c for c in all_cities if c not in chosen]
    chosen += rng.sample(rest, CITY_COUNT - len(chosen))
    rng.shuffle(chosen)
    cities = tuple((c.path, tuple(k.path for k in c.children)) for c in chosen)
    weights = tuple(1 / (rank + 1) ** 0.8 for rank in range(len(cities)))
    return Places(cities, weights)


def _draw_words(rng: Random, vocab: Vocabulary, k: int) -> list[str]:
    total = vocab.cumulative[-1]
    return [vocab.words[bisect.bisect_right(vocab.cumulative, rng.random() * total)]
            for _ in range(k)]


def _synthetic_sentence(rng: Random, vocab: Vocabulary, topical: list[str]) -> str:
    """6-18 dictionary words by frequency, commas every few words, sometimes a topic word."""
    words = _draw_words(rng, vocab, rng.randint(6, 18))
    if rng.random() < 0.5:
        words.insert(rng.randrange(len(words) + 1), rng.choice(topical))
    out: list[str] = []
    for i, w in enumerate(words):
        out.append(w)
        if i < len(words) - 1 and rng.random() < 0.18:
            out.append("，")
    return "".join(out) + rng.choice("。。。。！")


def _body(rng: Random, vocab: Vocabulary, topical: list[str]) -> str:
    target = rng.randint(*BODY_CHARS)
    paragraphs: list[str] = []
    length = 0
    heading_done = rng.random() > 0.3
    while length < target:
        if not heading_done and paragraphs and vocab.headings:
            paragraphs.append("## " + rng.choice(vocab.headings))
            heading_done = True
        para = ""
        for _ in range(rng.randint(2, 5)):
            sentence = (rng.choice(vocab.sentences) if rng.random() < 0.4
                        else _synthetic_sentence(rng, vocab, topical))
            if length + len(para) + len(sentence) > BODY_CHARS[1]:
                break
            para += sentence
            if length + len(para) >= target:
                break
        if not para:
            break
        paragraphs.append(para)
        length += len(para)
    return "\n\n".join(paragraphs) + "\n"


def _region(rng: Random, where: Places) -> tuple[str, list[str]]:
    """(region path, regions list with every ancestor, for roll-up in both generators)."""
    if rng.random() < 0.04:
        return "全国", ["全国"]
    city, counties = rng.choices(where.cities, weights=where.city_weights)[0]
    roll = rng.random()
    if roll < 0.15:
        region = city.split("/")[0]
    elif roll < 0.6 or not counties:
        region = city
    else:
        region = rng.choice(counties)
    paths = [region]
    if rng.random() < 0.1:
        other, _ = rng.choices(where.cities, weights=where.city_weights)[0]
        paths.append(other)
    chain: list[str] = []
    for p in paths:
        parts = p.split("/")
        for i in range(1, len(parts) + 1):
            if "/".join(parts[:i]) not in chain:
                chain.append("/".join(parts[:i]))
    return region, chain


def _date(rng: Random) -> tuple[int, str | None]:
    year = rng.choice(YEARS)
    if rng.random() < 0.15:
        return year, None
    month = rng.choices((1, 2, 12, rng.randint(3, 11)), weights=(45, 35, 10, 10))[0]
    day = rng.randint(1, 28 if month == 2 else 30)
    return year, f"{year:04d}-{month:02d}-{day:02d}"


def _title(rng: Random, vocab: Vocabulary, place: str, tags: list[str], year: int) -> str:
    pattern = rng.choice(TITLE_PATTERNS)
    if pattern == "{heading}" and not vocab.headings:
        pattern = TITLE_PATTERNS[0]
    w = _draw_words(rng, vocab, 2)
    return pattern.format(
        place=place, action=rng.choice(ACTIONS), tag=tags[0] if tags else "送温暖",
        group=rng.choice(GROUPS), thing=rng.choice(THINGS), word=w[0], word2=w[1],
        heading=rng.choice(vocab.headings) if vocab.headings else "", year=year)


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def article(index: int, seed: int, bulletins: str) -> tuple[str, str]:
    """(relative path under content/articles, file text) of article ``index``."""
    rng = Random(f"{seed}:{index}")
    vocab = vocabulary(bulletins)
    region, chain = _region(rng, places(seed))
    year, date = _date(rng)
    tag_pool = vocab.tags or ("送温暖",)
    weights = [1 / (i + 1) for i in range(len(tag_pool))]
    tags = list(dict.fromkeys(rng.choices(tag_pool, weights=weights, k=rng.randint(1, 4))))
    place = region.split("/")[-1]
    topical = [place, *tags, *rng.sample(GROUPS, 3), *rng.sample(THINGS, 2), "工会", "职工"]
    title = _title(rng, vocab, place, tags, year)
    kind = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
    authors = ["".join((rng.choice(SURNAMES), *rng.sample(GIVEN, rng.randint(1, 2))))
               for _ in range(rng.choice((0, 1, 1, 2, 2, 3)))]
    lines = ["---", f"title: {_q(title)}"]
    if date:  # both, so Hugo's `year` taxonomy sees every article; they must agree
        lines.append(f"date: {date}")
    lines.append(f"year: {year}")
    lines.append(f"region: {_q(region)}")
    lines.append("regions: [" + ", ".join(_q(r) for r in chain) + "]")
    if authors:
        lines.append("authors: [" + ", ".join(_q(a) for a in authors) + "]")
    lines.append("tags: [" + ", ".join(_q(t) for t in tags) + "]")
    if kind != "news":
        lines.append(f"kind: {kind}")
    lines.append("---")
    body = _body(rng, vocab, topical)
    slug = "national" if region == "全国" else _region_slug(region)
    return f"{year}/{slug}-{index:06d}.md", "\n".join(lines) + "\n\n" + body


@cache
def edit_paragraph(i: int, seed: int, bulletins: str) -> str:
    """The i-th paragraph an edit step adds: the first sentences of another article's body,
    different for every i, so each edit brings words and characters of its own (an edit
    that changes only a digit touches a few search records; a new paragraph, hundreds)."""
    _, text = article(10_000_000 + i, seed, bulletins)
    body = text.split("\n---\n", 1)[1].strip().split("\n")[0]
    sentences = [x for x in body.split("。") if x.strip()]
    paragraph = ""
    for sentence in sentences:
        paragraph += sentence.strip() + "。"
        if len(paragraph) >= 40:
            break
    return paragraph[:160]


def _region_slug(path: str) -> str:
    from site_builder.gazetteer import default_gazetteer

    return default_gazetteer().by_path[path].slug_path.replace("/", "-")


def _write_chunk(args: tuple[Path, range, int, str]) -> int:
    articles_dir, indices, seed, bulletins = args
    chars = 0
    for i in indices:
        rel, text = article(i, seed, bulletins)
        path = articles_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        chars += len(text)
    return chars


def write_config(project: Path, templates: Path) -> None:
    """The repo's config.yaml, pointing at the repo's templates by absolute path."""
    data = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    data.setdefault("paths", {})
    data["paths"].update({"content": "content", "templates": str(templates.resolve()),
                          "output": "output"})
    (project / "config.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def generate(out: Path, n: int, *, seed: int = 6, bulletins: Path = DEFAULT_BULLETINS,
             templates: Path = REPO / "templates", jobs: int | None = None) -> dict:
    """Write a fresh project folder with ``n`` articles; return its manifest."""
    started = time.perf_counter()
    articles_dir = out / "content" / "articles"
    if articles_dir.exists():
        shutil.rmtree(articles_dir)
    articles_dir.mkdir(parents=True)
    write_config(out, templates)
    jobs = jobs or min(os.cpu_count() or 1, 4)
    step = max(1, min(2000, n // (jobs * 4) or 1))
    chunks = [(articles_dir, range(i, min(i + step, n)), seed, str(bulletins))
              for i in range(0, n, step)]
    if jobs > 1 and n > 2000:
        with ProcessPoolExecutor(jobs) as pool:
            chars = sum(pool.map(_write_chunk, chunks))
    else:
        chars = sum(map(_write_chunk, chunks))
    manifest = {"generator_version": GENERATOR_VERSION, "n": n, "seed": seed,
                "characters": chars, "seconds": round(time.perf_counter() - started, 2)}
    (out / "bench-manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def corpus_stats(out: Path) -> dict:
    """Counts a reader of the benchmark cares about: files, bytes, provinces, cities, years."""
    provinces, cities, years = set(), set(), set()
    files = size = 0
    for path in (out / "content" / "articles").rglob("*.md"):
        files += 1
        size += path.stat().st_size
        years.add(path.parent.name)
        head = path.read_text(encoding="utf-8").split("\n---", 1)[0]
        region = json.loads(next(line for line in head.splitlines()
                                 if line.startswith("region:")).split(":", 1)[1])
        parts = region.split("/")
        provinces.add(parts[0])
        if len(parts) > 1:
            cities.add("/".join(parts[:2]))
    return {"files": files, "bytes": size, "provinces": len(provinces - {"全国"}),
            "cities": len(cities), "years": sorted(years)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="number of articles")
    parser.add_argument("--out", type=Path, help="project folder (default bench/work/n<N>)")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--bulletins", type=Path, default=DEFAULT_BULLETINS)
    parser.add_argument("--stats", action="store_true", help="print corpus counts afterwards")
    args = parser.parse_args(argv)
    out = args.out or REPO / "bench" / "work" / f"n{args.n}"
    manifest = generate(out, args.n, seed=args.seed, bulletins=args.bulletins)
    print(f"wrote {args.n} articles ({manifest['characters']:,} characters) to {out} "
          f"in {manifest['seconds']} s", file=sys.stderr)
    if args.stats:
        print(json.dumps(corpus_stats(out), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
