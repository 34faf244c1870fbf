"""Exchange the staged folder with the output: one atomic rename where Linux offers it."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import sys
from pathlib import Path


def old_path(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.old"


def spare_path(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.spare"


def remove_stale(out_dir: Path) -> None:
    """Recover from a build killed in the middle of a non-atomic swap."""
    old = old_path(out_dir)
    if old.exists() and not out_dir.exists():
        old.rename(out_dir)
    shutil.rmtree(old, ignore_errors=True)


def swap_in(new: Path, out_dir: Path) -> None:
    """Exchange ``new`` and ``out_dir`` (the old output ends up at ``new``'s path)."""
    if out_dir.exists() and _exchange(new, out_dir):
        return
    old = old_path(out_dir)  # no atomic exchange here: three renames, recoverable
    shutil.rmtree(old, ignore_errors=True)
    had_output = out_dir.exists()
    if had_output:
        out_dir.rename(old)
    new.rename(out_dir)
    if had_output:
        old.rename(new)


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders with Linux's renameat2(RENAME_EXCHANGE): readers see one or the
    other, never neither. False where it is not supported (then swap_in renames thrice)."""
    if not sys.platform.startswith("linux"):
        return False
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        at_fdcwd = -100
        result = libc.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b),
                                _RENAME_EXCHANGE)
        if result == 0:
            return True
    return False
