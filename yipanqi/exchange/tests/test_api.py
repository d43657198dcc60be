"""/api/v1/exchange: inbox, outbox, get, answer, escalate, send (R-EX-1..5) over Bearer tokens."""

import datetime as dt
import json

import pytest
from django.test import Client

from conftest import SANTAI_TOWNSHIP
from yipanqi.accounts.models import ApiToken
from yipanqi.exchange.models import Request
from yipanqi.exchange.sweep import sweep

pytestmark = pytest.mark.django_db
BASE = "/api/v1/exchange"


def api(user) -> Client:
    _token, key = ApiToken.issue(user, name="test")
    return Client(headers={"authorization": f"Bearer {key}"})


def post(client, path, body=None):
    return client.post(path, json.dumps(body or {}), content_type="application/json")


def test_r_ex_1_inbox_and_get_for_the_receiver(send_verification, township_operator):
    request = send_verification()
    client = api(township_operator)
    page = client.get(f"{BASE}/inbox").json()
    assert page["count"] == 1
    assert page["results"][0]["id"] == request.pk
    assert page["results"][0]["due_on"] == "2026-10-15"
    one = client.get(f"{BASE}/requests/{request.pk}").json()
    assert one["rule_reason"] == "region 泛珠三角"
    assert [e["type"] for e in one["events"]] == ["sent", "delivered"]


def test_outbox_for_the_sender_with_filters(send_verification, village_worker):
    send_verification()
    client = api(village_worker)
    assert client.get(f"{BASE}/outbox").json()["count"] == 1
    assert client.get(f"{BASE}/outbox", {"type": "notification"}).json()["count"] == 0
    assert client.get(f"{BASE}/outbox", {"status": "nonsense"}).status_code == 422


def test_r_ex_1_answer_then_a_second_answer_is_422(send_verification, township_operator):
    request = send_verification()
    client = api(township_operator)
    response = post(client, f"{BASE}/requests/{request.pk}/answer", {"answer": "Confirmed."})
    assert response.status_code == 200
    assert response.json()["status"] == "answered"
    again = post(client, f"{BASE}/requests/{request.pk}/answer", {"answer": "Again"})
    assert again.status_code == 422
    assert post(client, f"{BASE}/requests/{request.pk}/answer", {}).status_code == 422


def test_r_ex_3_escalate_over_the_api(send_verification, township_operator):
    request = send_verification()
    client = api(township_operator)
    early = post(client, f"{BASE}/requests/{request.pk}/escalate", {"reason": "Late"})
    assert early.status_code == 422
    sweep(dt.date(2026, 10, 16))
    body = post(client, f"{BASE}/requests/{request.pk}/escalate", {"reason": "Late"}).json()
    assert (body["status"], body["escalated_to_code"]) == ("escalated", None)


def test_outside_scope_is_404(send_verification, other_county_admin):
    request = send_verification()
    client = api(other_county_admin)
    assert client.get(f"{BASE}/requests/{request.pk}").status_code == 404
    assert post(client, f"{BASE}/requests/{request.pk}/answer", {"answer": "x"}).status_code == 404
    assert client.get(f"{BASE}/requests/999999").status_code == 404


def test_r_ex_4_r_ex_5_send_a_co_investigation_twice_exists_once(person, village_worker):
    client = api(village_worker)
    body = {
        "receiver_code": SANTAI_TOWNSHIP,
        "person_ids": [person.pk],
        "question": "Is she registered as married?",
        "idempotency_key": "retry-me",
    }
    first = post(client, f"{BASE}/requests", body)
    second = post(client, f"{BASE}/requests", body)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["type"] == "co_investigation"
    assert Request.objects.count() == 1


def test_send_bad_input_is_422_and_foreign_persons_404(person, village_worker, other_county_admin):
    client = api(village_worker)
    bad = post(client, f"{BASE}/requests", {"receiver_code": "12", "question": ""})
    assert bad.status_code == 422
    unknown = post(
        client,
        f"{BASE}/requests",
        {"receiver_code": "999999", "question": "q", "idempotency_key": "k"},
    )
    assert unknown.status_code == 422
    foreign = post(
        api(other_county_admin),
        f"{BASE}/requests",
        {"receiver_code": SANTAI_TOWNSHIP, "person_ids": [person.pk], "question": "q",
         "idempotency_key": "k2"},
    )  # fmt: skip
    assert foreign.status_code == 404


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/inbox", "/outbox", "/overdue", "/requests", "/requests/{request_id}/answer",
                 "/requests/{request_id}/escalate"):  # fmt: skip
        assert f"/api/v1/exchange{path}" in paths
