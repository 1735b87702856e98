"""The page's worker pool: a short job never waits behind two long ones of other visitors, one
owner runs one light job at a time, a job past its limit or cancelled stops its worker (and
what the worker started), a worker that dies is replaced, and closing stops everything at once.
Real processes, real time; the jobs are module functions so the workers can run them."""

from __future__ import annotations

import os
import time
from concurrent.futures import wait

import pytest

from reporting.web.pool import Cancelled, Pool, TimedOut, WorkerDied

pytestmark = pytest.mark.slow  # real processes and real waiting: about 20 s


def nap(seconds: float) -> float:
    time.sleep(seconds)
    return time.monotonic()


def pid() -> int:
    return os.getpid()


def die() -> None:
    os._exit(7)


def child_then_nap(path: str) -> None:
    """Start a process of its own (as LibreOffice is started for PDFs), note it, then wait."""
    import subprocess

    child = subprocess.Popen(["sleep", "60"])
    with open(path, "w", encoding="ascii") as handle:
        handle.write(str(child.pid))
    time.sleep(60)


def _gone(number: int, within: float = 5) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(number, 0)
            with open(f"/proc/{number}/stat", encoding="ascii") as stat:
                if stat.read().split()[2] == "Z":  # a zombie has ended
                    return True
        except (ProcessLookupError, FileNotFoundError):
            return True
        time.sleep(0.05)
    return False


def _started(pool: Pool) -> Pool:
    """`pool` once every worker has started (each ran a job alongside the others)."""
    ends = sorted(f.result(timeout=60) for f in [pool.submit(nap, 1, owner=f"warm-{n}") for n in range(pool.workers)])
    assert ends[-1] - ends[0] < 0.5, "the workers did not run at once"
    return pool


@pytest.fixture
def pool():
    found = Pool(2, timeout=30)
    yield _started(found)
    found.close()


def test_a_short_job_never_waits_behind_two_long_ones_of_others(pool):
    started = time.monotonic()
    long_ones = [pool.submit(nap, 1.5, owner=who, heavy=True) for who in ("big-a", "big-b")]
    time.sleep(0.2)
    short = pool.submit(nap, 0.1, owner="small", heavy=False)
    assert short.result(timeout=10) - started < 1.4  # a worker was kept for it
    done, _ = wait(long_ones, timeout=20)
    assert len(done) == 2


def test_one_owner_runs_one_light_job_at_a_time_and_others_take_turns(pool):
    mine = [pool.submit(nap, 0.4, owner="busy") for _ in range(4)]
    time.sleep(0.1)
    theirs = pool.submit(nap, 0.1, owner="other")
    finished = theirs.result(timeout=10)
    assert finished < mine[1].result(timeout=10)  # served before the busy owner's second job
    ends = [f.result(timeout=10) for f in mine]
    assert all(later - earlier >= 0.35 for earlier, later in zip(ends, ends[1:]))  # one after another


def test_a_job_past_its_limit_is_stopped_and_its_worker_replaced(tmp_path):
    pool = Pool(1, timeout=3)
    try:
        pool.submit(pid).result(timeout=30)  # the worker has started
        marker = tmp_path / "child"
        late = pool.submit(child_then_nap, str(marker))
        with pytest.raises(TimedOut):
            late.result(timeout=10)
        assert _gone(int(marker.read_text())), "what the worker started outlived it"
        assert pool.submit(pid).result(timeout=30) > 0  # a fresh worker takes the next job
    finally:
        pool.close()


def test_a_cancelled_job_stops_its_worker(tmp_path):
    pool = Pool(1, timeout=30)
    try:
        marker = tmp_path / "child"
        running = pool.submit(child_then_nap, str(marker))
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        pool.cancel(running)
        with pytest.raises(Cancelled):
            running.result(timeout=5)
        assert _gone(int(marker.read_text())), "what the cancelled job started outlived it"
        assert pool.submit(pid).result(timeout=30) > 0  # the pool still serves
    finally:
        pool.close()


def test_there_is_one_worker_more_than_processes_and_heavy_work_leaves_two_for_short_checks():
    pool = Pool(3, timeout=30)
    try:
        assert pool.workers == 4
        _started(pool)
        long_ones = [pool.submit(nap, 2, owner=f"big-{n}", heavy=True) for n in range(4)]
        time.sleep(0.3)
        started = time.monotonic()
        short = [pool.submit(nap, 0.5, owner=f"small-{n}") for n in range(2)]
        assert max(f.result(timeout=10) for f in short) - started < 0.9  # two at once, not one after another
        wait(long_ones, timeout=30)
    finally:
        pool.close()


def test_a_worker_that_dies_fails_its_job_and_is_replaced(pool):
    with pytest.raises(WorkerDied):
        pool.submit(die).result(timeout=30)
    assert pool.submit(nap, 0).result(timeout=30) > 0


def test_closing_stops_running_work_at_once(tmp_path):
    pool = Pool(2, timeout=600)
    workers = {pool.submit(pid, owner=str(n)).result(timeout=30) for n in range(4)}
    running = [pool.submit(nap, 60, owner=str(n)) for n in range(2)]
    time.sleep(0.3)
    started = time.monotonic()
    pool.close()
    assert time.monotonic() - started < 5
    assert all(f.done() for f in running)
    assert all(_gone(number) for number in workers)


def test_an_owners_light_job_does_not_wait_behind_its_own_heavy_one(pool):
    started = time.monotonic()
    pool.submit(nap, 3, owner="other", heavy=True)  # takes the one worker heavy work may have
    time.sleep(0.2)
    waiting = pool.submit(nap, 3, owner="me", heavy=True)  # waits for it
    light = pool.submit(nap, 0.1, owner="me")
    assert light.result(timeout=10) - started < 2.5
    assert not waiting.done()
