"""Issue 7, item 3: the audit trail is append-only, hash-chained and verifiable (R-ACC-2, P5).

R-ACC-2 requires that access to persons is audited; these tests prove the trail cannot be
changed quietly: the database refuses UPDATE and DELETE, and `yipanqi audit verify` finds a row
altered, removed or added behind the triggers' back, and (issue 16.8) that signed checkpoints
outside the database catch a tail cut off with an older head put back.
"""

import datetime as dt
import json
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from yipanqi.audit import anchors, archive, chain, triggers
from yipanqi.audit.models import Action, AuditEvent, ChainHead
from yipanqi.audit.services import Origin, record_event
from yipanqi.people.models import Person


def _rows(n, actor):
    return [
        record_event(actor=actor, action=Action.PERSON_SEARCH, detail={"name": f"王{i}"})
        for i in range(n)
    ]


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def no_triggers():
    """What a database owner can do: drop the triggers (restored by the test's rollback)."""
    triggers.uninstall()
    yield
    triggers.install()


def test_r_acc_2_rows_form_a_keyed_chain(village_worker):
    """Issue 7.3: each row's prev_hash is the row before's row_hash; verify accepts it."""
    rows = _rows(3, village_worker)
    assert rows[0].prev_hash == chain.GENESIS or AuditEvent.objects.count() > 3
    assert rows[1].prev_hash == rows[0].row_hash
    assert rows[2].prev_hash == rows[1].row_hash
    assert len({r.row_hash for r in rows}) == 3
    head = ChainHead.objects.get(pk=1)
    assert (head.last_id, head.last_hash) == (rows[-1].pk, rows[-1].row_hash)
    result = chain.verify()
    assert result.ok, result.problems
    assert result.rows == AuditEvent.objects.count()


def test_r_acc_2_database_refuses_update_and_delete_of_audit_rows(village_worker):
    """Issue 7.3: triggers refuse UPDATE and DELETE through the ORM and through raw SQL."""
    row = _rows(1, village_worker)[0]
    attempts = [
        lambda: AuditEvent.objects.filter(pk=row.pk).update(result="denied"),
        lambda: AuditEvent.objects.filter(pk=row.pk).delete(),
        lambda: _raw(
            "UPDATE audit_auditevent SET reason = 'nothing happened' WHERE id = %s", [row.pk]
        ),
        lambda: _raw("DELETE FROM audit_auditevent"),
    ]
    if connection.vendor == "postgresql":
        attempts.append(lambda: _raw("TRUNCATE audit_auditevent CASCADE"))
    for attempt in attempts:
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    row.refresh_from_db()
    assert row.result == "ok" and row.reason == ""
    assert triggers.installed()


def test_r_acc_2_verify_finds_a_row_edited_in_the_database(village_worker):
    """Issue 7.3: drop the trigger, edit a row with raw SQL: `audit verify` fails naming it."""
    rows = _rows(4, village_worker)
    call_command("audit", "verify", stdout=open("/dev/null", "w"))  # noqa: SIM115
    triggers.uninstall()  # undone by the test's rollback
    _raw("UPDATE audit_auditevent SET actor_name = 'someone-else' WHERE id = %s", [rows[1].pk])
    result = chain.verify()
    assert not result.ok
    assert any(f"row {rows[1].pk}: its content was changed" in p for p in result.problems)
    with pytest.raises(CommandError, match="audit chain FAILED"):
        call_command("audit", "verify", stderr=open("/dev/null", "w"))  # noqa: SIM115


def test_r_acc_2_verify_finds_a_removed_row_in_the_middle_and_at_the_end(
    village_worker, no_triggers
):
    """Issue 7.3: a removed row breaks the chain; removing the newest row moves the head."""
    rows = _rows(5, village_worker)
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [rows[2].pk])
    problems = chain.verify().problems
    assert any(f"row {rows[3].pk}: the row before it was removed" in p for p in problems)

    _raw("DELETE FROM audit_auditevent WHERE id = %s", [rows[4].pk])
    problems = chain.verify().problems
    assert any("the newest rows were removed" in p for p in problems)


def test_r_acc_2_verify_finds_a_forged_row_and_a_forged_head(village_worker, no_triggers):
    """Issue 7.3: without the key nobody can add a row or move the head so that it verifies."""
    rows = _rows(2, village_worker)
    forged = AuditEvent(
        at=timezone.now(), action="login", actor_name="intruder", prev_hash=rows[-1].row_hash
    )
    forged.row_hash = "0" * 64
    forged.save(force_insert=True)
    ChainHead.objects.filter(pk=1).update(last_id=forged.pk, last_hash=forged.row_hash)
    problems = chain.verify().problems
    assert any(f"row {forged.pk}: its content was changed" in p for p in problems)
    assert "the chain head was changed" in problems


