"""/api/v1/persons: token authentication, registering, reading and searching over the JSON API.

Given the standard cast with Bearer tokens issued through ApiToken.issue, when the API is called,
then status codes, bodies and audit rows follow R-REGN-1/2, R-ACC-2 and P5.
"""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from conftest import NANSHAN_VILLAGE, SANTAI_VILLAGE, id_for
from yipanqi.accounts.models import ApiToken
from yipanqi.audit.models import AuditEvent
from yipanqi.people.models import Person, Registration

pytestmark = pytest.mark.django_db


def api(user, **headers) -> Client:
    """A client that authenticates with a fresh Bearer token of the user (no session)."""
    _token, key = ApiToken.issue(user, name="test")
    return Client(headers={"authorization": f"Bearer {key}", **headers})


def post(client: Client, path: str, body: dict):
    return client.post(path, json.dumps(body), content_type="application/json")


def _payload(**overrides):
    body = {
        "id_number": id_for(),
        "name": "王芳",
        "home_code": SANTAI_VILLAGE,
        "residence_code": NANSHAN_VILLAGE,
        "arrival_date": "2026-03-02",
        "reason": "work",
        "marital_status": "first_marriage",
        "phone": "13800138000",
    }
    body.update(overrides)
    return body


# --- authentication ---------------------------------------------------------------------------


def test_r_acc_1_missing_or_invalid_token_is_401(register_inflow):
    """R-ACC-1: without a token, or with a made-up one, every person endpoint answers 401."""
    person = register_inflow().person
    anonymous = Client()
    forged = Client(headers={"authorization": "Bearer yq_not-a-real-token"})
    basic = Client(headers={"authorization": "Basic YWxpY2U6cGFzc3dvcmQ="})

    for client in (anonymous, forged, basic):
        assert client.get(f"/api/v1/persons/{person.pk}").status_code == 401
        assert post(client, "/api/v1/persons/search", {"name": "王芳"}).status_code == 401
        assert post(client, "/api/v1/persons/inflow", _payload()).status_code == 401


def test_r_acc_1_revoked_expired_or_disabled_tokens_stop_working(village_worker):
    """R-ACC-1: a revoked token, an expired token and the token of a disabled user are 401,
    while a good token of the same user works."""
    good = api(village_worker)
    revoked_token, revoked_key = ApiToken.issue(village_worker)
    revoked_token.revoked_at = timezone.now()
    revoked_token.save()
    expired_token, expired_key = ApiToken.issue(village_worker)
    expired_token.expires_at = timezone.now() - dt.timedelta(minutes=1)
    expired_token.save()

    ok = post(good, "/api/v1/persons/search", {})
    revoked = post(
        Client(headers={"authorization": f"Bearer {revoked_key}"}), "/api/v1/persons/search", {}
    )
    expired = post(
        Client(headers={"authorization": f"Bearer {expired_key}"}), "/api/v1/persons/search", {}
    )
    village_worker.is_active = False
    village_worker.save()
    disabled = post(good, "/api/v1/persons/search", {})

    assert ok.status_code == 200
    assert (revoked.status_code, expired.status_code, disabled.status_code) == (401, 401, 401)


def test_r_acc_1_auditor_token_cannot_read_persons(auditor):
    """R-ACC-1 (三员分立): the auditor authenticates but gets 403 on person search."""
    response = post(api(auditor), "/api/v1/persons/search", {})

    assert response.status_code == 403


# --- registering -----------------------------------------------------------------------------


def test_r_regn_1_and_2_register_inflow_then_outflow_links_them(village_worker, township_operator):
    """R-REGN-1 / R-REGN-2: 南山 registers the inflow (201, not linked); 三台 registers the
    outflow of the same ID number (201, linked); both point at one person."""
    inflow = post(api(village_worker), "/api/v1/persons/inflow", _payload())
    outflow = post(
        api(township_operator),
        "/api/v1/persons/outflow",
        _payload(arrival_date="2026-02-20", phone=""),
    )

    assert inflow.status_code == 201, inflow.content
    assert outflow.status_code == 201, outflow.content
    first, second = inflow.json(), outflow.json()
    assert first["kind"] == "inflow" and first["linked"] is False
    assert second["kind"] == "outflow" and second["linked"] is True
    assert first["person_id"] == second["person_id"]
    assert first["recorded_in_time"] is True
    assert Person.objects.count() == 1
    assert set(Registration.objects.values_list("kind", flat=True)) == {"inflow", "outflow"}
    created = AuditEvent.objects.filter(action="person_create", channel="api")
    assert created.count() == 2


def test_r_regn_1_rejection_is_422_with_a_field_error_map_in_chinese(village_worker):
    """R-REGN-1 / P1: a wrong check digit answers 422 (like every refusal of the API) with {detail, errors: {field: [...]}} in
    Simplified Chinese by default; nobody is registered."""
    wrong = id_for()[:-1] + ("0" if id_for()[-1] != "0" else "1")

    response = post(api(village_worker), "/api/v1/persons/inflow", _payload(id_number=wrong))

    assert response.status_code == 422
    body = response.json()
    assert set(body["errors"]) == {"id_number"}
    assert "身份证号码校验不通过" in body["errors"]["id_number"][0]
    assert body["detail"] == body["errors"]["id_number"][0]
    assert not Person.objects.exists()


