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
def _inherited_frozen() -> Iterator[None]:
    """Objects that exist now are out of the collector's reach while processes fork."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextlib.contextmanager
def worker_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """``workers`` forked processes that end when the process that made them does."""
    with _inherited_frozen(), ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("fork"),
            initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
        yield pool


def start_process(target: Callable[..., object], *args: object) -> multiprocessing.Process:
    """``target(*args)`` in one forked process that ends when this one does (started)."""
    process = multiprocessing.get_context("fork").Process(
        target=_run_child, args=(os.getpid(), target, args))
    with _inherited_frozen():
        process.start()
    return process


def _run_child(parent: int, target: Callable[..., object], args: tuple) -> None:
    _die_with_parent(parent)
    target(*args)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Unpickling a build's state creates millions of objects, none of them garbage: the
    cyclic collector would walk them over and over (0.5 s instead of 0.1 s at 10k)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