def test_r_acc_2_an_action_whose_audit_row_fails_does_not_happen(register_inflow):
    """Issue 7.3: the audit row is written in the action's transaction; if it fails, nothing is."""
    before = Person.objects.count()
    with (
        mock.patch.object(chain, "row_hash", side_effect=DatabaseError("audit table full")),
        pytest.raises(DatabaseError),
    ):
        register_inflow()
    assert Person.objects.count() == before


def test_r_acc_2_spoofed_forwarded_for_is_not_written_as_the_address(rf, settings):
    """Issue 7.3 (from where): X-Forwarded-For counts only behind configured proxies."""
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="10.1.2.3")
    assert Origin.from_request(request).ip == "10.1.2.3"
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.1")
    assert Origin.from_request(request).ip == "203.0.113.9"
    request = rf.get("/", HTTP_X_FORWARDED_FOR="not-an-address", REMOTE_ADDR="10.0.0.1")
    assert Origin.from_request(request).ip is None


def test_r_acc_2_archive_refuses_rows_younger_than_six_months(village_worker, tmp_path):
    """Issue 7.3 (retention): nothing younger than 6 months can be archived, whatever is asked."""
    _rows(2, village_worker)
    with pytest.raises(archive.ArchiveRefused, match="kept at least"):
        archive.archive_before(timezone.now() - dt.timedelta(days=30), tmp_path)
    with pytest.raises(CommandError, match="kept at least"):
        call_command("audit", "archive", "--before", timezone.localdate().isoformat())
    assert AuditEvent.objects.count() >= 2


def test_r_acc_2_archive_moves_old_rows_to_a_file_and_the_chain_still_verifies(
    village_worker, tmp_path
):
    """Issue 7.3: archiving old rows leaves a chain that verifies, anchored by the archive row."""
    long_ago = timezone.now() - dt.timedelta(days=400)
    with mock.patch("django.utils.timezone.now", return_value=long_ago):
        old = _rows(3, village_worker)
    young = _rows(2, village_worker)
    result = archive.archive_before(timezone.now() - dt.timedelta(days=380), tmp_path)
    assert result.count >= 3
    assert not AuditEvent.objects.filter(pk__in=[r.pk for r in old]).exists()
    assert AuditEvent.objects.filter(pk__in=[r.pk for r in young]).count() == 2
    lines = result.path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == result.count
    marker = AuditEvent.objects.get(action=Action.AUDIT_ARCHIVE)
    assert marker.detail["sha256"] == result.sha256
    check = chain.verify()
    assert check.ok, check.problems


@pytest.mark.django_db(transaction=True)
def test_r_acc_2_only_the_development_flush_may_empty_the_audit_table(settings):
    """Issue 7.3: flush lifts the triggers in development (tests) only; in production it fails."""
    record_event(actor=None, action=Action.LOGIN_FAILED, detail={"username": "x"})
    settings.DEV = False
    with pytest.raises(CommandError, match="couldn't be flushed"):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 1
    settings.DEV = True
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 0
    assert triggers.installed()


# --- Issue 16.8: the tail of the chain cannot be cut silently -----------------------------------


def _cut_tail_and_put_back(head_values: dict) -> None:
    """What a database owner can do: delete the newest rows and restore a head saved earlier."""
    _raw("DELETE FROM audit_auditevent WHERE id > %s", [head_values["last_id"]])
    ChainHead.objects.filter(pk=1).update(**head_values)
    triggers.install()  # and put the triggers back, so nothing else looks amiss


def _head_values() -> dict:
    return ChainHead.objects.filter(pk=1).values("last_id", "last_hash", "count", "mac").get()


