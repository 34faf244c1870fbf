"""What carries over between builds of one site: parsed articles, compiled templates, the
last plan — in memory for the dev server, in ``.site-builder/`` between processes."""

from __future__ import annotations

import os

from .archive import build_archive
from .config import Config
from .content import Library, load_library
from .content.bulletins import Bulletin, load_bulletins
from .content.cache import ArticleCache
from .errors import Diagnostic
from .render import make_environment, plan_site, reuse
from .search.stage import preload

STATE_DIR = ".site-builder"


class Builder:
    """One site's builds: its settings and what carries over from one build to the next."""

    def __init__(self, config: Config, *, strict: bool = False, drafts: bool = False,
                 future: bool = False, workers: int | None = None,
                 save_cache: bool = True) -> None:
        self.config, self.strict, self.drafts, self.future = config, strict, drafts, future
        self.workers = workers or os.cpu_count() or 1
        # False: a long-lived caller (the dev server) keeps the plan in memory and saves the
        # parse cache and plan itself (Builder.save, on exit)
        self.save_cache = save_cache
        self.state = config.root / STATE_DIR
        self.cache = ArticleCache(self.state / "cache" / "articles.pickle",
                                  trusted_html=config.trusted_html)
        self.env = make_environment(config, self.state / "cache" / "templates")
        self.plan_file = self.state / "cache" / "plan.pickle"
        self.plan: reuse.Plan | None = None  # the last build's, reused when only bodies changed
        self._saved_plan: reuse.Plan | None = None
        self.last_report = None  # the BuildReport of its last build
        if not save_cache:
            preload(config)  # each rebuild's search process inherits its code

    def load(self) -> tuple[Library, list[Bulletin], list[Diagnostic]]:
        config = self.config
        library = load_library(config.content_dir, project_root=config.root, drafts=self.drafts,
                               future=self.future, trusted_html=config.trusted_html,
                               cache=self.cache, workers=self.workers)
        bulletins, problems = load_bulletins(config.content_dir, config.root)
        return library, bulletins, self._grade(library.diagnostics + problems)

    def reused_plan(self, articles: list, bulletins: list[Bulletin]) -> reuse.Plan | None:
        """The last build's plan brought up to date, when only article bodies changed."""
        if self.plan is None:  # this process has none: the last build's, if it was kept
            self.plan = self._saved_plan = reuse.load(self.plan_file, self.site_key(), articles)
        return self.plan.updated(articles, bulletins) if self.plan else None

    def new_plan(self, articles: list, bulletins: list[Bulletin]) -> reuse.Plan:
        archive = build_archive(articles)
        return reuse.Plan.make(archive, plan_site(archive, bulletins, self.config), bulletins)

    def save(self) -> None:
        """Keep what the next build process can reuse: parsed articles and the plan."""
        self.cache.save()
        if self.plan is not None and self.plan is not self._saved_plan:
            reuse.save(self.plan, self.plan_file, self.site_key())
            self._saved_plan = self.plan

    def site_key(self) -> str:
        return reuse.site_key(self.config, self.drafts, self.future)

    def _grade(self, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        """Content problems skip a file (a warning) unless the build is strict (an error)."""
        if self.strict:
            return [Diagnostic(d.path, d.line, d.message, d.col, "error") for d in diagnostics]
        return [Diagnostic(d.path, d.line, f"{d.message} (skipped)", d.col, "warning")
                if d.severity == "error" else d for d in diagnostics]
