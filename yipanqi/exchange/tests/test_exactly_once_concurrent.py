"""R-EX-5 under concurrency: racing submissions with one key leave one request (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from conftest import NANSHAN_VILLAGE, SANTAI_TOWNSHIP, make_user
from yipanqi.exchange.models import Request
from yipanqi.exchange.tests.conftest import SENT_AT

THREADS = 8


@pytest.mark.django_db(transaction=True)
def test_r_ex_5_concurrent_submissions_with_one_key_exist_once():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers; the race needs PostgreSQL")
    from yipanqi.divisions.testing import load_test_divisions
    from yipanqi.exchange.services import send_request
    from yipanqi.regions.seed import seed_regions

    load_test_divisions()  # a transactional test starts from flushed tables
    seed_regions()
    worker = make_user("alice", "village_worker", NANSHAN_VILLAGE)
    barrier = threading.Barrier(THREADS)
    results, errors = [], []

    def submit():
        try:
            barrier.wait()
            request = send_request(
                "verification",
                sender_code=NANSHAN_VILLAGE,
                receiver_code=SANTAI_TOWNSHIP,
                acting_user=worker,
                idempotency_key="import-2026-09-18-row-17",
                now=SENT_AT,
            )
            results.append(request.pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == THREADS
    assert len(set(results)) == 1
    assert Request.objects.filter(idempotency_key="import-2026-09-18-row-17").count() == 1
