"""The search stage as the build runs it: in a process of its own, beside loading and rendering.

It needs only the articles, so it runs while the build process plans and renders pages. When
the parse cache holds the articles (every build but the first) the process starts before they
are loaded, to load its code and segmenter meanwhile, and is then sent them as cache keys (its
copy of the cache came with the fork). Its messages, in order:

1. it says its mode: "unchanged", "patched" or "full" (every article encoded again: it then
   runs alone, its memory being most of a cold build's);
2. unless "full", it names the output files its patch replaces, and waits for word that the
   build process linked the rest of the last export into the new output (``share_export``);
3. it returns its report.
"""

from __future__ import annotations

import contextlib
from collections.abc import Container, Sequence
from pathlib import Path

from ..config import Config
from ..content import Article
from ..fs import mirror
from ..procs import Channel, ForkedJob

SEND_AS_KEYS_MAX = 256  # articles parsed since the fork past which a new process is cheaper


class SearchStage:
    """The search stage's process for one build into ``out_dir``; ``live``: the output in
    use, whose export a patch starts from."""

    def __init__(self, config: Config, out_dir: Path, live: Path | None,
                 cached: dict[str, tuple] | None = None) -> None:
        self.config, self.out_dir, self.live = config, out_dir, live
        self._process = ForkedJob(_start_early, cached, config, out_dir, live) if cached else None
        self._shared = live is None  # (no output: the process waits for no word)

    def send(self, articles: Sequence[Article], parsed_since_fork: Container[str]) -> None:
        """Give the stage its articles: as cache keys to the process started early, or to
        a new process that inherits them all when many were parsed since."""
        if self._process is not None:
            fresh = [a.source_path in parsed_since_fork for a in articles]
            if sum(fresh) <= SEND_AS_KEYS_MAX:
                self._process.tell([a if new else a.source_path
                                    for a, new in zip(articles, fresh, strict=True)])
                return
            self.cancel()
        self._process = ForkedJob(_run, list(articles), self.config, self.out_dir, self.live)

    def cancel(self, *, interrupted: bool = False) -> None:
        """Stop a process that was not sent the articles (the build stopped), and reap it."""
        if self._process is None:
            return
        if interrupted:
            self._process.interrupt()
        self._process.tell(None)
        with contextlib.suppress(Exception, KeyboardInterrupt):
            self._process.result()
        self._process = None

    def mode(self) -> str:
        assert self._process is not None
        return self._process.note() or "full"

    def share_export(self) -> bool:
        """For a patch: link the last export into the new output, all but the files the
        patch replaces, then let the stage write. False when there was nothing to link."""
        if self._shared or self.mode() == "full":
            return False
        assert self._process is not None and self.live is not None
        replaced = self._process.note(1)  # (None: it ended without asking)
        if replaced is not None:
            mirror(self.live / "search", self.out_dir / "search", replaced)
        self._process.tell(True)
        self._shared = True
        return replaced is not None

    def result(self) -> dict:
        """The stage's report, once it is done (its error is raised here)."""
        assert self._process is not None
        return self._process.result()

    def abandon(self, *, interrupted: bool = False) -> None:
        """The build failed after the articles were sent: the stage stops before it writes
        the output, and is reaped (never left running behind a failed build)."""
        if self._process is None:
            return
        if interrupted:
            self._process.interrupt()
        if not self._shared:
            self._process.tell(False)
        with contextlib.suppress(Exception, KeyboardInterrupt):
            self._process.result()


def preload(config: Config) -> None:
    """The stage's code and segmenter, loaded once in a long-lived process (the dev server)
    rather than by every search process it forks."""
    from .analysis import segmenter
    from .export import write_search_index  # noqa: F401
    from .indexer import extra_words

    segmenter(extra_words(config))


class _Stopped(Exception):
    """The build stopped before the search stage reached the output."""


def _run(channel: Channel, articles: list[Article], config: Config, out_dir: Path,
         live: Path | None) -> dict:
    """The Whoosh index and its browser export; the channel hears the mode first."""
    from .export import write_search_index  # imported here: the CLI's other commands skip it

    def replacing(files: frozenset[str]) -> None:
        if live is not None:
            channel.note(files)  # the build process links the rest, then says go

    def ready() -> None:
        if live is not None and not channel.hear():
            raise _Stopped

    try:
        return write_search_index(articles, config, out_dir, channel.note, replacing, ready)
    except _Stopped:
        return {}


def _start_early(channel: Channel, cached: dict[str, tuple], config: Config, out_dir: Path,
                 live: Path | None) -> dict:
    """Started before the articles were loaded: load the code and segmenter, then hear the
    articles, each whole or as its key in the parse cache ``cached`` (as it was when this
    process was forked), or None: the build stopped, or another process does the work."""
    preload(config)
    sent = channel.hear()
    if sent is None:
        return {}
    articles = [cached[a][3] if isinstance(a, str) else a for a in sent]
    return _run(channel, articles, config, out_dir, live)
