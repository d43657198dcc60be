"""R-SVC-1..5 through the pages and the API: a free service recorded with a charge and seen as
a violation on the person page and in the administrators' list (the issue's check)."""

import datetime as dt
import json

import pytest
from django.test import Client

from yipanqi.accounts.models import ApiToken
from yipanqi.grievances.models import Complaint
from yipanqi.services.models import ServiceRecord

pytestmark = pytest.mark.django_db


def _api(user) -> Client:
    _token, key = ApiToken.issue(user)
    return Client(headers={"authorization": f"Bearer {key}"})


def test_r_svc_1_charge_recorded_on_the_web_is_seen_as_a_violation(
    client, village_worker, province_admin, person
):
    """R-SVC-1 (issue check): the 南山 worker records an IUD insertion charged 120 yuan on the
    web; the person page flags it with its complaint, and 广东's administrator finds it in the
    list of charges on free services."""
    client.force_login(village_worker)

    response = client.post(
        f"/services/persons/{person.pk}/record/",
        {
            "service_type": "iud_insertion",
            "given_on": "2026-04-10",
            "provider": "南头街道计生服务站",
            "amount_charged": "120",
            "note": "",
        },
        follow=True,
    )

    page = response.content.decode()
    complaint = Complaint.objects.get()
    assert "rights violation: charged for a free service" in page
    assert complaint.reference in page
    assert "this charge is recorded as a rights violation" in page
    admin = Client()
    admin.cookies["django_language"] = "en"
    admin.force_login(province_admin)
    listed = admin.get("/services/violations/").content.decode()
    assert person.name in listed
    assert "120.00" in listed
    assert complaint.reference in listed


def test_r_svc_1_web_form_errors_keep_nothing(client, village_worker, person):
    """R-SVC-1: a negative charge returns the form with a message and records nothing."""
    client.force_login(village_worker)

    response = client.post(
        f"/services/persons/{person.pk}/record/",
        {
            "service_type": "condoms",
            "given_on": "2026-04-10",
            "provider": "x",
            "amount_charged": "-1",
        },
    )

    assert response.status_code == 400
    assert not ServiceRecord.objects.exists()


def test_r_acc_2_service_pages_are_404_for_another_county(client, other_county_admin, person):
    """R-ACC-2: 玄武区 cannot open the record, report or benefit forms of the person."""
    client.force_login(other_county_admin)

    for path in ("record", "report", "benefit"):
        assert client.get(f"/services/persons/{person.pk}/{path}/").status_code == 404


def test_r_svc_api_record_report_and_pdf(village_worker, township_operator, person):
    """R-SVC-1..3 over the API: record two services (one charged), read the person's list with
    this year's check-ups, send the report home, and the home side fetches it and its PDF."""
    residence = _api(village_worker)
    types = residence.get("/api/v1/services/types").json()
    charged = residence.post(
        "/api/v1/services/records",
        json.dumps(
            {
                "person_id": person.pk,
                "service_type": "condoms",
                "given_on": "2026-04-01",
                "provider": "南头城社区",
                "amount_charged": "5.00",
            }
        ),
        content_type="application/json",
    )
    checkup = residence.post(
        "/api/v1/services/records",
        json.dumps(
            {
                "person_id": person.pk,
                "service_type": "reproductive_checkup",
                "given_on": "2026-04-02",
                "provider": "南头街道计生服务站",
            }
        ),
        content_type="application/json",
    )
    listing = residence.get(f"/api/v1/services/persons/{person.pk}", {"year": 2026}).json()
    sent = residence.post(
        "/api/v1/services/reports",
        json.dumps(
            {
                "person_id": person.pk,
                "period_from": "2026-01-01",
                "period_to": "2026-06-30",
                "idempotency_key": "api-1",
            }
        ),
        content_type="application/json",
    )
    home = _api(township_operator)
    report = home.get(f"/api/v1/services/reports/{sent.json()['id']}")
    printed = home.get(f"/api/v1/services/reports/{sent.json()['id']}/pdf")

    assert any(t["code"] == "condoms" and t["basic"] for t in types)
    assert charged.status_code == 201
    assert charged.json()["charged_violation"] is True
    assert charged.json()["complaint_reference"].startswith("TS")
    assert checkup.json()["charged_violation"] is False
    assert listing["checkups"]["count"] == 1
    assert sent.status_code == 201
    assert report.json()["receiver_code"] == "510722101"
    assert report.json()["received_at"] is not None
    assert printed.status_code == 200
    assert printed.content.startswith(b"%PDF")


def test_r_svc_api_errors_are_422_and_scope_is_404(village_worker, other_county_admin, person):
    """R-SVC-1: a future date is 422 with the field named; another county gets 404."""
    body = json.dumps(
        {
            "person_id": person.pk,
            "service_type": "condoms",
            "given_on": (dt.date.today() + dt.timedelta(days=400)).isoformat(),  # noqa: DTZ011
            "provider": "x",
        }
    )

    future = _api(village_worker).post(
        "/api/v1/services/records", body, content_type="application/json"
    )
    outsider = _api(other_county_admin).post(
        "/api/v1/services/records", body, content_type="application/json"
    )

    assert future.status_code == 422
    assert "given_on" in future.json()["errors"]
    assert outsider.status_code == 404
    assert not ServiceRecord.objects.exists()


def test_r_svc_4_public_supply_points_api_needs_no_token(client):
    """R-SVC-4: the supply point list is public; a bad code is 422."""
    assert client.get("/api/v1/services/supply-points", {"within": "440305"}).status_code == 200
    assert client.get("/api/v1/services/supply-points", {"within": "4403x"}).status_code == 422


def test_openapi_documents_the_new_endpoints(client):
    """The OpenAPI document lists the services, grievances and directory endpoints."""
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    for path in (
        "/api/v1/services/records",
        "/api/v1/services/reports/{report_id}/pdf",
        "/api/v1/grievances/public",
        "/api/v1/grievances/{complaint_id}/answer",
        "/api/v1/directory/mine",
    ):
        assert path in paths
