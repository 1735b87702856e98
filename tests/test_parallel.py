"""Portfolio builds on every core give exactly the files a one-core build gives."""

from __future__ import annotations

from reporting import build
from reporting.parallel import run

from test_imports import write_researchfish_export


def test_parallel_and_serial_builds_are_identical(tmp_path):
    source = write_researchfish_export(tmp_path / "export.xlsx")
    from reporting import import_to_workbook

    workbook = import_to_workbook(source, tmp_path / "portfolio.xlsx").output
    serial = build([workbook], tmp_path / "serial", processes=1)
    parallel = build([workbook], tmp_path / "parallel", processes=2)
    assert [p.name for p in serial.outputs] == [p.name for p in parallel.outputs]
    assert len(serial.outputs) == 7
    for one, other in zip(serial.outputs, parallel.outputs):
        assert one.read_bytes() == other.read_bytes(), one.name


def test_run_keeps_job_order_and_reports_progress():
    seen = []
    results = run(lambda n: n * n, list(range(40)), processes=2, progress=seen.append)
    assert results == [n * n for n in range(40)]
    assert sorted(seen) == list(range(1, 41))


def test_errors_in_workers_reach_the_caller():
    from reporting.errors import OutputError

    def fail(n):
        if n == 3:
            raise OutputError("Cannot write x.docx: disk full.", "Free some space.")
        return n

    try:
        run(fail, list(range(6)), processes=2)
    except OutputError as error:
        assert error.message == "Cannot write x.docx: disk full." and error.hint == "Free some space."
    else:
        raise AssertionError("the worker's error was lost")


def test_a_failed_job_leaves_no_half_written_files(tmp_path, monkeypatch):
    import os
    import time

    import reporting.outputs
    from reporting.errors import OutputError
    from reporting.outputs import write_atomic

    def slow_fsync(fd):
        time.sleep(0.3)  # every other worker is mid-write when the first job fails

    monkeypatch.setattr(reporting.outputs.os, "fsync", slow_fsync)

    def job(n):
        if n == 0:
            time.sleep(0.05)
            raise OutputError("Cannot write the first file.")
        return write_atomic(tmp_path / f"{n}.bin", b"x" * 1000)

    try:
        run(job, list(range(8)), processes=2)
    except OutputError:
        pass
    else:
        raise AssertionError("the failure was lost")
    time.sleep(0.2)
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]
