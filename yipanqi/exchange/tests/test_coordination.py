"""上级协调 (R-EX-3): the common higher level's own list of escalated requests, and its actions
(decide, a new due date in working days, assign), each on the timeline and audited."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse

from conftest import NANSHAN_VILLAGE, make_user
from yipanqi.accounts.models import ApiToken
from yipanqi.audit.models import AuditEvent
from yipanqi.core.errors import Rejected
from yipanqi.exchange import coordination
from yipanqi.exchange.models import Request, RequestEventType
from yipanqi.exchange.services import escalate_request, send_request
from yipanqi.exchange.sweep import sweep
from yipanqi.workdays.services import add_working_days

from .conftest import SENT_AT

pytestmark = pytest.mark.django_db
DONGGUAN_TOWNSHIP = "441900003"  # 广东省 › 东莞市 › 东城街道: 南山 and 东莞 meet at 广东
AFTER_DUE = dt.date(2026, 10, 16)


@pytest.fixture
def escalated(village_worker, person):
    """南山's village asked 东莞 and got no answer; it escalated to 广东, the common ancestor."""
    request = send_request(
        "verification",
        sender_code=NANSHAN_VILLAGE,
        receiver_code=DONGGUAN_TOWNSHIP,
        acting_user=village_worker,
        idempotency_key="coord-1",
        persons=[person],
        payload={"question": "Is she known in 东城街道?"},
        now=SENT_AT,
    )
    sweep(AFTER_DUE)
    escalate_request(request.pk, reason="No answer for weeks.", acting_user=village_worker)
    request.refresh_from_db()
    assert (request.status, request.escalated_to_id) == ("escalated", "44")
    return request


@pytest.fixture
def dongguan(db):
    return make_user("dan", "township_operator", DONGGUAN_TOWNSHIP)


def test_r_ex_3_the_common_ancestor_has_its_own_list_not_its_inbox(
    client, escalated, province_admin
):
    client.force_login(province_admin)
    listing = client.get(reverse("exchange:coordination")).content.decode()
    assert f"#{escalated.pk}" in listing
    inbox = client.get(reverse("exchange:box", args=["inbox"])).content.decode()
    assert f"#{escalated.pk}" not in inbox
    assert reverse("exchange:coordination") in inbox
    home = client.get(reverse("web:home")).content.decode()
    assert 'id="home-coordination"' in home
    assert f'href="{reverse("exchange:coordination")}"' in home  # the nav and the home card


def test_r_ex_3_the_list_puts_the_longest_overdue_first(
    escalated, province_admin, village_worker, person
):
    later = send_request(
        "verification",
        sender_code=NANSHAN_VILLAGE,
        receiver_code=DONGGUAN_TOWNSHIP,
        acting_user=village_worker,
        idempotency_key="coord-2",
        persons=[person],
        now=SENT_AT + dt.timedelta(days=3),
    )
    sweep(dt.date(2026, 10, 30))
    escalate_request(later.pk, reason="Also late.", acting_user=village_worker)
    listed = list(coordination.list_coordination(province_admin))
    assert listed == [escalated, Request.objects.get(pk=later.pk)]


def test_r_ex_3_decide_closes_with_the_decision_on_the_timeline_and_audited(
    client, escalated, province_admin
):
    client.force_login(province_admin)
    page = client.get(reverse("exchange:detail", args=[escalated.pk])).content.decode()
    assert 'id="coordination"' in page
    response = client.post(
        reverse("exchange:decide", args=[escalated.pk]),
        {"decision": "She moved away in June; nothing to confirm.", "outcome": "close"},
    )
    assert response.status_code == 302
    escalated.refresh_from_db()
    assert escalated.status == "closed"
    assert escalated.decision == "She moved away in June; nothing to confirm."
    assert escalated.decided_by == province_admin
    event = escalated.events.get(type=RequestEventType.DECIDED)
    assert event.data["outcome"] == "close"
    assert AuditEvent.objects.filter(
        object_type="request", object_id=str(escalated.pk), detail__event="decided"
    ).exists()
    detail = client.get(reverse("exchange:detail", args=[escalated.pk])).content.decode()
    assert "She moved away in June" in detail
    assert "Decided by the higher level" in detail


def test_r_ex_3_a_decision_needs_words_and_a_return_needs_working_days(
    client, escalated, province_admin
):
    with pytest.raises(Rejected) as refused:
        coordination.decide_request(
            escalated.pk, decision=" ", outcome="close", acting_user=province_admin
        )
    assert "decision" in refused.value.errors
    with pytest.raises(Rejected) as refused:
        coordination.decide_request(
            escalated.pk, decision="Answer now.", outcome="receiver", acting_user=province_admin
        )
    assert "working_days" in refused.value.errors
    client.force_login(province_admin)
    typed = "Please answer, she is registered with you."
    response = client.post(
        reverse("exchange:decide", args=[escalated.pk]),
        {"decision": typed, "outcome": "receiver"},
    )
    assert response.status_code == 400
    assert typed in response.content.decode()  # what was typed is kept
    escalated.refresh_from_db()
    assert escalated.status == "escalated"


def test_r_ex_3_returned_to_the_receiver_with_a_due_date_in_working_days(escalated, province_admin):
    now = dt.datetime(2026, 10, 19, 9, tzinfo=SENT_AT.tzinfo)
    coordination.decide_request(
        escalated.pk,
        decision="东城街道 answers within 5 working days.",
        outcome="receiver",
        working_days=5,
        acting_user=province_admin,
        now=now,
    )
    escalated.refresh_from_db()
    assert escalated.status == "delivered"
    assert escalated.due_on == add_working_days(now, 5).date == dt.date(2026, 10, 26)


