"""content.loader: the summary an article gets when its front matter gives none."""

from __future__ import annotations

from pathlib import Path

from site_builder.content import Article
from site_builder.content.loader import load_article
from site_builder.gazetteer import default_gazetteer

HEAD = "---\ntitle: 一封信\ndate: 2021-01-20\nregion: 江苏/无锡\n---\n"


def summary_of(tmp_path: Path, body: str) -> str:
    (tmp_path / "articles").mkdir(exist_ok=True)
    path = tmp_path / "articles" / "a.md"
    path.write_text(HEAD + body, encoding="utf-8")
    article = load_article(path, "content/articles/a.md", tmp_path, default_gazetteer())
    assert isinstance(article, Article), article
    return article.summary


def test_a_salutation_is_passed_over_for_the_first_paragraph_that_says_something(tmp_path):
    body = "## 写给读者\n\n亲爱的各位读者朋友：\n\n今年春节，市总工会走访慰问了一线职工。\n"
    assert summary_of(tmp_path, body) == "今年春节，市总工会走访慰问了一线职工。"


def test_a_paragraph_that_only_opens_with_a_colon_clause_is_kept(tmp_path):
    body = "市总工会：春节前走访慰问困难职工一千余户，覆盖全市各区县。\n"
    assert summary_of(tmp_path, body) == "市总工会：春节前走访慰问困难职工一千余户，覆盖全市各区县。"


def test_a_body_of_nothing_but_a_salutation_keeps_it(tmp_path):
    assert summary_of(tmp_path, "各位会员：\n") == "各位会员："
