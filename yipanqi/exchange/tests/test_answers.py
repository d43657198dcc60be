"""Canned answers (R-EX-1): only those that fit a request's kind, "not as stated" only with a
note (web and API), one primary button for the expected answer."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from conftest import NANSHAN_VILLAGE, SANTAI_TOWNSHIP
from yipanqi.accounts.models import ApiToken
from yipanqi.core.errors import Rejected
from yipanqi.exchange.answers import answers_for
from yipanqi.exchange.models import Request, RequestType
from yipanqi.exchange.services import answer_request

pytestmark = pytest.mark.django_db


def test_r_ex_1_a_plain_notification_is_not_offered_no_record_of_this_person():
    codes = [a.code for a in answers_for(RequestType.NOTIFICATION)]
    assert codes == ["received", "mismatch"]
    assert "unknown" in [a.code for a in answers_for(RequestType.VERIFICATION)]
    assert "unknown" in [a.code for a in answers_for(RequestType.SERVICE_REPORT)]


def test_r_ex_1_each_kind_has_exactly_one_primary_answer_first():
    for kind in RequestType.values:
        choices = answers_for(kind)
        assert [a.style for a in choices].count("primary") == 1, kind
        assert choices[0].style == "primary", kind


def test_r_ex_1_not_as_stated_without_a_note_is_refused_and_changes_nothing(
    send_verification, township_operator
):
    request = send_verification()
    with pytest.raises(Rejected) as refused:
        answer_request(request.pk, canned="mismatch", acting_user=township_operator)
    assert "note" in refused.value.errors
    with pytest.raises(Rejected):
        # Typed bare, the canned text says nothing either.
        answer_request(
            request.pk, answer="Not as stated; see the note.", acting_user=township_operator
        )
    request.refresh_from_db()
    assert request.status == "delivered"
    answer_request(
        request.pk, canned="mismatch", note="She remarried in 2025.", acting_user=township_operator
    )
    request.refresh_from_db()
    assert request.status == "answered"
    assert request.answer == "Not as stated; see the note.\nShe remarried in 2025."


def test_r_ex_1_an_answer_that_does_not_fit_the_kind_is_refused(
    send_verification, township_operator
):
    request = send_verification(type="notification")
    with pytest.raises(Rejected) as refused:
        answer_request(request.pk, canned="unknown", acting_user=township_operator)
    assert "canned" in refused.value.errors


def test_r_ex_1_web_mismatch_without_note_shows_the_error_and_keeps_nothing_lost(
    client, send_verification, township_operator
):
    request = send_verification()
    client.force_login(township_operator)
    page = client.get(reverse("exchange:detail", args=[request.pk])).content.decode()
    # One primary (the expected answer), the destructive one styled as such, none red-all.
    assert page.count('name="canned"') == 3
    assert 'value="confirmed" class="primary"' in page
    assert 'value="unknown" class="danger"' in page
    assert 'value="mismatch">' in page
    response = client.post(reverse("exchange:answer", args=[request.pk]), {"canned": "mismatch"})
    assert response.status_code == 400
    assert "Please write in the note what is not as stated" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "delivered"
    response = client.post(
        reverse("exchange:answer", args=[request.pk]),
        {"canned": "mismatch", "note": "Divorced since 2024."},
    )
    assert response.status_code == 302
    assert Request.objects.get(pk=request.pk).answer.endswith("Divorced since 2024.")


def test_r_ex_1_web_a_plain_notification_shows_no_unknown_person_button(
    client, send_verification, township_operator
):
    request = send_verification(type="notification")
    client.force_login(township_operator)
    page = client.get(reverse("exchange:detail", args=[request.pk])).content.decode()
    assert 'value="unknown"' not in page
    assert 'value="received" class="primary"' in page


def test_r_ex_1_api_mismatch_needs_a_note_and_lists_the_choices(
    send_verification, township_operator
):
    request = send_verification()
    _token, key = ApiToken.issue(township_operator, name="test")
    api = Client(headers={"authorization": f"Bearer {key}"})
    url = f"/api/v1/exchange/requests/{request.pk}"
    detail = api.get(url).json()
    assert [c["code"] for c in detail["answer_choices"]] == ["confirmed", "mismatch", "unknown"]
    assert detail["may_answer"] is True
    refused = api.post(
        url + "/answer", json.dumps({"canned": "mismatch"}), content_type="application/json"
    )
    assert refused.status_code == 422
    assert "note" in refused.json()["errors"]
    assert Request.objects.get(pk=request.pk).status == "delivered"
    done = api.post(
        url + "/answer",
        json.dumps({"canned": "mismatch", "note": "Another woman of that name."}),
        content_type="application/json",
    )
    assert done.status_code == 200
    assert done.json()["status"] == "answered"
    assert (request.sender_id, request.receiver_id) == (NANSHAN_VILLAGE, SANTAI_TOWNSHIP)
