"""Worker processes for the page's work, and the fair queue in front of them. Standard library
only; nothing here knows what the work is.

Each worker is a process of its own (started by forkserver where the system has it, else
spawn) and, on POSIX systems, the leader of a process group, so that whatever it starts
(LibreOffice, for PDFs) goes with it. A job reaches its worker through a pipe; a thread of the
server waits for the answer and kills the worker's group when the job passes its time limit or
is cancelled (the visitor deleted their files), then starts a fresh worker. A worker watches
the server: when the server is gone, however it went (Ctrl-C, SIGTERM, `kill -9`, the
out-of-memory killer), the worker ends itself and its group within a second; on Linux the
kernel also kills it as soon as its parent (the forkserver, which ends with the server) ends.

The queue is fair. Jobs wait per owner (a client); owners are served in turn; an owner runs at
most one heavy and one light job at a time; and heavy jobs (large workbooks, builds) never hold
more than `processes - 1` workers of the `processes + 1` there are, so at least two are left
for short checks. A heavy job runs at a lower priority (nice 10), so the short checks beside it
get the cores first; its worker is then replaced (a process cannot raise its priority again).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

__all__ = ["Cancelled", "Pool", "TimedOut", "WorkerDied"]

T = TypeVar("T")


class TimedOut(Exception):
    """A job ran past the pool's time limit; its worker was stopped."""


class Cancelled(Exception):
    """A job was cancelled while it ran; its worker was stopped."""


class WorkerDied(Exception):
    """A job's worker ended without an answer (out of memory, or killed)."""


@dataclass(eq=False)
class _Job:
    work: Callable[..., Any]
    args: tuple[Any, ...]
    owner: str
    heavy: bool
    future: Future[Any] = field(default_factory=Future)
    cancelled: bool = False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process has the number now
        return False
    return True


def _end_group() -> None:
    if hasattr(os, "killpg"):
        os.killpg(0, signal.SIGKILL)
    os._exit(1)


