"""/api/v1/certificates: issue, verify (late counted), renew, revoke, the public check, the PDF
and the person's state with what is due next, over Bearer tokens (R-CERT-1..5)."""

import json

from django.test import Client

from yipanqi.accounts.models import ApiToken


def api(user) -> Client:
    _token, key = ApiToken.issue(user, name="test")
    client = Client(headers={"authorization": f"Bearer {key}"})
    client.cookies["django_language"] = "en"  # labels are matched in their English source form
    return client


def post(client, path, body=None):
    return client.post(path, json.dumps(body or {}), content_type="application/json")


def test_certificate_over_the_api(woman, township_operator, village_worker, residence_township):
    """R-CERT-1..5 end to end through the API."""
    home, residence = api(township_operator), api(village_worker)
    base = "/api/v1/certificates"
    refused = post(home, f"{base}/persons/{woman.pk}/issue", {"long_term": True})
    assert refused.status_code == 422 and "long_term" in refused.json()["errors"]
    created = post(home, f"{base}/persons/{woman.pk}/issue", {"children": 0})
    assert created.status_code == 201, created.content
    certificate = created.json()
    assert certificate["state"] == "valid" and certificate["number"].startswith("510722")
    state = residence.get(f"{base}/persons/{woman.pk}").json()
    assert state["next_due"][0]["owner_code"] == "440305001001"
    verified = post(residence, f"{base}/{certificate['id']}/verify", {"verified_on": "2026-04-02"})
    assert verified.status_code == 201 and verified.json()["late"] is True
    assert verified.json()["days_after_arrival"] == 31
    late = residence.get(f"{base}/verifications/late?year=2026").json()
    assert late["count"] == 1
    bad = post(residence, f"{base}/{certificate['id']}/verify", {"verified_on": "2020-01-01"})
    assert bad.status_code == 422 and "verified_on" in bad.json()["errors"]
    pdf = home.get(f"{base}/{certificate['id']}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    token = certificate["check_url"].rstrip("/").rsplit("/", 1)[-1]
    anonymous = Client()
    assert anonymous.get(f"{base}/check/{token}").json()["state"] == "valid"
    revoked = post(home, f"{base}/{certificate['id']}/revoke", {"reason": "error"})
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    body = anonymous.get(f"{base}/check/{token}").json()
    assert body == {"state": "revoked", "label": "已注销"}  # Chinese by default for the public
    assert anonymous.get(f"{base}/check/nothing").json()["state"] == "unknown"


def test_api_scope_and_interim(woman, other_county_admin, residence_township):
    """R-ACC-2: 404 outside scope; R-CERT-4 the interim certificate over the API."""
    outsider = api(other_county_admin)
    assert outsider.get(f"/api/v1/certificates/persons/{woman.pk}").status_code == 404
    created = post(api(residence_township), f"/api/v1/certificates/persons/{woman.pk}/interim")
    assert created.status_code == 201 and created.json()["no_certificate_notice_id"]


def test_openapi_lists_the_certificate_endpoints(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/certificates/{certificate_id}/verify" in paths
    assert "/api/v1/births/registrations/{registration_id}/return" in paths
