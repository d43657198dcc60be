"""Inbox, outbox, answering and escalating in the browser (R-EX-1, R-EX-3)."""

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse

from conftest import SANTAI_TOWNSHIP
from yipanqi.exchange.models import Request
from yipanqi.exchange.sweep import sweep

pytestmark = pytest.mark.django_db
BEFORE_DUE = dt.date(2026, 10, 12)  # Monday; due Thursday 15 October: 3 working days left


def _today(day):
    return mock.patch("django.utils.timezone.localdate", return_value=day)


def test_r_ex_1_the_home_township_sees_what_it_owes_with_working_days_left(
    client, send_verification, township_operator
):
    request = send_verification()
    client.force_login(township_operator)
    with _today(BEFORE_DUE):
        page = client.get(reverse("exchange:box", args=["inbox"]))
    html = page.content.decode()
    assert page.status_code == 200
    assert f"#{request.pk}" in html
    assert "3 working days left" in html
    assert '<span class="count">1</span>' in html  # the navigation badge


def test_r_ex_1_a_village_worker_answers_with_one_tap(client, send_verification, township_operator):
    request = send_verification()
    client.force_login(township_operator)
    detail = client.get(reverse("exchange:detail", args=[request.pk]))
    assert "Confirmed: the facts are as stated." in detail.content.decode()
    response = client.post(
        reverse("exchange:answer", args=[request.pk]),
        {"answer": "Confirmed: the facts are as stated."},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.answered_by) == ("answered", township_operator)
    # The navigation badge (read from the statistics counters) no longer counts it.
    after = client.get(reverse("exchange:box", args=["inbox"])).content.decode()
    assert '<span class="count">' not in after


def test_the_sender_cannot_answer_its_own_request(client, send_verification, village_worker):
    request = send_verification()
    client.force_login(village_worker)
    response = client.post(reverse("exchange:answer", args=[request.pk]), {"answer": "yes"})
    assert response.status_code == 400
    request.refresh_from_db()
    assert request.status == "delivered"


def test_r_ex_3_overdue_shows_working_days_overdue_and_can_be_escalated(
    client, send_verification, village_worker, province_admin
):
    request = send_verification()
    sweep(dt.date(2026, 10, 16))
    client.force_login(province_admin)
    with _today(dt.date(2026, 10, 19)):  # Monday: Fri 16 and Mon 19 are past due
        page = client.get(reverse("exchange:box", args=["overdue"]))
    assert "2 working days overdue" in page.content.decode()
    client.force_login(village_worker)
    response = client.post(reverse("exchange:escalate", args=[request.pk]), {"reason": "No answer"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "escalated"


def test_r_ex_3_a_third_county_gets_404(client, send_verification, other_county_admin):
    request = send_verification()
    client.force_login(other_county_admin)
    assert client.get(reverse("exchange:detail", args=[request.pk])).status_code == 404


def test_outbox_lists_what_others_owe_and_filters_by_type(
    client, send_verification, village_worker
):
    send_verification()
    client.force_login(village_worker)
    url = reverse("exchange:box", args=["outbox"])
    assert "Verification request" in client.get(url).content.decode()
    assert "Nothing here." in client.get(url, {"type": "notification"}).content.decode()


def test_r_ex_4_ask_the_other_side_from_the_person_page(client, person, village_worker):
    client.force_login(village_worker)
    url = reverse("exchange:new") + f"?person={person.pk}"
    form = client.get(url)
    assert SANTAI_TOWNSHIP[:6] in form.content.decode()  # the home side is proposed
    data = {
        "type": "co_investigation",
        "receiver_code": SANTAI_TOWNSHIP,
        "question": "Is she still married?",
        "idempotency_key": "abc",
    }
    first = client.post(url, data)
    second = client.post(url, data)  # double click
    assert first.status_code == second.status_code == 302
    assert Request.objects.filter(type="co_investigation").count() == 1
