"""R-EX-3: the sweep also runs on a schedule, in a process of its own."""

import io

import pytest
from django.core.management import CommandError, call_command

from yipanqi.exchange import scheduler
from yipanqi.exchange.models import Request


def test_r_ex_3_the_schedule_sweeps_again_and_again(monkeypatch):
    """R-EX-3, and issue 16.8: `yipanqi sweep --every` sweeps and checkpoints the audit chain
    each round, in a process of its own, until it is stopped."""
    from yipanqi.exchange.management.commands import sweep as command

    calls, checkpoints, sleeps = [], [], []
    monkeypatch.setattr(scheduler, "run_sweep_once", lambda: calls.append(1))
    monkeypatch.setattr(scheduler, "run_audit_checkpoint_once", lambda: checkpoints.append(1))

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 3:
            raise KeyboardInterrupt  # what SIGINT from `yipanqi up` does

    monkeypatch.setattr(command.time, "sleep", sleep)
    out = io.StringIO()
    call_command("sweep", "--every", "7", stdout=out)
    assert len(calls) == 3 and len(checkpoints) == 3 and sleeps == [7, 7, 7]
    assert "every 7 s" in out.getvalue()


@pytest.mark.parametrize("args", [["--every", "-1"], ["--every", "5", "--today", "2026-01-05"]])
def test_sweep_every_refuses_what_makes_no_sense(args):
    with pytest.raises(CommandError):
        call_command("sweep", *args)


@pytest.mark.django_db
def test_run_sweep_once_reports_and_survives_failure(monkeypatch):
    # The test's own connection is inside a transaction; the sweep process's is not.
    monkeypatch.setattr(scheduler, "close_old_connections", lambda: None)
    report = scheduler.run_sweep_once()
    assert report is not None and report.overdue == Request.objects.filter(status="overdue").count()

    def broken(today):
        raise RuntimeError("database went away")

    monkeypatch.setattr(scheduler, "sweep", broken)
    assert scheduler.run_sweep_once() is None
