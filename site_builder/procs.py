"""Worker pools for the parallel stages: forked processes that die with the build.

A forked ProcessPoolExecutor worker blocks on its task queue, whose pipe every sibling keeps
open, so when the build is killed (SIGKILL, OOM killer, a closed terminal) its workers would
wait forever. Each worker asks Linux to kill it when its parent dies.

Workers share the build's memory until they write to it, and the cyclic garbage collector
writes to every object it walks: the inherited objects are frozen out of its reach while a
pool runs (else each render worker copies the whole plan: docs/performance.md, memory at scale).
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


_settled = False  # settle() was called: what is frozen stays frozen


def settle() -> None:
    """Put every object alive now, and what ``collector_paused`` loads from now on, out of
    the cyclic collector's reach for good: for a process that keeps what it loaded until
    it exits (a one-off build). Unpickling the parse cache and the plan makes hundreds of
    thousands of objects, and the collector's next passes walked them all for nothing."""
    global _settled
    gc.freeze()
    _settled = True


def settled() -> bool:
    """Did this process call settle()?"""
    return _settled


@contextlib.contextmanager
def _inherited_frozen() -> Iterator[None]:
    """Objects that exist now are out of the collector's reach while processes fork."""
    gc.freeze()
    try:
        yield
    finally:
        if not _settled:
            gc.unfreeze()


@contextlib.contextmanager
def worker_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """``workers`` forked processes that end when the process that made them does."""
    with _inherited_frozen(), ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("fork"),
            initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
        yield pool


def run_apart(target: Callable[..., object], *args: object) -> object:
    """``target(*args)`` in one forked process of its own (its memory is never this one's);
    its return value, or its exception raised here."""
    return ForkedJob(_without_channel, target, *args).result()


def _without_channel(_channel: Channel, target: Callable[..., object], *args: object) -> object:
    return target(*args)


class ForkedJob:
    """``target(channel, *args)`` run in one forked process beside this one, which goes on.

    Through its :class:`Channel` the target tells the caller early what it is about to do
    (read with :meth:`note`) and waits for word from it (sent with :meth:`tell`). Its return
    value, or the exception it raised, comes back through :meth:`result`. Everything
    travels pickled through a pipe, so it must be picklable.
    """

    def __init__(self, target: Callable[..., object], *args: object) -> None:
        context = multiprocessing.get_context("fork")
        self._pipe, theirs = context.Pipe()
        self._process = context.Process(target=_run_forked_job,
                                        args=(os.getpid(), theirs, target, args))
        with _inherited_frozen():
            self._process.start()
        theirs.close()
        self._notes: list[object] = []
        self._outcome: tuple[str, object] | None = None

    def _receive(self) -> None:
        try:
            kind, value = self._pipe.recv()
        except EOFError:  # died without a word: killed, or out of memory
            self._process.join()
            kind, value = "error", RuntimeError(
                f"a build process ended unexpectedly (exit code {self._process.exitcode})")
        if kind == "note":
            self._notes.append(value)
        else:
            self._outcome = (kind, value)

    def interrupt(self) -> None:
        """Pass an interrupt (Ctrl+C) on to the target, as a terminal would: it stops where it
        is, like this process, instead of running to its end first."""
        with contextlib.suppress(OSError):
            if self._process.pid is not None and self._outcome is None:
                os.kill(self._process.pid, signal.SIGINT)

    def tell(self, message: object) -> None:
        """Send the target ``message`` (what its :meth:`Channel.hear` returns)."""
        with contextlib.suppress(OSError):  # it has ended already: result() says how
            self._pipe.send(message)

    def note(self, index: int = 0) -> object | None:
        """The target's note number ``index`` (its first by default), or None when it
        finished without one: waits for it."""
        while len(self._notes) <= index and self._outcome is None:
            self._receive()
        return self._notes[index] if len(self._notes) > index else None

    def result(self) -> object:
        """The target's return value (its exception is raised here): waits for the end."""
        while self._outcome is None:
            self._receive()
        self._pipe.close()
        self._process.join()
        kind, value = self._outcome
        if kind == "error":
            raise value  # type: ignore[misc]
        return value


class Channel:
    """The target's side of a :class:`ForkedJob`."""

    def __init__(self, pipe) -> None:
        self._pipe = pipe

    def note(self, message: object) -> None:
        """Tell the caller what is about to happen (its :meth:`ForkedJob.note`)."""
        self._pipe.send(("note", message))

    def hear(self) -> object:
        """Wait for the caller's next :meth:`ForkedJob.tell`."""
        return self._pipe.recv()


def _run_forked_job(parent: int, pipe, target: Callable[..., object], args: tuple) -> None:
    _die_with_parent(parent)
    try:
        outcome: tuple[str, object] = ("done", target(Channel(pipe), *args))
    except BaseException as exc:  # everything goes back to the caller
        outcome = ("error", exc)
    try:
        pipe.send(outcome)
    except Exception:  # an exception that does not pickle: its text does
        pipe.send(("error", RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]}")))
    pipe.close()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Unpickling a build's state creates millions of objects, none of them garbage: the
    cyclic collector would walk them over and over."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _settled:  # kept for good: the collector's first passes would walk them all
            gc.freeze()
        if enabled:
            gc.enable()
