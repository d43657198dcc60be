"""R-GRV-1 end to end: a citizen files a complaint on the public page (no account), follows it
by reference number and access code, staff answer it on the web or the API."""

import json
import re

import pytest

from conftest import SANTAI_TOWNSHIP, SANTAI_VILLAGE
from yipanqi.accounts.models import ApiToken
from yipanqi.grievances.models import Complaint, ComplaintStatus

pytestmark = pytest.mark.django_db

FORM = {
    "category": "told_to_return_home",
    "place_code": SANTAI_VILLAGE,
    "description": "村里打电话要求我回老家做孕检，否则不给办证明。",
    "complainant_name": "",
    "contact": "",
    "website": "",
}


def _file(client, **overrides):
    return client.post("/public/complaint/", {**FORM, **overrides})


def _codes(response) -> tuple[str, str]:
    html = response.content.decode()
    reference = re.search(r"data-reference><b>(TS\d{12})</b>", html)[1]
    secret = re.search(r"data-secret><b>([A-Z0-9]{8})</b>", html)[1]
    return reference, secret


def test_r_grv_1_complaint_from_the_public_page_followed_by_reference(client, township_operator):
    """R-GRV-1 / R-ACC-3 (issue check): filed without an account, it goes to 三台 潼川镇; the
    complainant sees 'being handled', the township answers on its page, the complainant then
    reads the answer with the same reference and access code."""
    filed = _file(client)
    reference, secret = _codes(filed)
    complaint = Complaint.objects.get(reference=reference)

    open_status = client.post(
        "/public/complaint/status/", {"reference": reference, "secret": secret}
    )
    staff = type(client)()
    staff.cookies["django_language"] = "en"
    staff.force_login(township_operator)
    listed = staff.get("/grievances/").content.decode()
    answered = staff.post(
        f"/grievances/{complaint.pk}/answer/", {"answer": "已通知村委会：以现居住地检查为准。"}
    )
    final = client.post("/public/complaint/status/", {"reference": reference, "secret": secret})

    assert filed.status_code == 200
    assert complaint.assigned_to_id == SANTAI_TOWNSHIP
    assert "Being handled" in open_status.content.decode()
    assert reference in listed
    assert answered.status_code == 302
    assert complaint.__class__.objects.get(pk=complaint.pk).status == ComplaintStatus.ANSWERED
    body = final.content.decode()
    assert "已通知村委会：以现居住地检查为准。" in body
    assert "Answered" in body


def test_r_grv_1_wrong_access_code_shows_nothing(client):
    """R-GRV-1: the reference with a wrong code finds nothing and says so plainly."""
    reference, _secret = _codes(_file(client))

    response = client.post(
        "/public/complaint/status/", {"reference": reference, "secret": "ZZZZZZZZ"}
    )

    assert response.status_code == 400
    assert "No complaint matches" in response.content.decode()
    assert FORM["description"] not in response.content.decode()


def test_r_grv_1_honeypot_filled_by_a_robot_saves_nothing(client):
    """R-GRV-1: the hidden field filled in means a robot: refused, nothing saved."""
    response = _file(client, website="http://spam.example")

    assert response.status_code == 400
    assert not Complaint.objects.exists()


def test_r_grv_1_missing_place_is_a_plain_error(client):
    """R-GRV-1: without a place the form comes back with a message; nothing is saved."""
    response = _file(client, place_code="")

    assert response.status_code == 400
    assert "Please choose the place the complaint is about." in response.content.decode()
    assert not Complaint.objects.exists()


def test_r_grv_1_staff_records_a_hotline_complaint_on_the_web(client, village_worker):
    """R-GRV-1: the staff form records a 12356 call; the page shows the reference and code."""
    client.force_login(village_worker)

    response = client.post(
        "/grievances/new/", {**FORM, "channel": "hotline", "category": "certificate_refused"}
    )

    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert complaint.channel == "hotline"
    assert complaint.referral is not None  # 南山 -> 三台: handed over through the exchange
    detail = client.get(response["Location"]).content.decode()
    assert complaint.reference in detail
    assert "Handed over through the exchange" in detail


def _api(user):
    from django.test import Client

    _token, key = ApiToken.issue(user)
    return Client(headers={"authorization": f"Bearer {key}"})


def test_r_grv_1_api_public_filing_lookup_and_staff_answer(client, township_operator):
    """R-GRV-1: the API files without a token, looks up by reference and code, and the
    township answers with its token; a schema error is 422, another county 404."""
    filed = client.post(
        "/api/v1/grievances/public",
        json.dumps({k: v for k, v in FORM.items() if k != "website"}),
        content_type="application/json",
    )
    assert filed.status_code == 201
    reference, secret = filed.json()["reference"], filed.json()["secret"]
    api = _api(township_operator)

    listed = api.get("/api/v1/grievances").json()
    complaint_id = listed["results"][0]["id"]
    answered = api.post(
        f"/api/v1/grievances/{complaint_id}/answer",
        json.dumps({"answer": "已处理。"}),
        content_type="application/json",
    )
    status = client.post(
        "/api/v1/grievances/public/status",
        json.dumps({"reference": reference, "secret": secret}),
        content_type="application/json",
    )
    bad = client.post(
        "/api/v1/grievances/public",
        json.dumps({**FORM, "place_code": "12"}),
        content_type="application/json",
    )

    assert listed["count"] == 1
    assert answered.status_code == 200
    assert answered.json()["status"] == "answered"
    assert status.json()["answer"] == "已处理。"
    assert [e["type"] for e in status.json()["events"]] == ["filed", "assigned", "answered"]
    assert bad.status_code == 422


def test_r_acc_2_api_complaint_of_another_county_is_404(client, other_county_admin):
    """R-ACC-2: 玄武区's token gets 404 for a complaint assigned to 三台."""
    _file(client)
    complaint = Complaint.objects.get()

    response = _api(other_county_admin).get(f"/api/v1/grievances/{complaint.pk}")

    assert response.status_code == 404
