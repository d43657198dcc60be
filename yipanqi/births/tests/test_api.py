"""/api/v1/births: the first-child workflow over the API, with the steps and who owes the
next one; a return for missing documents; a birth report (R-BIRTH-1..4)."""

import json

from django.test import Client

from conftest import NANSHAN_TOWNSHIP, NANSHAN_VILLAGE, SANTAI_TOWNSHIP
from yipanqi.accounts.models import ApiToken

from .conftest import HUSBAND_HOME


def api(user) -> Client:
    _token, key = ApiToken.issue(user, name="test")
    return Client(headers={"authorization": f"Bearer {key}"})


def post(client, path, body=None):
    return client.post(path, json.dumps(body or {}), content_type="application/json")


def test_first_child_over_the_api(
    woman, village_worker, township_operator, husband_township, residence_township
):
    base = "/api/v1/births/registrations"
    village = api(village_worker)
    body = {"woman_id": woman.pk, "husband_name": "张伟", "husband_home_code": HUSBAND_HOME,
            "documents": ["id_cards", "status_certificate"], "idempotency_key": "a1"}  # fmt: skip
    created = post(village, base, body)
    assert created.status_code == 201, created.content
    registration = created.json()
    assert post(village, base, body).json()["id"] == registration["id"]  # the same, once
    assert registration["next_step"]["owner_code"] == NANSHAN_VILLAGE
    rid = registration["id"]
    asked = post(village, f"{base}/{rid}/ask").json()
    confirmations = [s for s in asked["steps"] if s["number"] == 2]
    assert {s["owner_code"] for s in confirmations} == {SANTAI_TOWNSHIP, HUSBAND_HOME}
    for user, step in zip([township_operator, husband_township], confirmations, strict=True):
        answered = post(
            api(user), f"{base}/{rid}/confirmations/{step['request_id']}", {"answer": "Yes."}
        )
        assert answered.status_code == 200, answered.content
    forwarded = post(village, f"{base}/{rid}/forward", {"opinion": "ok"}).json()
    assert forwarded["next_step"]["owner_code"] == NANSHAN_TOWNSHIP
    township = api(residence_township)
    refused = post(township, f"{base}/{rid}/issue")
    assert refused.status_code == 422
    assert post(township, f"{base}/{rid}/return", {"missing": []}).status_code == 422
    returned = post(township, f"{base}/{rid}/return", {"missing": ["marriage_certificate"]})
    assert returned.json()["status"] == "returned"
    post(village, f"{base}/{rid}/forward", {"opinion": "ok", "documents": [
        "id_cards", "marriage_certificate", "status_certificate"]})  # fmt: skip
    issued = post(township, f"{base}/{rid}/issue").json()
    assert issued["status"] == "issued" and issued["next_step"] is None
    assert len(issued["steps"][-1]["request_ids"]) == 2
    report = post(
        village,
        "/api/v1/births/reports",
        {"mother_id": woman.pk, "birth_date": "2026-10-01", "child_sex": "M",
         "registration_id": rid, "idempotency_key": "b1"},
    )  # fmt: skip
    assert report.status_code == 201 and report.json()["notice_id"]
    bad = post(village, "/api/v1/births/reports", {"mother_id": woman.pk,
               "birth_date": "2026-10-01", "child_sex": "Q", "idempotency_key": "b2"})  # fmt: skip
    assert bad.status_code == 422


def test_outside_scope_is_404(woman, village_worker):
    from conftest import make_user

    outsider = api(make_user("olga", "township_operator", "330106002"))
    created = post(
        api(village_worker),
        "/api/v1/births/registrations",
        {"woman_id": woman.pk, "husband_name": "张伟", "husband_home_code": HUSBAND_HOME,
         "idempotency_key": "a1"},
    )  # fmt: skip
    assert outsider.get(f"/api/v1/births/registrations/{created.json()['id']}").status_code == 404
    assert post(outsider, "/api/v1/births/registrations", {
        "woman_id": woman.pk, "husband_home_code": HUSBAND_HOME, "idempotency_key": "x"
    }).status_code == 404  # fmt: skip
