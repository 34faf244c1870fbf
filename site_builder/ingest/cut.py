"""The pure part of ingest: bulletin text → articles with front-matter, plus the accounting
that proves every character went somewhere. No file is read or written here."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..gazetteer import Gazetteer, default_gazetteer
from .jumps import rejoin_jumps
from .metadata import ArticleMeta, Evidence, article_meta, banner_tags, page_evidence
from .repair import Page, repair
from .split import Draft, split_page
from .text import char_counts


@dataclass
class CutArticle:
    draft: Draft
    meta: ArticleMeta

    @property
    def chars(self) -> int:
        return sum(char_counts(self.draft.page_texts()).values())


@dataclass
class Cut:
    """A bulletin cut into articles, with what is left over (normally nothing)."""

    text: str
    page: Page
    evidence: Evidence
    articles: list[CutArticle]
    unassigned: str = ""  # characters of the input found in no article, furniture or repair
    surplus: str = ""  # characters output more often than input (a bug if ever non-empty)
    accounting: dict = field(default_factory=dict)


def cut_bulletin(text: str, tags: list[str], gazetteer: Gazetteer | None = None) -> Cut:
    gaz = gazetteer or default_gazetteer()
    page = repair(text)
    drafts = split_page(page)
    drafts = rejoin_jumps(drafts, gaz)
    evidence = page_evidence(page.header, drafts)
    series = tuple(banner_tags(page.banners))
    articles = [CutArticle(d, article_meta(d, evidence, tags, gaz, series=series))
                for d in drafts]
    cut = Cut(text=text, page=page, evidence=evidence, articles=articles)
    account(cut)
    return cut


def kept_texts(cut: Cut) -> list[str]:
    """All page text ingest kept: article texts, furniture lines and removed repeats."""
    out: list[str] = []
    for article in cut.articles:
        out.extend(article.draft.page_texts())
    out.extend(f.text for f in cut.page.furniture)
    out.extend(d.text for d in cut.page.dropped)
    return out


def account(cut: Cut) -> None:
    """The nothing-lost invariant: the input's non-space characters (vertical forms taken as
    horizontal) equal, as a multiset, those of articles + furniture + dropped repeats."""
    source = char_counts([cut.text])
    kept = char_counts(kept_texts(cut))
    missing: Counter = source - kept
    extra: Counter = kept - source
    cut.unassigned = "".join(sorted(missing.elements()))
    cut.surplus = "".join(sorted(extra.elements()))
    cut.accounting = {"source": sum(source.values()), "kept": sum(kept.values())}
