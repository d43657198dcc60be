"""The progress bar moves with the rows read and checked, then with the rows written, not
only after each written batch (issue 12.16)."""

import pytest

from conftest import NANSHAN_VILLAGE
from yipanqi.imports import batches, pipeline, services
from yipanqi.imports.models import ImportJob
from yipanqi.imports.tests.conftest import TODAY, inflow_row, write_csv


def _recorded(monkeypatch, path, village_worker):
    calls = []
    real = services.write_progress

    def spy(job_id, done, total, **detail):
        calls.append((done, total, detail))
        real(job_id, done, total, **detail)

    monkeypatch.setattr(services, "write_progress", spy)
    services.import_path(
        path, kind="inflow", unit=NANSHAN_VILLAGE, acting_user=village_worker, today=TODAY
    )
    return [c for c in calls if c[1]]  # the first word (0 of 0) is before the count


def _assert_moves(calls, rows):
    phases = [detail["phase"] for _d, _t, detail in calls]
    reading = [d["checked"] for _d, _t, d in calls if d["phase"] == "reading"]
    writing = [d["written"] for _d, _t, d in calls if d["phase"] == "writing"]
    # Reading and checking report on their way, before anything is written.
    assert len([c for c in reading if 0 < c < rows]) >= 3
    assert len([w for w in writing if 0 < w < rows]) >= 2
    assert phases.index("writing") > phases.index("reading")
    assert phases[-1] == "finishing"
    done = [d for d, _t, _detail in calls]
    assert done == sorted(done)  # never backwards
    assert max(d for d, t, _x in calls if _x["phase"] == "reading") <= rows // 2


@pytest.mark.django_db
def test_progress_moves_while_rows_are_read_checked_and_written(
    tmp_path, monkeypatch, village_worker
):
    monkeypatch.setattr(batches, "TICK_ROWS", 50)
    monkeypatch.setattr(pipeline, "WRITE_SLICE", 100)
    rows = 400
    path = write_csv(tmp_path / "a.csv", [inflow_row(n) for n in range(1, rows + 1)])
    _assert_moves(_recorded(monkeypatch, path, village_worker), rows)
    assert ImportJob.objects.get().created == rows


@pytest.mark.django_db(transaction=True)
def test_progress_moves_with_a_reader_thread(tmp_path, monkeypatch, divisions):
    """Outside a transaction the rows are read by a thread; the writer reports how far it
    has come while it waits for the first batch."""
    from conftest import make_user

    worker = make_user("alice", "village_worker", NANSHAN_VILLAGE)
    monkeypatch.setattr(pipeline, "WRITE_SLICE", 100)
    monkeypatch.setattr(batches, "TICK_SECONDS", 0.01)
    real_check = pipeline.RowChecker.check

    def slow_check(self, row, cells):  # a slow file: the ticks must come while it is read
        import time

        if row % 50 == 0:
            time.sleep(0.05)
        return real_check(self, row, cells)

    monkeypatch.setattr(pipeline.RowChecker, "check", slow_check)
    rows = 400
    path = write_csv(tmp_path / "a.csv", [inflow_row(n) for n in range(1, rows + 1)])
    _assert_moves(_recorded(monkeypatch, path, worker), rows)


@pytest.mark.django_db
def test_read_progress_gives_each_phase_and_stops_short_of_100_until_finished(village_worker):
    job = ImportJob.objects.create(
        kind="inflow", unit_id=NANSHAN_VILLAGE, created_by=village_worker, status="running"
    )
    services.write_progress(job.pk, 1000, 1000, checked=1000, written=1000, phase="finishing")
    shown = services.read_progress(job)
    assert (shown["percent"], shown["phase"]) == (99, "finishing")
    services.write_progress(job.pk, 300, 1000, checked=600, written=0, phase="reading")
    shown = services.read_progress(job)
    assert (shown["percent"], shown["checked"], shown["written"]) == (30, 600, 0)
