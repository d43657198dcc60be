"""One writer for requests (issue 13): send_requests for many, send_request as a one-item call
of it; R-EX-1, R-WD-2 deadlines, R-EX-5 exactly once, R-STAT-1 counters in the transaction."""

import pytest

from conftest import NANSHAN_VILLAGE, SANTAI_TOWNSHIP, SANTAI_VILLAGE, XUANWU_COUNTY
from yipanqi.audit.models import AuditEvent
from yipanqi.core.errors import Rejected
from yipanqi.exchange.models import Request, RequestEvent
from yipanqi.exchange.services import RequestSpec, send_request, send_requests
from yipanqi.exchange.tests.conftest import SENT_AT
from yipanqi.ledger import counters

pytestmark = pytest.mark.django_db

RECEIVERS = (SANTAI_TOWNSHIP, SANTAI_VILLAGE, XUANWU_COUNTY)


def _spec(receiver, key, person, **overrides):
    arguments = {
        "type": "verification",
        "sender_code": NANSHAN_VILLAGE,
        "receiver_code": receiver,
        "idempotency_key": key,
        "persons": (person,),
        "payload": {"question": "Please confirm her marital status."},
    }
    return RequestSpec(**(arguments | overrides))


def _timeline(request):
    return [
        (e.type, e.actor_id, e.unit_id, e.data, e.at)
        for e in RequestEvent.objects.filter(request=request).order_by("pk")
    ]


def test_r_ex_1_send_requests_writes_each_request_with_one_sent_and_one_delivered_event(
    village_worker, person
):
    specs = [_spec(code, f"many-{i}", person) for i, code in enumerate(RECEIVERS)]

    sent = send_requests(specs, acting_user=village_worker, now=SENT_AT)

    assert [r.receiver_id for r in sent] == list(RECEIVERS)
    assert Request.objects.count() == 3
    for request in sent:
        types = list(RequestEvent.objects.filter(request=request).values_list("type", flat=True))
        assert sorted(types) == ["delivered", "sent"]
        assert list(request.persons.values_list("pk", flat=True)) == [person.pk]
        assert request.status == "delivered" and request.delivered_at == SENT_AT
    # One audit row for the lot (the import's shape), and the counters as a recount has them.
    rows = AuditEvent.objects.filter(object_type="request", detail__event="sent")
    assert [row.detail["count"] for row in rows] == [3]
    assert counters.check().ok


def test_r_ex_5_send_requests_returns_the_request_a_key_already_has(village_worker, person):
    first = send_request(
        "verification",
        sender_code=NANSHAN_VILLAGE,
        receiver_code=SANTAI_TOWNSHIP,
        acting_user=village_worker,
        idempotency_key="many-0",
        now=SENT_AT,
    )
    specs = [_spec(SANTAI_TOWNSHIP, "many-0", person), _spec(XUANWU_COUNTY, "many-1", person)]

    again, new = send_requests(specs, acting_user=village_worker, now=SENT_AT)

    assert again.pk == first.pk
    assert Request.objects.count() == 2
    assert RequestEvent.objects.filter(request=new, type="sent").count() == 1


def test_one_refused_spec_refuses_the_lot(village_worker, person):
    specs = [_spec(SANTAI_TOWNSHIP, "many-0", person), _spec("440305", "many-1", person)]

    with pytest.raises(Rejected) as err:
        send_requests(specs, acting_user=village_worker, now=SENT_AT)

    assert "receiver" in err.value.errors  # R-EX-1: not above or below the sender
    assert not Request.objects.exists()


def test_send_request_is_a_one_item_send_requests(village_worker, person):
    one = send_request(
        "verification",
        sender_code=NANSHAN_VILLAGE,
        receiver_code=SANTAI_TOWNSHIP,
        acting_user=village_worker,
        idempotency_key="one",
        persons=[person],
        payload={"question": "Please confirm her marital status."},
        now=SENT_AT,
    )
    (many,) = send_requests(
        [_spec(SANTAI_TOWNSHIP, "many", person)], acting_user=village_worker, now=SENT_AT
    )

    fields = ("type", "sender_id", "receiver_id", "payload", "subject", "sent_by_id",
              "created_at", "delivered_at", "due_on", "deadline_days", "due_fallback",
              "rule_set_id", "rule_reason", "status")  # fmt: skip
    stored = Request.objects.in_bulk([one.pk, many.pk])
    assert [getattr(stored[one.pk], f) for f in fields] == [
        getattr(stored[many.pk], f) for f in fields
    ]
    assert _timeline(one) == _timeline(many)
    audit = {
        row.object_id: (row.person_id, row.detail)
        for row in AuditEvent.objects.filter(object_type="request")
    }
    assert (
        audit[str(one.pk)]
        == audit[str(many.pk)]
        == (
            person.pk,
            {"event": "sent", "type": "verification", "receiver": SANTAI_TOWNSHIP},
        )
    )
