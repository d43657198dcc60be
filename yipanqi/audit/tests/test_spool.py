"""Issue 16.2: an audited read waits for SQLite's write lock and succeeds, never 500.

A large import holds SQLite's one write lock for as long as its rows take to write. A read's
audit row (the only thing a read writes) then goes to the durable spool after
AUDIT_SPOOL_AFTER_MS, the read goes on, and the next audit write appends the spooled rows to
the chain first, in order. A change's audit row is never spooled: it commits with the change.
"""

import contextlib
import json
import sqlite3
import time

import pytest
from django.db import OperationalError, connection, transaction

from yipanqi.accounts import middleware
from yipanqi.audit import chain, spool
from yipanqi.audit.models import Action, AuditEvent
from yipanqi.audit.services import flush_spool, record_event

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "connection.vendor != 'sqlite'", reason="PostgreSQL has no database-wide write lock"
    ),
]


@pytest.fixture(autouse=True)
def var_dir(divisions, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.AUDIT_SPOOL_AFTER_MS = 300


@contextlib.contextmanager
def write_lock():
    """Another connection holding the database's write lock, as a large import does."""
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def _spooled() -> list[dict]:
    rows = []
    for path in spool.folder().glob("*"):
        rows += [json.loads(line) for line in path.read_text().splitlines()]
    return rows


def test_an_audited_search_under_the_write_lock_answers_and_is_on_record(
    client, village_worker, monkeypatch
):
    """Given the write lock held elsewhere, when a village worker searches, then the page
    answers 200 shortly after the spool's wait, the search is on record in the spool (fsync'd)
    and, once the lock is free, the next audited read puts it into the chain first."""
    client.force_login(village_worker)
    assert client.get("/persons/?kind=inflow").status_code == 200  # the session's clocks set
    monkeypatch.setattr(middleware, "SEEN_RESOLUTION", 0)  # this request refreshes its clock
    with write_lock():
        started = time.monotonic()

        response = client.get("/persons/?kind=inflow")

        assert response.status_code == 200
        assert time.monotonic() - started < 5
    [row] = _spooled()
    assert row["action"] == Action.PERSON_SEARCH and row["actor_id"] == village_worker.pk

    assert client.get("/persons/?kind=inflow").status_code == 200

    searches = list(AuditEvent.objects.filter(action=Action.PERSON_SEARCH).order_by("id"))
    assert len(searches) == 3
    assert searches[1].detail["spool_id"] == row["detail"]["spool_id"]
    assert searches[0].at < searches[1].at < searches[2].at
    assert _spooled() == []
    assert chain.verify().ok, chain.verify().problems


def test_a_change_is_never_spooled_it_fails_with_its_audit_row(village_worker):
    """An action's audit row commits with the action or not at all (R-AUD): under the lock
    the action fails and nothing is spooled."""
    with write_lock(), pytest.raises(OperationalError), transaction.atomic():
        record_event(actor=village_worker, action=Action.CHANGE, object_type="test")
    assert _spooled() == []


def test_a_flush_that_committed_and_died_before_its_delete_is_not_appended_twice(
    village_worker,
):
    with write_lock():
        record_event(actor=village_worker, action=Action.PERSON_SEARCH, detail={"n": 1})
    [path] = list(spool.folder().glob("*.jsonl"))
    kept = path.read_text()
    assert flush_spool() == 1
    # The same rows again, as a claimed file left by a flush that died after its commit.
    path.with_name(path.name + ".dead.flushing").write_text(kept)

    assert flush_spool() == 0

    assert AuditEvent.objects.filter(action=Action.PERSON_SEARCH).count() == 1
    assert _spooled() == []
    assert chain.verify().ok


def test_a_change_that_cannot_get_the_lock_answers_503_in_words(client, village_worker):
    """A change waits the busy timeout for the lock (shortened here), then the page says
    nothing was changed, never a 500; nothing was written."""
    from conftest import NANSHAN_VILLAGE, SANTAI_VILLAGE, id_for
    from yipanqi.people.models import Person

    client.force_login(village_worker)
    assert client.get("/register/inflow/").status_code == 200
    form = {
        "id_number": id_for(), "name": "王芳", "home_code": SANTAI_VILLAGE,
        "residence_code": NANSHAN_VILLAGE, "arrival_date": "2026-11-02", "reason": "work",
        "marital_status": "first_marriage", "phone": "13800138000",
    }  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 200")
    try:
        with write_lock():
            response = client.post("/register/inflow/", form)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 20000")

    assert response.status_code == 503 and response["Retry-After"]
    assert "没有做任何更改" in response.content.decode()
    assert Person.objects.count() == 0
    assert client.post("/register/inflow/", form).status_code == 302  # and again, it goes in
    assert Person.objects.count() == 1


def test_the_periodic_checkpoint_and_verify_append_spooled_reads_first(village_worker):
    """`yipanqi audit verify` and the sweep's checkpoint see a chain with the spooled reads."""
    from django.core.management import call_command

    from yipanqi.audit.anchors import checkpoint

    with write_lock():
        record_event(actor=village_worker, action=Action.PERSON_SEARCH, detail={"n": 1})
    assert len(_spooled()) == 1

    result, anchor = checkpoint()

    assert _spooled() == [] and result.ok and anchor.count == result.rows
    with write_lock():
        record_event(actor=village_worker, action=Action.PERSON_SEARCH, detail={"n": 2})
    call_command("audit", "verify")
    assert _spooled() == []
    assert AuditEvent.objects.filter(action=Action.PERSON_SEARCH).count() == 2


def test_api_reads_with_the_rate_limit_on_answer_under_the_write_lock(
    client, village_worker, settings
):
    """With the API's shared rate limit on (a row written per request), an API read under the
    write lock still answers: the count waits briefly, then the request goes through."""
    from yipanqi.accounts.models import ApiToken

    settings.API_RATE_PER_MINUTE = 600
    _, key = ApiToken.issue(village_worker, name="test")
    with write_lock():
        started = time.monotonic()
        response = client.get("/api/v1/exchange/inbox", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200, response.content[:300]
    assert time.monotonic() - started < 8
