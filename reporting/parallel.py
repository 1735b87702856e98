"""Run independent rendering jobs on every core, with results identical to a serial run.

Jobs are forked from the process that built them (on systems with fork), so nothing large is
copied or pickled: each worker reads its job from memory it shares with the parent, renders and
writes its file, and sends back only the path. Where fork is unavailable, or there is one job
or one core, jobs run in this process. Results come back in job order. If a job fails, jobs
not yet started are cancelled and those running finish (their writes are atomic), so a failed
build leaves no half-written file; a worker that dies is an error, never a hang.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from typing import TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")

_JOBS: Sequence = ()
_WORK: Callable | None = None


def _run_one(index: int) -> object:
    assert _WORK is not None
    return _WORK(_JOBS[index])


def cores() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run(
    work: Callable[[T], R],
    jobs: Sequence[T],
    processes: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[R]:
    """`work(job)` for every job, on up to `processes` processes (default: every core).

    `progress(n)` is called after each job with the number done so far.
    """
    global _JOBS, _WORK
    processes = min(processes or cores(), len(jobs))
    if processes <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        results = []
        for index, job in enumerate(jobs):
            results.append(work(job))
            if progress:
                progress(index + 1)
        return results
    _JOBS, _WORK = jobs, work
    pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"))
    try:
        futures = {pool.submit(_run_one, index): index for index in range(len(jobs))}
        pending, done_count = set(futures), 0
        while pending:
            finished, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for future in finished:
                future.result()  # a job's error (or a dead worker) is raised here
                done_count += 1
                if progress:
                    progress(done_count)
        return [cast(R, future.result()) for future in futures]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _JOBS, _WORK = (), None