def test_r_ex_3_returned_to_the_sender_with_the_decision_as_the_answer(
    escalated, province_admin, village_worker
):
    coordination.decide_request(
        escalated.pk,
        decision="Ask 南城街道 instead.",
        outcome="sender",
        acting_user=province_admin,
    )
    escalated.refresh_from_db()
    assert (escalated.status, escalated.answer) == ("answered", "Ask 南城街道 instead.")
    from yipanqi.exchange.services import may_close

    assert may_close(village_worker, escalated)


def test_r_ex_3_a_new_due_date_counts_working_days(client, escalated, province_admin):
    client.force_login(province_admin)
    response = client.post(
        reverse("exchange:reschedule", args=[escalated.pk]),
        {"working_days": "3", "reason": "The township was flooded."},
    )
    assert response.status_code == 302
    escalated.refresh_from_db()
    assert escalated.status == "delivered"
    event = escalated.events.get(type=RequestEventType.RESCHEDULED)
    assert event.data["deadline_days"] == 3
    assert escalated.due_on == dt.date.fromisoformat(event.data["due_on"])
    assert escalated.due_on == add_working_days(event.at, 3).date


def test_r_ex_3_assign_to_a_lower_unit_moves_the_list(escalated, province_admin):
    codes = [d.code for d in coordination.assign_choices(escalated)]
    assert codes[:4] == ["4403", "440305", "440305001", NANSHAN_VILLAGE]
    assert DONGGUAN_TOWNSHIP in codes
    with pytest.raises(Rejected):
        coordination.assign_request(escalated.pk, unit_code="51", acting_user=province_admin)
    coordination.assign_request(
        escalated.pk, unit_code="4403", note="深圳, please sort it out.", acting_user=province_admin
    )
    shenzhen = make_user("sz", "city_admin", "4403")
    assert list(coordination.list_coordination(province_admin)) == []
    assert list(coordination.list_coordination(shenzhen)) == [escalated]
    escalated.refresh_from_db()
    assert coordination.may_coordinate(shenzhen, escalated)
    assert coordination.may_coordinate(province_admin, escalated)  # the level above keeps it
    assert escalated.events.get(type=RequestEventType.ASSIGNED).unit_id == "4403"


def test_r_ex_3_the_sides_and_strangers_cannot_coordinate(
    client, escalated, village_worker, dongguan, other_county_admin
):
    for user in (village_worker, dongguan):
        assert not coordination.may_coordinate(user, escalated)
        with pytest.raises(Rejected):
            coordination.decide_request(
                escalated.pk, decision="Closed.", outcome="close", acting_user=user
            )
    client.force_login(other_county_admin)
    response = client.post(
        reverse("exchange:decide", args=[escalated.pk]), {"decision": "x", "outcome": "close"}
    )
    assert response.status_code == 404
    escalated.refresh_from_db()
    assert escalated.status == "escalated"


def test_r_ex_3_the_api_lists_and_coordinates(escalated, province_admin):
    _token, key = ApiToken.issue(province_admin, name="test")
    api = Client(headers={"authorization": f"Bearer {key}"})
    listing = api.get("/api/v1/exchange/coordination").json()
    assert [r["id"] for r in listing["results"]] == [escalated.pk]
    detail = api.get(f"/api/v1/exchange/requests/{escalated.pk}").json()
    assert detail["may_coordinate"] is True
    assert "4403" in detail["assign_choices"]
    url = f"/api/v1/exchange/requests/{escalated.pk}"
    refused = api.post(
        url + "/decide",
        json.dumps({"decision": "Answer.", "outcome": "receiver"}),
        content_type="application/json",
    )
    assert refused.status_code == 422
    done = api.post(
        url + "/reschedule",
        json.dumps({"working_days": 4, "reason": "One more week."}),
        content_type="application/json",
    )
    assert done.status_code == 200
    assert done.json()["status"] == "delivered"
    assert any(e["type"] == "rescheduled" for e in done.json()["events"])


def test_r_ex_3_a_township_finds_what_two_of_its_villages_escalated_to_it(client, person):
    """Two villages of 南头街道: the township is their common ancestor. The request leaves its
    inbox, so the township's operator must be shown the coordination list in the nav and on
    the home page, or the escalation would be lost to them."""
    nantou = make_user("nan1", "village_worker", NANSHAN_VILLAGE)
    township = make_user("nant", "township_operator", "440305001")
    request = send_request(
        "verification",
        sender_code=NANSHAN_VILLAGE,
        receiver_code="440305001003",  # 大新社区, the same township
        acting_user=nantou,
        idempotency_key="coord-township",
        persons=[person],
        now=SENT_AT,
    )
    sweep(AFTER_DUE)
    escalate_request(request.pk, reason="No answer.", acting_user=nantou)
    request.refresh_from_db()
    assert request.escalated_to_id == "440305001"

    client.force_login(township)
    home = client.get(reverse("web:home")).content.decode()
    assert 'id="home-coordination"' in home
    assert f'href="{reverse("exchange:coordination")}"' in home
    listing = client.get(reverse("exchange:coordination")).content.decode()
    assert f"#{request.pk}" in listing
