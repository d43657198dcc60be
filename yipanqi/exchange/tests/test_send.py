"""Sending requests: R-EX-1, R-EX-4, R-WD-2 deadlines, R-EX-5 exactly once."""

import datetime as dt

import pytest

from conftest import NANSHAN_VILLAGE, SANTAI_TOWNSHIP
from yipanqi.core.errors import Rejected
from yipanqi.exchange.models import Request, RequestEvent
from yipanqi.exchange.services import send_request
from yipanqi.exchange.tests.conftest import SENT_AT

pytestmark = pytest.mark.django_db


def test_r_ex_1_r_wd_2_due_date_crosses_national_day_and_its_make_up_days(send_verification):
    request = send_verification()
    # 15 working days (泛珠三角) from Fri 18 Sep: Sun 20 (make-up) .. Thu 24, [Fri 25 中秋],
    # Mon 28 .. Wed 30, [1-7 Oct 国庆], Thu 8, Fri 9, Sat 10 (make-up), Mon 12 .. Thu 15.
    assert request.due_on == dt.date(2026, 10, 15)
    assert request.deadline_days == 15
    assert request.due_fallback is False
    assert request.delivered_at == SENT_AT
    assert request.status == "delivered"
    assert request.rule_reason == "region 泛珠三角"
    assert list(request.persons.all())
    assert [e.type for e in request.events.all()] == ["sent", "delivered"]


def test_r_ex_4_co_investigation_uses_the_region_deadline(send_verification):
    request = send_verification(type="co_investigation", key="co-1")
    # 10 working days: Sep 20..24 (5), 28..30 (8), Oct 8 (9), Oct 9 (10).
    assert request.due_on == dt.date(2026, 10, 9)


def test_r_wd_4_a_year_without_schedule_is_flagged(send_verification):
    request = send_verification(now=dt.datetime(2099, 12, 20, 9, tzinfo=dt.UTC), key="far")
    assert request.due_fallback is True


def test_r_ex_5_the_same_request_sent_twice_exists_once(send_verification):
    first = send_verification(key="double-click")
    second = send_verification(key="double-click")
    assert first.pk == second.pk
    assert Request.objects.filter(idempotency_key="double-click").count() == 1
    assert RequestEvent.objects.filter(request=first, type="sent").count() == 1


def test_r_ex_5_a_key_reused_for_another_request_is_refused(send_verification):
    send_verification(key="k")
    with pytest.raises(Rejected):
        send_verification(key="k", type="notification")


def test_sending_joins_the_callers_transaction(send_verification):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        send_verification(key="rolled-back")
        raise RuntimeError("the business change failed")
    assert not Request.objects.filter(idempotency_key="rolled-back").exists()


def test_a_user_sends_only_for_their_own_jurisdiction(township_operator, person):
    with pytest.raises(Rejected) as err:
        send_request(
            "verification",
            sender_code=NANSHAN_VILLAGE,
            receiver_code=SANTAI_TOWNSHIP,
            acting_user=township_operator,
            idempotency_key="x",
        )
    assert "sender" in err.value.errors


def test_unknown_receiver_is_refused(village_worker):
    with pytest.raises(Rejected) as err:
        send_request(
            "verification",
            sender_code=NANSHAN_VILLAGE,
            receiver_code="999999",
            acting_user=village_worker,
            idempotency_key="x",
        )
    assert "receiver" in err.value.errors
