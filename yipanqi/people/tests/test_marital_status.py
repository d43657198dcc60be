"""One writer of a change of marital status: people.services.change_marital_status writes the
person, one timeline event, the counters (R-STAT-1) and one audit row, all at once."""

import pytest

from conftest import NANSHAN_VILLAGE
from yipanqi.audit.models import AuditEvent
from yipanqi.ledger import counters
from yipanqi.people.models import EventType, Person
from yipanqi.people.services import change_marital_status

pytestmark = pytest.mark.django_db


def _changes(person):
    events = person.events.filter(type=EventType.DETAILS_CHANGED)
    audits = AuditEvent.objects.filter(
        action="person_update", person_id=person.pk, detail__event="marital_status_changed"
    )
    return list(events), list(audits)


def test_r_stat_1_a_change_writes_person_event_counters_and_audit_once(
    register_inflow, village_worker
):
    person = register_inflow(marital_status="unmarried").person

    changed = change_marital_status(
        person, "first_marriage", acting_user=village_worker, source="test",
        unit_id=NANSHAN_VILLAGE, data={"note": 1},
    )  # fmt: skip

    assert changed
    assert Person.objects.get(pk=person.pk).marital_status == "first_marriage"
    events, audits = _changes(person)
    assert len(events) == 1 and len(audits) == 1
    assert events[0].data == {
        "fields": ["marital_status"],
        "marital_status": {"from": "unmarried", "to": "first_marriage"},
        "source": "test",
        "note": 1,
    }
    assert (events[0].actor_id, events[0].unit_id) == (village_worker.pk, NANSHAN_VILLAGE)
    assert audits[0].detail["marital_status"] == {"from": "unmarried", "to": "first_marriage"}
    # R-STAT-1: now married, her stay counts for service coverage; the counters agree.
    report = counters.check()
    assert report.ok, report


def test_the_same_status_again_writes_nothing(register_inflow, village_worker):
    person = register_inflow(marital_status="first_marriage").person

    assert not change_marital_status(
        person, "first_marriage", acting_user=village_worker, source="test"
    )
    assert _changes(person) == ([], [])
