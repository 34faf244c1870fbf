"""Worker pools for the parallel stages: forked processes that die with the build.

A forked ProcessPoolExecutor worker blocks on its task queue, whose pipe every sibling keeps
open, so when the build is killed (SIGKILL, OOM killer, a closed terminal) its workers would
wait forever. Each worker asks Linux to kill it when its parent dies.

Workers share the build's memory until they write to it, and the cyclic garbage collector
writes to every object it walks: the inherited objects are frozen out of its reach while a
pool runs (at 100,000 articles, each render worker otherwise copied ~500 MB of the plan).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the build was gone before the request took effect
        os._exit(1)


@contextlib.contextmanager
def worker_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """``workers`` forked processes that end when the process that made them does."""
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=workers,
                                 mp_context=multiprocessing.get_context("fork"),
                                 initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
            yield pool
    finally:
        gc.unfreeze()


def start_process(target: Callable[..., object], *args: object) -> multiprocessing.Process:
    """``target(*args)`` in one forked process that ends when this one does (started)."""
    process = multiprocessing.get_context("fork").Process(
        target=_run_child, args=(os.getpid(), target, args))
    gc.freeze()
    try:
        process.start()
    finally:
        gc.unfreeze()
    return process


def _run_child(parent: int, target: Callable[..., object], args: tuple) -> None:
    _die_with_parent(parent)
    target(*args)