def _watch(server: int, parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent or not _alive(server):
            _end_group()


def _die_with_parent(parent: int) -> None:
    """On Linux the kernel kills this worker the moment its parent ends (the forkserver, which
    ends with the server; or the server itself, under spawn), with nothing of the worker
    needing to run: a worker busy in C code at a low priority sees its watch thread late."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent ended before the kernel was asked
        _end_group()


def _worker(conn: Connection, server: int, initializer: Callable[[], None] | None) -> None:
    """A worker's life: its own process group and private files, a watch on the server, then
    jobs until the pipe closes."""
    parent = os.getppid()
    if hasattr(os, "setpgrp"):
        os.setpgrp()
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops its workers itself
    os.umask(0o077)
    threading.Thread(target=_watch, args=(server, parent), daemon=True, name="server-watch").start()
    if initializer is not None:
        initializer()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        work, args, heavy = message
        if heavy and hasattr(os, "nice"):
            os.nice(10)  # short checks beside it get the cores first; the server replaces this worker after
        try:
            answer: tuple[bool, Any] = (True, work(*args))
        except Exception as error:
            answer = (False, error)
        try:
            conn.send(answer)
        except Exception as error:  # an answer that cannot be pickled
            conn.send((False, RuntimeError(f"{type(error).__name__}: {error}")))
        if heavy:
            return


class _Worker:
    def __init__(self, context: Any, initializer: Callable[[], None] | None) -> None:
        self.conn, theirs = context.Pipe()
        # Daemonic, so that an interpreter leaving by any path ends its workers rather than
        # waiting for them (a worker then cannot start processes of multiprocessing's own; the
        # work runs with processes=1).
        self.process = context.Process(
            target=_worker, args=(theirs, os.getpid(), initializer), name="funder-report-worker", daemon=True
        )
        self.process.start()
        theirs.close()

    def kill(self) -> None:
        """The worker and what it started, killed (a worker still starting has no group yet)."""
        if hasattr(os, "killpg"):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class Pool:
    """`processes + 1` workers behind a fair queue (heavy jobs on at most `processes - 1` of
    them, and on one at least); jobs stopped after `timeout` seconds."""

    def __init__(self, processes: int, timeout: float = 600, initializer: Callable[[], None] | None = None) -> None:
        processes = max(1, processes)
        self.workers = processes + 1  # the one more is kept for short checks
        self.timeout = timeout
        self.heavy_limit = max(1, processes - 1)
        methods = multiprocessing.get_all_start_methods()
        self._context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        self._initializer = initializer
        self._cond = threading.Condition()
        self._queues: OrderedDict[str, deque[_Job]] = OrderedDict()
        self._running: dict[_Job, _Worker | None] = {}
        self._closing = False
        self._workers = [_Worker(self._context, initializer) for _ in range(self.workers)]
        self._threads = [
            threading.Thread(target=self._serve, args=(slot,), daemon=True, name=f"funder-report-pool-{slot}")
            for slot in range(self.workers)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, work: Callable[..., T], *args: Any, owner: str = "", heavy: bool = False) -> Future[T]:
        """Queue `work(*args)` for `owner`; its future holds the answer, or TimedOut, Cancelled
        or WorkerDied."""
        job = _Job(work, args, owner, heavy)
        with self._cond:
            if self._closing:
                raise RuntimeError("the pool is closed")
            self._queues.setdefault(owner, deque()).append(job)
            self._cond.notify_all()
        return job.future

    def cancel(self, future: Future[Any]) -> None:
        """Cancel the job of `future`: dropped if it waits, its worker stopped if it runs."""
        with self._cond:
            for job in [*self._running, *(j for q in self._queues.values() for j in q)]:
                if job.future is future:
                    job.cancelled = True
            future.cancel()
            self._cond.notify_all()

    def waiting(self) -> int:
        with self._cond:
            return sum(len(queue) for queue in self._queues.values())

    def _pick(self) -> _Job | None:
        """The next job to run: owners in turn; of an owner's jobs, the first that may run (its
        light jobs do not wait behind its heavy one)."""
        heavy = sum(job.heavy for job in self._running)
        busy = {(job.owner, job.heavy) for job in self._running}
        for owner, queue in list(self._queues.items()):
            for dropped in [j for j in queue if j.future.cancelled()]:
                queue.remove(dropped)
            runnable = (
                j for j in queue if (owner, j.heavy) not in busy and not (j.heavy and heavy >= self.heavy_limit)
            )
            job = next(runnable, None)
            if job is not None:
                queue.remove(job)
            if not queue:
                del self._queues[owner]
            elif job is not None:
                self._queues.move_to_end(owner)  # served: the others go first next time
            if job is not None:
                return job
        return None

    def _next(self) -> _Job | None:
        with self._cond:
            while not self._closing:
                job = self._pick()
                if job is not None and job.future.set_running_or_notify_cancel():
                    self._running[job] = None
                    return job
                if job is None:
                    self._cond.wait()
            return None

    def _serve(self, slot: int) -> None:
        while (job := self._next()) is not None:
            with self._cond:
                worker = self._running[job] = self._workers[slot]
            try:
                ok, value = self._run(job, worker)
                spent = job.heavy  # its worker ran at a lower priority, and has ended
            except (TimedOut, Cancelled, WorkerDied) as error:
                ok, value, spent = False, error, True
            if spent:
                worker.kill()
                with self._cond:
                    if not self._closing:
                        self._workers[slot] = _Worker(self._context, self._initializer)
            with self._cond:
                del self._running[job]
                self._cond.notify_all()
            if ok:
                job.future.set_result(value)
            else:
                job.future.set_exception(value)

    def _run(self, job: _Job, worker: _Worker) -> tuple[bool, Any]:
        try:
            worker.conn.send((job.work, job.args, job.heavy))
        except (OSError, ValueError) as error:
            raise WorkerDied(str(error)) from None
        deadline = time.monotonic() + self.timeout
        while True:
            if wait([worker.conn, worker.process.sentinel], timeout=0.25):
                try:
                    answer: tuple[bool, Any] = worker.conn.recv()
                    return answer
                except (EOFError, OSError):
                    raise WorkerDied("the worker ended") from None
            if job.cancelled or self._closing:
                raise Cancelled()
            if time.monotonic() > deadline:
                raise TimedOut()

    def stop(self) -> None:
        """Stop taking work, without waiting: waiting jobs are dropped, running ones stopped
        (their futures fail with Cancelled) within a quarter of a second."""
        with self._cond:
            self._closing = True
            for queue in self._queues.values():
                for job in queue:
                    job.future.cancel()
            self._queues.clear()
            self._cond.notify_all()

    def close(self) -> None:
        """Stop at once, and wait until every worker is gone."""
        self.stop()
        for thread in self._threads:
            thread.join(10)
        for worker in self._workers:
            worker.kill()
