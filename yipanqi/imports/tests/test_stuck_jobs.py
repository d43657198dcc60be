"""Issue 16.2: one upload never locks the database, and a stuck or dead job is marked failed
and can be started again.

A run is given up for dead when its process is gone or it has given no sign of life (progress,
or a heartbeat between long steps) for IMPORT_STALE_SECONDS; the cancel mark then keeps it
from committing if it ever wakes, so the retry is the only one that writes.
"""

import json
import os
import time

import pytest
from django.db import connections
from django.utils import translation

from yipanqi.imports import services
from yipanqi.imports.models import ImportJob, ImportStatus
from yipanqi.imports.pipeline import ImportRequest, import_registrations
from yipanqi.imports.tests.conftest import TODAY, inflow_row, write_csv
from yipanqi.people.models import Registration

pytestmark = pytest.mark.django_db


def _uploaded(user, path):
    with path.open("rb") as handle:
        return services.upload(
            acting_user=user, kind="inflow", file_name=path.name, chunks=iter([handle.read()])
        )


def _queued(job, user):
    return services.start(job, acting_user=user, background=False)


def test_a_job_with_no_sign_of_life_is_failed_and_can_be_started_again(
    village_worker, tmp_path, settings
):
    """Given a running job whose last heartbeat, from this very process (a stuck thread),
    is older than the limit, when its progress is read, then it is marked failed with a
    plain reason; when the stuck run wakes it rolls back; a new start imports the file."""
    settings.IMPORT_STALE_SECONDS = 60
    path = write_csv(tmp_path / "登记.csv", [inflow_row(n) for n in range(1, 4)])
    job = _queued(_uploaded(village_worker, path), village_worker)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    services.progress_path(job.pk).parent.mkdir(parents=True, exist_ok=True)
    services.progress_path(job.pk).write_text(
        json.dumps({"done": 0, "total": 3, "pid": os.getpid(), "at": time.time() - 61})
    )
    job.refresh_from_db()

    with translation.override("en"):  # noticed by a page in English: still stored in Chinese
        services.read_progress(job)

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "没有写入任何数据" in job.error and "重新开始" in job.error
    # The stuck run wakes and reports progress: it is told it was given up, and rolls back.
    with pytest.raises(services.JobCancelled):
        import_registrations(
            ImportRequest(
                path=path, kind="inflow", unit=village_worker.jurisdiction_id,
                acting_user=village_worker, today=TODAY, job_id=job.pk,
                progress=lambda done, total, **detail: services._check_cancelled(job.pk),
            )
        )  # fmt: skip
    assert Registration.objects.count() == 0

    job = _queued(job, village_worker)
    services.run(job.pk, today=TODAY)

    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created == 3
    assert Registration.objects.count() == 3


def test_a_recent_heartbeat_keeps_a_running_job_running(village_worker, tmp_path, settings):
    settings.IMPORT_STALE_SECONDS = 60
    path = write_csv(tmp_path / "登记.csv", [inflow_row(1)])
    job = _queued(_uploaded(village_worker, path), village_worker)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    services.write_progress(job.pk, 0, 1)
    job.refresh_from_db()

    services.read_progress(job)

    job.refresh_from_db()
    assert job.status == ImportStatus.RUNNING


@pytest.mark.django_db(transaction=True)
def test_reading_and_checking_the_first_batch_hold_no_write_lock(
    divisions, village_worker, tmp_path, monkeypatch
):
    """Given an import whose reader is slow to open its file (a large sheet loading), then no
    transaction is open while it reads: other writers (an audited read's audit row) go on."""
    from yipanqi.imports import batches, pipeline

    path = write_csv(tmp_path / "登记.csv", [inflow_row(n) for n in range(1, 4)])
    seen = []
    produce = batches.Reader._produce
    writer = connections["default"]  # this thread's connection, the writer's

    def watched(reader):
        seen.append(writer.in_atomic_block)
        yield from produce(reader)

    monkeypatch.setattr(batches.Reader, "_produce", watched)
    monkeypatch.setattr(pipeline, "PROCESS_MIN_ROWS", 10**9)  # the reader thread

    outcome = import_registrations(
        ImportRequest(
            path=path, kind="inflow", unit=village_worker.jurisdiction_id,
            acting_user=village_worker, today=TODAY,
        )
    )  # fmt: skip

    assert outcome.committed and outcome.created == 3
    # The reader thread started while the writer's connection had no transaction open
    # (before, BEGIN came first: on SQLite the database's write lock, while a sheet loaded).
    assert seen == [False]
