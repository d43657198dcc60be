"""R-EX-3: the sweep also runs on a schedule inside the server process."""

import pytest

from yipanqi.exchange import scheduler
from yipanqi.exchange.models import Request


def test_r_ex_3_the_schedule_sweeps_again_and_again(monkeypatch):
    """R-EX-3, and issue 16.8: each round also checkpoints the audit chain."""
    calls = []
    checkpoints = []
    monkeypatch.setattr(scheduler, "run_sweep_once", lambda: calls.append(1))
    monkeypatch.setattr(scheduler, "run_audit_checkpoint_once", lambda: checkpoints.append(1))
    stop = scheduler.start_periodic_sweep(0.01)
    try:
        for _ in range(200):
            if len(calls) >= 2 and len(checkpoints) >= 2:
                break
            stop.wait(0.01)
    finally:
        stop.set()
    assert len(calls) >= 2 and len(checkpoints) >= 2


@pytest.mark.django_db
def test_run_sweep_once_reports_and_survives_failure(monkeypatch):
    # The test's own connection is inside a transaction; the schedule thread's is not.
    monkeypatch.setattr(scheduler, "close_old_connections", lambda: None)
    report = scheduler.run_sweep_once()
    assert report is not None and report.overdue == Request.objects.filter(status="overdue").count()

    def broken(today):
        raise RuntimeError("database went away")

    monkeypatch.setattr(scheduler, "sweep", broken)
    assert scheduler.run_sweep_once() is None
