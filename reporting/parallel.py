"""Run independent rendering jobs on every core, with results identical to a serial run.

Jobs are forked from the process that built them (on systems with fork), so nothing large is
copied or pickled: each worker reads its job from memory it shares with the parent, renders and
writes its file, and sends back only the path. Where fork is unavailable, or there is one job
or one core, jobs run in this process. Results come back in job order. If a job fails, the
other workers are stopped; each removes the temporary file it was writing.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_JOBS: Sequence = ()
_WORK: Callable | None = None


def _stop_cleanly(*_: object) -> None:
    """In a worker, turn the pool's SIGTERM into an exception, so a half-written file is removed."""
    raise SystemExit(1)


def _worker_start() -> None:
    signal.signal(signal.SIGTERM, _stop_cleanly)


def _run_one(index: int):
    assert _WORK is not None
    return index, _WORK(_JOBS[index])


def cores() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run(work: Callable[[T], R], jobs: Sequence[T], workers: int | None = None,
        progress: Callable[[int], None] | None = None) -> list[R]:
    """`work(job)` for every job, on up to `workers` processes (default: every core).

    `progress(n)` is called after each job with the number done so far.
    """
    global _JOBS, _WORK
    workers = min(workers or cores(), len(jobs))
    results: list = [None] * len(jobs)
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for index, job in enumerate(jobs):
            results[index] = work(job)
            if progress:
                progress(index + 1)
        return results
    _JOBS, _WORK = jobs, work
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_worker_start) as pool:
            chunk = max(1, len(jobs) // (workers * 8))
            for done, (index, result) in enumerate(pool.imap_unordered(_run_one, range(len(jobs)), chunk), 1):
                results[index] = result
                if progress:
                    progress(done)
    finally:
        _JOBS, _WORK = (), None
    return results