def test_16_8_a_cut_tail_with_an_older_head_put_back_is_found_by_the_checkpoint(
    village_worker, no_triggers, settings
):
    """Issue 16.8: given a checkpoint of the head, when the newest rows are deleted and an older
    (genuinely signed) head is put back, then `audit verify` fails naming the cut."""
    _rows(3, village_worker)
    saved = _head_values()
    _rows(2, village_worker)
    anchor = anchors.write_anchor()
    _rows(1, village_worker)
    _cut_tail_and_put_back(saved)

    settings.AUDIT_ANCHOR_FILE = settings.AUDIT_ANCHOR_FILE.with_name("none.jsonl")
    assert chain.verify().ok  # the hole the issue found: without a checkpoint it passes
    settings.AUDIT_ANCHOR_FILE = settings.AUDIT_ANCHOR_FILE.with_name("audit-anchors.jsonl")

    result = chain.verify()
    assert not result.ok
    assert any(
        "the checkpoint of" in p and f"saw row {anchor.last_id}" in p for p in result.problems
    ), result.problems
    assert any("the chain head is older than the checkpoint" in p for p in result.problems)
    with pytest.raises(CommandError, match="audit chain FAILED"):
        call_command("audit", "verify", stderr=open("/dev/null", "w"))  # noqa: SIM115
    assert anchors.load_status()["ok"] is False  # what the auditor's page shows


def test_16_8_a_forged_or_edited_checkpoint_is_found(village_worker, settings):
    """Issue 16.8: a checkpoint line not signed with the server's key (forged, or an edited
    genuine one) fails `audit verify`; it binds nothing."""
    _rows(2, village_worker)
    genuine = anchors.write_anchor()
    path = settings.AUDIT_ANCHOR_FILE
    edited = json.loads(genuine.line())
    edited["last_id"] = genuine.last_id + 1000
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(edited) + "\n")
        handle.write("not even json\n")
    result = chain.verify()
    assert not result.ok
    assert "checkpoint file line 2 is not signed by this server (forged or damaged)" in (
        result.problems
    )
    assert any("line 3 is not signed" in p for p in result.problems)
    assert not any("saw row" in p for p in result.problems)  # the forgery binds nothing
    assert result.checkpoints == 1


def test_16_8_a_normal_growing_chain_verifies_against_every_checkpoint(village_worker):
    """Issue 16.8: checkpoints on demand (`audit anchor`) as the chain grows: verify passes."""
    _rows(2, village_worker)
    call_command("audit", "anchor", stdout=open("/dev/null", "w"))  # noqa: SIM115
    _rows(3, village_worker)
    call_command("audit", "anchor", stdout=open("/dev/null", "w"))  # noqa: SIM115
    _rows(1, village_worker)
    result = chain.verify()
    assert result.ok, result.problems
    assert result.checkpoints == 2
    lines = anchors.read_anchors()
    assert not lines.bad_lines and [a.kind for a in lines.anchors] == ["anchor", "anchor"]


def test_16_8_archiving_after_a_checkpoint_still_verifies(village_worker, tmp_path):
    """Issue 16.8 with 7.3: rows archived past retention after a checkpoint saw them are not a
    cut tail."""
    long_ago = timezone.now() - dt.timedelta(days=400)
    with mock.patch("django.utils.timezone.now", return_value=long_ago):
        _rows(3, village_worker)
    anchors.write_anchor()
    _rows(1, village_worker)
    archive.archive_before(timezone.now() - dt.timedelta(days=380), tmp_path / "archive")
    anchors.write_anchor()
    result = chain.verify()
    assert result.ok, result.problems


def test_16_8_a_restore_mark_releases_older_checkpoints(village_worker, no_triggers):
    """Issue 16.8: after `yipanqi restore` (which marks the restore and anchors afresh) the
    checkpoints taken before no longer bind the restored, shorter chain."""
    _rows(2, village_worker)
    saved = _head_values()
    _rows(2, village_worker)
    anchors.write_anchor()
    _cut_tail_and_put_back(saved)  # as a restore from an older backup leaves it
    assert not chain.verify().ok
    anchors.mark_restore()
    anchors.write_anchor()
    result = chain.verify()
    assert result.ok, result.problems


def test_16_8_the_schedule_checkpoints_the_chain_and_the_auditor_sees_it(
    village_worker, auditor, monkeypatch
):
    """Issue 16.8: the periodic job (the scheduler's audit checkpoint) verifies and anchors; the
    audit page shows the latest checkpoints and the verification result."""
    from django.test import Client

    from yipanqi.ops import schedule

    _rows(2, village_worker)
    result, anchor = anchors.checkpoint()
    job = schedule.job("audit-checkpoint")
    assert job.run is anchors.checkpoint_job  # the scheduler runs this checkpoint hourly
    assert result.ok and anchor.last_id == ChainHead.objects.get(pk=1).last_id
    assert anchors.read_anchors().anchors == [anchor]
    client = Client()
    client.force_login(auditor)
    page = client.get("/audit/")
    html = page.content.decode()
    assert page.status_code == 200
    assert page.context["verification"]["ok"] is True
    assert page.context["checkpoints"][0] == anchor
    assert f"#{anchor.last_id}" in html
