"""The sweep: R-EX-3 overdue and escalation, R-REGN-4 lost contact; idempotent."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from conftest import NANSHAN_VILLAGE, SANTAI_VILLAGE, XUANWU_COUNTY, id_for
from yipanqi.core.errors import NotFound, Rejected
from yipanqi.exchange.models import Request, RequestEvent
from yipanqi.exchange.services import (
    access_request,
    answer_request,
    escalate_request,
    send_request,
)
from yipanqi.exchange.sweep import sweep
from yipanqi.people.models import PersonEvent, Registration
from yipanqi.people.services import RegistrationInput, register

pytestmark = pytest.mark.django_db
DUE = dt.date(2026, 10, 15)


def test_r_ex_3_not_overdue_on_the_due_day_overdue_the_day_after(send_verification):
    request = send_verification()
    assert sweep(DUE).overdue == 0
    request.refresh_from_db()
    assert request.status == "delivered"
    assert sweep(DUE + dt.timedelta(days=1)).overdue == 1
    request.refresh_from_db()
    assert request.status == "overdue"
    assert request.events.filter(type="overdue").count() == 1


def test_r_ex_3_sweeping_twice_changes_nothing_the_second_time(send_verification):
    send_verification()
    day = DUE + dt.timedelta(days=3)
    assert sweep(day).overdue == 1
    events = RequestEvent.objects.count()
    assert sweep(day).overdue == 0
    assert RequestEvent.objects.count() == events


def test_r_ex_3_answered_requests_never_become_overdue(send_verification, township_operator):
    request = send_verification()
    answer_request(request.pk, answer="Confirmed: first marriage.", acting_user=township_operator)
    assert sweep(DUE + dt.timedelta(days=30)).overdue == 0


def test_r_ex_3_both_sides_ancestors_see_the_overdue_request_a_third_county_does_not(
    send_verification, province_admin, sichuan_admin, other_county_admin
):
    request = send_verification()
    sweep(DUE + dt.timedelta(days=1))
    for ancestor in (province_admin, sichuan_admin):
        assert Request.objects.visible_to(ancestor).overdue().filter(pk=request.pk).exists()
    with pytest.raises(NotFound):
        access_request(other_county_admin, request.pk)


def test_r_ex_3_escalation_between_two_provinces_lands_at_the_nation(
    send_verification, village_worker
):
    request = send_verification()
    with pytest.raises(Rejected):  # not yet overdue
        escalate_request(request.pk, reason="No answer", acting_user=village_worker)
    sweep(DUE + dt.timedelta(days=1))
    escalated = escalate_request(
        request.pk, reason="No answer after 15 working days", acting_user=village_worker
    )
    # 广东 and 四川 share no level below the nation: escalated_to empty means national level.
    assert escalated.status == "escalated"
    assert escalated.escalated_to is None
    assert escalated.escalation_reason == "No answer after 15 working days"
    assert escalated.events.filter(type="escalated").count() == 1


def test_r_ex_3_escalation_between_two_counties_of_a_city_lands_at_the_city(other_county_admin):
    request = send_request(
        "co_investigation",
        sender_code=XUANWU_COUNTY,
        receiver_code="320104",
        acting_user=other_county_admin,
        idempotency_key="nanjing-1",
        now=dt.datetime(2026, 9, 1, 9, tzinfo=dt.UTC),
    )
    assert request.rule_reason == "same province 江苏"
    sweep(request.due_on + dt.timedelta(days=1))
    escalated = escalate_request(request.pk, reason="Late", acting_user=other_county_admin)
    assert escalated.escalated_to_id == "3201"


def test_r_ex_3_a_third_party_cannot_escalate(send_verification, province_admin, sichuan_admin):
    from conftest import make_user

    request = send_verification()
    sweep(DUE + dt.timedelta(days=1))
    zhejiang = make_user("zoe", "province_admin", "33")
    with pytest.raises(NotFound):
        escalate_request(request.pk, reason="x", acting_user=zhejiang)


def test_sweep_command_prints_counts_and_is_idempotent(send_verification):
    send_verification()
    out = StringIO()
    call_command("sweep", "--today", "2026-10-16", stdout=out)
    assert "1 requests became overdue" in out.getvalue()
    out = StringIO()
    call_command("sweep", "--today", "2026-10-16", stdout=out)
    assert "0 requests became overdue" in out.getvalue()


def test_r_regn_4_lost_contact_is_flagged_after_60_days(township_operator):
    registration = register(
        RegistrationInput(
            id_number=id_for(seq=21),
            name="李娜",
            home_code=SANTAI_VILLAGE,
            residence_code=NANSHAN_VILLAGE,
            arrival_date=dt.date(2026, 3, 2),
            reason="work",
        ),
        kind="outflow",
        acting_user=township_operator,
    )
    assert sweep(dt.date(2026, 5, 1)).lost_contact == 0  # day 60: not yet
    assert sweep(dt.date(2026, 5, 2)).lost_contact == 1
    registration.refresh_from_db()
    assert registration.lost_contact is True
    event = PersonEvent.objects.get(person=registration.person, type="lost_contact")
    assert event.unit_id == SANTAI_VILLAGE  # the home village follows up
    assert sweep(dt.date(2026, 5, 3)).lost_contact == 0
    assert Registration.objects.filter(lost_contact=True).count() == 1


def test_r_ex_3_the_sweep_task_runs_through_the_tasks_framework(send_verification):
    from unittest import mock

    from yipanqi.exchange.tasks import sweep_today

    send_verification()
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 10, 16)):
        result = sweep_today.enqueue()
    assert result.return_value == {"today": "2026-10-16", "overdue": 1, "lost_contact": 0}
