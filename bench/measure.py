"""Wall time and peak memory of one command, its child processes included.

Peak memory is the highest sum over the whole process tree (a build that forks workers is
charged for all of them at once) of PSS — proportional set size, from /proc/<pid>/smaps_rollup —
so pages a forked worker still shares with its parent are counted once, not once per process as
a sum of RSS would. Sampled every 50 ms for 2 s, then every 250 ms: reading PSS of a multi-GB
process costs real CPU, which a 2-core machine takes from the build being measured. The RSS
sum and, from the kernel, the largest single process (``ru_maxrss`` from ``wait4``, which
catches a peak shorter than the sampling interval) are recorded too. Without psutil only the
kernel figure is reported.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

try:
    import psutil
except ImportError:  # the benchmark degrades to ru_maxrss only
    psutil = None

POLL_SECONDS = 0.05  # for the first FAST_SECONDS, then SLOW_POLL_SECONDS
FAST_SECONDS = 2.0
SLOW_POLL_SECONDS = 0.25
CHILDREN_EVERY = 4  # re-list the process tree every 4th sample: listing costs CPU


@dataclass
class Measurement:
    command: list[str]
    seconds: float
    peak_pss: int  # bytes: highest sampled sum of PSS over the process tree (0 without psutil)
    peak_rss: int  # bytes: highest sampled sum of RSS over the process tree (0 without psutil)
    max_rss: int  # bytes: largest single process in the tree, from the kernel
    returncode: int
    stdout: str = field(repr=False, default="")
    stderr: str = field(repr=False, default="")
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)  # 1/5/15-minute load average at start
    killed: str = ""  # why the benchmark stopped it (time or memory limit), if it did

    @property
    def peak(self) -> int:
        """The figure reported: the tree's PSS peak, at least the largest single process."""
        return max(self.peak_pss, self.max_rss)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["stdout"] = self.stdout[-2000:]
        d["stderr"] = self.stderr[-2000:]
        return d


def _pss(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _tree_memory(members: list) -> tuple[int, int]:
    """(RSS sum, PSS sum) over ``members``; PSS falls back to RSS where it is unreadable."""
    rss = pss = 0
    for p in members:
        with contextlib.suppress(psutil.Error):
            r = p.memory_info().rss
            rss += r
            pss += _pss(p.pid) or r
    return rss, pss


def _members(proc) -> list:
    try:
        return [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return [proc]


def run(command: list[str], *, cwd: Path | None = None, env: dict | None = None,
        timeout: float = 3600.0, memory_limit: int | None = None) -> Measurement:
    """Run ``command`` to completion and measure it; output is captured, not streamed.

    ``memory_limit`` (bytes of tree PSS) protects a shared machine: past it the command is
    killed and reported with ``killed`` set, instead of pushing everyone into swap or OOM.
    """
    load = os.getloadavg()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        watched = psutil.Process(proc.pid) if psutil else None
        members: list = []
        peak_rss = peak_pss = samples = 0
        killed = ""
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if watched is not None:
                if samples % CHILDREN_EVERY == 0:
                    members = _members(watched)
                rss, pss = _tree_memory(members)
                peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
                samples += 1
            if time.perf_counter() - started > timeout:
                killed = f"over the time limit of {timeout:.0f} s"
            elif memory_limit and peak_pss > memory_limit:
                killed = f"over the memory limit of {memory_limit / 2**30:.1f} GB"
            if killed:
                os.killpg(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            elapsed = time.perf_counter() - started
            time.sleep(POLL_SECONDS if elapsed < FAST_SECONDS else SLOW_POLL_SECONDS)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measurement(
            command=[str(c) for c in command], seconds=seconds, peak_pss=peak_pss,
            peak_rss=peak_rss,
            max_rss=usage.ru_maxrss * 1024, returncode=proc.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"), load=load, killed=killed)


def tree_size(path: Path, *, exclude: tuple[str, ...] = ()) -> tuple[int, int]:
    """(bytes, files) under ``path``, skipping top-level entries named in ``exclude``."""
    total = files = 0
    if not path.exists():
        return 0, 0
    for root, dirs, names in os.walk(path):
        if Path(root) == path:
            dirs[:] = [d for d in dirs if d not in exclude]
            names = [n for n in names if n not in exclude]
        for name in names:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
                files += 1
            except OSError:
                pass
    return total, files