def test_r_regn_1_rejection_is_in_english_when_asked(village_worker):
    """R-REGN-1 / P1: with the language cookie set to English the same error map is in English,
    and several problems come back together, each under its field ('__all__' for the record)."""
    client = api(village_worker)
    client.cookies["django_language"] = "en"

    response = post(
        client,
        "/api/v1/persons/inflow",
        _payload(name="", home_code="440305001003", phone="12345"),
    )

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["name"] == ["Please enter the person's name."]
    assert "11-digit mobile number" in errors["phone"][0]
    assert "same county or district" in errors["__all__"][0]


def test_r_regn_1_outflow_by_the_residence_side_is_refused(village_worker):
    """R-REGN-1: outflow registration belongs to the home side; 南山 cannot register the
    outflow of a 三台 person (422, whole-record error)."""
    response = post(api(village_worker), "/api/v1/persons/outflow", _payload())

    assert response.status_code == 422
    assert "__all__" in response.json()["errors"]
    assert not Person.objects.exists()


def test_r_regn_1_malformed_body_is_422(village_worker):
    """R-REGN-1: a body that is not the schema (unknown reason, bad date) is refused before
    any rule runs, with 422 naming the fields (issue 16.10: in the documented error shape)."""
    response = post(
        api(village_worker),
        "/api/v1/persons/inflow",
        _payload(reason="tourism-ish", arrival_date="2026-13-40"),
    )

    assert response.status_code == 422
    assert {"reason", "arrival_date"} <= set(response.json()["errors"])


# --- reading and searching -------------------------------------------------------------------


def test_p5_get_person_returns_the_whole_id_and_is_audited(register_inflow, township_operator):
    """P5 / P3: the home side's GET /api/v1/persons/{id} returns the whole ID number and phone,
    the places and registrations, and writes one person_view audit row (channel api) that holds
    no ID number."""
    person = register_inflow().person

    response = api(township_operator).get(f"/api/v1/persons/{person.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["id_number"] == id_for()
    assert body["id_number_masked"] == person.id_number_masked != id_for()
    assert body["phone"] == "13800138000"
    assert body["home_code"] == SANTAI_VILLAGE
    assert body["residence_code"] == NANSHAN_VILLAGE
    assert "三台县" in body["home_path"]
    assert [r["kind"] for r in body["registrations"]] == ["inflow"]
    assert body["linked"] is False
    row = AuditEvent.objects.get(action="person_view", actor=township_operator)
    assert (row.person_id, row.channel, row.result) == (person.pk, "api", "ok")
    assert id_for() not in json.dumps(row.detail)


def test_r_acc_2_get_person_of_another_county_is_404(register_inflow, other_county_admin):
    """R-ACC-2: 玄武区's token gets 404 for the person (and for an id that does not exist:
    the two are indistinguishable)."""
    person = register_inflow().person
    client = api(other_county_admin)

    theirs = client.get(f"/api/v1/persons/{person.pk}")
    nobody = client.get(f"/api/v1/persons/{person.pk + 1000}")

    assert theirs.status_code == nobody.status_code == 404
    assert theirs.json() == nobody.json()
    assert "王芳" not in theirs.content.decode()


def test_p5_search_by_id_number_in_the_post_body(register_inflow, village_worker):
    """P5: the search takes the ID number in a POST body (any case, spaces allowed) and returns
    the masked ID only; GET on the search URL is not allowed."""
    person = register_inflow().person
    client = api(village_worker)
    spaced = " ".join([id_for()[:6], id_for()[6:14], id_for()[14:].lower()])

    found = post(client, "/api/v1/persons/search", {"id_number": spaced})
    by_get = client.get("/api/v1/persons/search", {"id_number": id_for()})

    assert found.status_code == 200
    body = found.json()
    assert body["count"] == 1
    assert body["results"][0]["id"] == person.pk
    assert body["results"][0]["id_number_masked"] == person.id_number_masked
    assert id_for() not in found.content.decode()
    assert by_get.status_code == 405


def test_r_acc_2_search_filters_stay_inside_the_scope(register_inflow, township_operator):
    """R-ACC-2: the home township finds the person by name, by kind and within its own code;
    'within' another county's code finds nobody even though the person exists."""
    register_inflow()
    register_inflow(id_number=id_for(seq=9), name="赵丽")
    client = api(township_operator)

    by_name = post(client, "/api/v1/persons/search", {"name": "王"})
    by_kind = post(client, "/api/v1/persons/search", {"kind": "inflow", "within": "510722"})
    elsewhere = post(client, "/api/v1/persons/search", {"within": "320102"})
    paged = post(client, "/api/v1/persons/search", {"page_size": 1, "page": 2})

    assert [p["name"] for p in by_name.json()["results"]] == ["王芳"]
    assert by_kind.json()["count"] == 2
    assert elsewhere.json()["count"] == 0
    assert paged.json()["pages"] == 2 and len(paged.json()["results"]) == 1


# --- the document ----------------------------------------------------------------------------


def test_openapi_document_lists_persons_divisions_and_workdays():
    """The OpenAPI document at /api/v1/openapi.json (public) lists the persons, divisions and
    workdays endpoints and declares the Bearer scheme."""
    response = Client().get("/api/v1/openapi.json")

    assert response.status_code == 200
    doc = response.json()
    paths = set(doc["paths"])
    for expected in (
        "/api/v1/persons/search",
        "/api/v1/persons/{person_id}",
        "/api/v1/persons/inflow",
        "/api/v1/persons/outflow",
    ):
        assert expected in paths
    assert any(p.startswith("/api/v1/divisions") for p in paths)
    assert any(p.startswith("/api/v1/workdays") for p in paths)
    schemes = doc["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    assert "post" in doc["paths"]["/api/v1/persons/search"]
    assert "get" not in doc["paths"]["/api/v1/persons/search"]
