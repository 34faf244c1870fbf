"""Region, year and tag listings, neighbours and related articles."""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict
from dataclasses import dataclass, field

from ..content import Article
from ..gazetteer import Region
from ..slugs import ascii_slug

RELATED_COUNT = 5
RELATED_WINDOW = 12  # nearby articles considered per shared place or tag


@dataclass
class RegionNode:
    """A region that has articles, in its own right or through its sub-regions."""

    region: Region
    articles: list[Article] = field(default_factory=list)  # newest first, rolled up
    children: list[RegionNode] = field(default_factory=list)
    years: dict[int, list[Article]] = field(default_factory=dict)  # newest year first

    @property
    def url(self) -> str:
        return f"regions/{self.region.slug_path}/"

    def year_url(self, year: int) -> str:
        return f"{self.url}{year}/"

    @property
    def province(self) -> str:
        return self.region.names[0] if self.region.names else self.region.path


@dataclass
class YearNode:
    year: int
    articles: list[Article] = field(default_factory=list)
    by_province: list[tuple[RegionNode, list[Article]]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"years/{self.year}/"


@dataclass
class TagNode:
    name: str
    slug: str
    articles: list[Article] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"tags/{self.slug}/"


@dataclass
class Archive:
    articles: list[Article]  # newest first
    regions: dict[str, RegionNode]  # by canonical path, every level, 全国 included
    provinces: list[RegionNode]  # top level, 全国 first when present, then by article count
    years: list[YearNode]  # newest first
    tags: list[TagNode]  # by article count, then name
    previous: dict[str, Article]  # article id → older article, same region and year
    next: dict[str, Article]  # article id → newer article, same region and year
    related: dict[str, list[Article]]  # article id → related articles, best first

    def ancestry(self, region: Region) -> list[RegionNode]:
        """Nodes from the province down to ``region``, for breadcrumbs."""
        if region.is_national:
            return [self.regions[region.path]]
        return [self.regions[r.path] for r in region.ancestors()]


def build_archive(articles: list[Article]) -> Archive:
    """Group articles (already sorted newest first) into every listing the site shows."""
    regions = _regions(articles)
    provinces = [n for n in regions.values() if n.region.level <= 1]
    provinces.sort(key=lambda n: (not n.region.is_national, -len(n.articles), n.region.code))
    by_year: dict[int, list[Article]] = defaultdict(list)
    for a in articles:
        by_year[a.year].append(a)
    years = []
    for year in sorted(by_year, reverse=True):
        node = YearNode(year, by_year[year])
        grouped: dict[str, list[Article]] = defaultdict(list)
        for a in node.articles:
            for top in dict.fromkeys(r.names[0] if r.names else r.path for r in a.regions):
                grouped[top].append(a)
        node.by_province = [(p, grouped[p.region.path]) for p in provinces
                            if grouped.get(p.region.path)]
        years.append(node)
    tags: dict[str, TagNode] = {}
    for a in articles:
        for tag in a.tags:
            if tag not in tags:
                tags[tag] = TagNode(tag, _tag_slug(tag, tags))
            tags[tag].articles.append(a)
    previous, nxt = _neighbours(articles)
    return Archive(
        articles=articles,
        regions=regions,
        provinces=provinces,
        years=years,
        tags=sorted(tags.values(), key=lambda t: (-len(t.articles), t.slug)),
        previous=previous,
        next=nxt,
        related=_related(articles),
    )


def _regions(articles: list[Article]) -> dict[str, RegionNode]:
    nodes: dict[str, RegionNode] = {}
    for a in articles:
        seen: set[str] = set()
        for region in a.regions:
            chain = [region] if region.is_national else region.ancestors()
            for r in chain:
                node = nodes.get(r.path)
                if node is None:
                    node = nodes[r.path] = RegionNode(r)
                if r.path not in seen:  # an article counts once per region page
                    seen.add(r.path)
                    node.articles.append(a)
    for node in nodes.values():
        node.articles.sort(key=lambda a: a.sort_key)
        node.children = sorted(
            (nodes[c.path] for c in node.region.children if c.path in nodes),
            key=lambda n: (-len(n.articles), n.region.code),
        )
        grouped: dict[int, list[Article]] = defaultdict(list)
        for a in node.articles:
            grouped[a.year].append(a)
        node.years = {y: grouped[y] for y in sorted(grouped, reverse=True)}
    return dict(sorted(nodes.items(), key=lambda kv: kv[1].region.code))


def _tag_slug(tag: str, existing: dict[str, TagNode]) -> str:
    slug = ascii_slug(tag)
    taken = {t.slug for t in existing.values()}
    base, n = slug, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _neighbours(articles: list[Article]) -> tuple[dict[str, Article], dict[str, Article]]:
    """Older/newer article in the same (primary) region and year."""
    groups: dict[tuple[str, int], list[Article]] = defaultdict(list)
    for a in articles:
        groups[(a.region.path, a.year)].append(a)
    previous: dict[str, Article] = {}
    nxt: dict[str, Article] = {}
    for items in groups.values():  # newest first
        for newer, older in itertools.pairwise(items):
            previous[newer.id] = older
            nxt[older.id] = newer
    return previous, nxt


def _related(articles: list[Article]) -> dict[str, list[Article]]:
    """Articles sharing places and tags, best first; among equals, the nearer in time.

    A shared county weighs 3, city 2, province 1, each shared tag 1. Candidates come from a
    window of articles near in date within each shared place or tag, so the cost stays
    linear in the archive size however large a tag grows.
    """
    buckets: dict[str, list[int]] = defaultdict(list)  # feature → article indexes, newest first
    features: list[dict[str, float]] = []
    for i, a in enumerate(articles):
        f: dict[str, float] = {f"t:{tag}": 1.0 for tag in a.tags}
        for region in a.regions:
            for depth in range(len(region.names)):
                f["r:" + "/".join(region.names[: depth + 1])] = (1.0, 2.0, 3.0)[min(depth, 2)]
        features.append(f)
        for key in f:
            buckets[key].append(i)
    related: dict[str, list[Article]] = {}
    for i, a in enumerate(articles):
        scores: dict[int, float] = defaultdict(float)
        for key, weight in features[i].items():
            bucket = buckets[key]
            at = bisect.bisect_left(bucket, i)
            for j in bucket[max(0, at - RELATED_WINDOW): at + RELATED_WINDOW + 1]:
                scores[j] += weight
        scores.pop(i, None)
        best = sorted(scores, key=lambda j: (-scores[j], abs(i - j), j))[:RELATED_COUNT]
        related[a.id] = [articles[j] for j in best if scores[j] >= 2.0]
    return related
