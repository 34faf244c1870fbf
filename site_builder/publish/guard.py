"""Which output folders a build may write and delete in: only its own.

A build replaces its output folder as a whole (publish.staged_output), so it refuses any
folder that is not plainly a previous output of this project: a symbolic link (the swap
and the mirror would reach through it), a folder holding the project's sources, or one
holding files no build wrote. Each refusal says how to go on.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import Diagnostic, display_path
from ..fs import inventory

STAMP_FILE = ".site-builder-stamp"  # in every output a build wrote: which build made it
SEARCH_DIR = "search"  # the search index's folder: the search stage keeps it whole
PROJECT_MARKERS = ("config.yaml", "content")
SHOWN_FOREIGN = 5
# A file written under a temporary name beside its target by a build that was killed
# (fs.replace_file, fs.link_over): a build's own leftover.
LEFTOVER = re.compile(r"\.[^/]+\.\d+\.(?:tmp|link)$")


class OutputRefused(Exception):
    """The output folder is not one a build may replace."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


def check_output(out_dir: Path, slots: list[Path], project: list[Path], sources: list[Path],
                 owned: set[str] | None, root: Path | None = None) -> None:
    """Raise OutputRefused unless a build may replace ``out_dir``.

    ``slots``: the folders beside it that a build keeps (the spare copy, a half-done swap);
    ``project``: the project's files and folders, which an output must not be or hold;
    ``sources``: folders an output must not be inside either (content, templates);
    ``owned``: every file the last build wrote there, relative to it (None: unknown, when
    the build's state folder was deleted; the stamp alone then says the folder is an output).
    """
    shown = display_path(out_dir, root)
    how = ("build into an empty or new folder, or a previous output of this project "
           "(--output DIR, or paths.output in config.yaml)")
    for path in [out_dir, *slots]:
        if path.is_symlink():
            raise OutputRefused(Diagnostic(
                display_path(path, root), None,
                f"is a symbolic link (to {os.readlink(path)}): a build replaces this folder "
                f"and never follows a link out of it; remove the link, or {how}"))
        if path.exists() and not path.is_dir():
            raise OutputRefused(Diagnostic(display_path(path, root), None,
                                           f"is a file, not a folder: {how}"))
    resolved = out_dir.resolve()
    for path in [*project, *sources]:
        mine = path.resolve()
        if mine.is_relative_to(resolved) or (path in sources and resolved.is_relative_to(mine)):
            raise OutputRefused(Diagnostic(
                shown, None, f"would replace or sit inside the project's "
                             f"{display_path(path, root)}: {how}"))
    if not out_dir.is_dir():
        return
    names = os.listdir(out_dir)
    if not names:
        return
    for marker in PROJECT_MARKERS:
        if marker in names:
            raise OutputRefused(Diagnostic(
                shown, None, f"holds '{marker}', so it looks like a project, not an output: {how}"))
    if STAMP_FILE not in names:
        raise OutputRefused(Diagnostic(
            shown, None, f"holds files no build of this project wrote "
                         f"({', '.join(sorted(names)[:SHOWN_FOREIGN])}): {how}"))
    if owned is None:
        return
    foreign = sorted(rel for rel in inventory(out_dir, leave_out=frozenset({SEARCH_DIR}))
                     if rel not in owned and not LEFTOVER.match(os.path.basename(rel)))
    if foreign:
        more = f" and {len(foreign) - SHOWN_FOREIGN} more" if len(foreign) > SHOWN_FOREIGN else ""
        raise OutputRefused(Diagnostic(
            shown, None, f"holds files no build wrote ({', '.join(foreign[:SHOWN_FOREIGN])}{more}): "
                         "a build replaces this folder and would lose them; move them out "
                         "(files to publish belong in content/ or templates/static/)"))
