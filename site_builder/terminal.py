"""How commands talk to the terminal: how much they say (--quiet, --verbose) and whether in
colour (NO_COLOR, https://no-color.org).

Problems (errors, warnings) are always printed, with ``click.echo``. Status lines (what was
written, what changed) go through ``info`` and are dropped by ``--quiet``; details that help
when something is unclear (which config file, where the theme is) go through ``detail`` and
are printed only with ``--verbose``. The level is the process's: a command sets it once,
before it starts working.
"""

from __future__ import annotations

import os

import click

QUIET, NORMAL, VERBOSE = 0, 1, 2
_level = NORMAL


def set_verbosity(*, quiet: bool = False, verbose: bool = False) -> None:
    """The level a command's ``--quiet`` / ``--verbose`` ask for (both: a usage error)."""
    global _level
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose contradict each other: choose one")
    _level = QUIET if quiet else VERBOSE if verbose else NORMAL


def verbosity() -> int:
    return _level


def info(message: str, *, err: bool = False) -> None:
    """A status line: printed unless --quiet."""
    if _level >= NORMAL:
        click.echo(message, err=err)


def detail(message: str, *, err: bool = True) -> None:
    """A detail for --verbose only (on stderr: it never mixes with a command's output)."""
    if _level >= VERBOSE:
        click.echo(message, err=err)


def color_wanted() -> bool:
    """False when NO_COLOR is set to anything but the empty string."""
    return not os.environ.get("NO_COLOR")
