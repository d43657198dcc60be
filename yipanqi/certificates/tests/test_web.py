"""The certificate pages as users meet them: person page state and due next, issue, verify,
renew, revoke, print, delegations, the province's long-term parameter (R-CERT-1..5)."""

import datetime as dt

from yipanqi.certificates import services
from yipanqi.certificates.models import Certificate, Verification
from yipanqi.exchange.models import Request, RequestType


def test_person_page_shows_state_and_due_next(client, woman, issue, village_worker):
    """R-CERT-3: the person page says the certificate is valid and the verification is due."""
    certificate = issue(woman)
    client.force_login(village_worker)
    page = client.get(f"/persons/{woman.pk}/")
    text = page.content.decode()
    assert page.status_code == 200, text[:300]
    assert certificate.number in text
    assert "Residence verifies the certificate within 30 days of arrival" in text
    assert "2026-04-01" in text  # 2 March + 30 days


def test_home_township_issues_from_the_form(client, woman, township_operator):
    """R-CERT-1: issue page; a wrong interim number is a plain error and writes nothing."""
    client.force_login(township_operator)
    url = f"/certificates/person/{woman.pk}/issue/"
    assert client.get(url).status_code == 200
    page = client.post(
        url,
        {"children": "0", "by_proxy": "on", "proxy_name": "张伟", "proxy_relation": "spouse",
         "proxy_interim_number": "L000"},
    )  # fmt: skip
    assert "No interim certificate of marital status with this number" in page.content.decode()
    assert not Certificate.objects.exists()
    page = client.post(url, {"children": "1"})
    certificate = Certificate.objects.get()
    assert page.status_code == 302 and page["Location"] == f"/certificates/{certificate.pk}/"
    assert certificate.children == 1


def test_residence_verifies_late_from_the_page(client, woman, issue, village_worker):
    """R-CERT-3: a verification 31 days after arrival is recorded and said to be late."""
    certificate = issue(woman)
    client.force_login(village_worker)
    detail = client.get(f"/certificates/{certificate.pk}/").content.decode()
    assert "Record verification" in detail and "Renew certificate" not in detail
    page = client.post(
        f"/certificates/{certificate.pk}/verify/",
        {"verified_on": "2026-04-02", "marital_status": "first_marriage", "children": "0"},
        follow=True,
    )
    assert "31 days after arrival and counts late" in page.content.decode()
    assert Verification.objects.get().late
    overview = client.get("/certificates/?year=2026").content.decode()
    assert certificate.number in overview


def test_bad_verification_date_changes_nothing(client, woman, issue, village_worker):
    certificate = issue(woman)
    client.force_login(village_worker)
    page = client.post(
        f"/certificates/{certificate.pk}/verify/",
        {"verified_on": "2026-02-01", "marital_status": "first_marriage", "children": "0"},
    )
    assert page.status_code == 422
    assert "cannot be before her arrival" in page.content.decode()
    assert not Verification.objects.exists()


def test_renew_revoke_and_print(client, woman, issue, township_operator, village_worker):
    """R-CERT-2 renew from the page; revoke with a reason; R-CERT-5 the PDF."""
    old = issue(woman, day=dt.date(2023, 3, 1))
    client.force_login(township_operator)
    page = client.post(
        f"/certificates/{old.pk}/renew/",
        {"id_number": woman.reveal_id_number(), "old_number": old.number},
    )
    renewed = Certificate.objects.get(renewed_from=old)
    assert page.status_code == 302
    assert Request.objects.filter(type=RequestType.CERTIFICATE_NOTICE).count() == 1
    page = client.post(f"/certificates/{renewed.pk}/revoke/", {"reason": ""})
    assert page.status_code == 422
    client.post(f"/certificates/{renewed.pk}/revoke/", {"reason": "wrong person"})
    renewed.refresh_from_db()
    assert renewed.status == "revoked"
    pdf = client.get(f"/certificates/{renewed.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_outsiders_get_404(client, woman, issue, other_county_admin):
    """R-ACC-2: outside her two jurisdictions the certificate does not exist."""
    certificate = issue(woman)
    client.force_login(other_county_admin)
    for url in (
        f"/certificates/{certificate.pk}/",
        f"/certificates/{certificate.pk}/pdf/",
        f"/certificates/person/{woman.pk}/issue/",
    ):
        assert client.get(url).status_code == 404


def test_interim_from_person_page(client, woman, residence_township):
    """R-CERT-4: the residence township issues the interim certificate from her page."""
    client.force_login(residence_township)
    page = client.get(f"/persons/{woman.pk}/").content.decode()
    assert "Issue interim certificate (60 days)" in page
    page = client.post(f"/certificates/person/{woman.pk}/interim/", follow=True)
    assert "the home side has been told" in page.content.decode()
    assert Request.objects.filter(type=RequestType.NO_CERTIFICATE_NOTICE).count() == 1


def test_delegations_and_long_term_pages(client, township_operator, sichuan_admin):
    """R-CERT-1 delegation; R-CERT-2 the province's long-term parameter as a new rule set."""
    from conftest import SANTAI_VILLAGE

    client.force_login(township_operator)
    assert client.get("/certificates/delegations/").status_code == 200
    client.post("/certificates/delegations/", {"village_code": SANTAI_VILLAGE})
    assert services.has_delegation(SANTAI_VILLAGE)
    client.force_login(sichuan_admin)
    client.post("/certificates/long-term/", {"allowed": "on", "effective_from": "2026-01-01"})
    assert services.long_term_allowed("51", dt.date(2026, 6, 1))
    assert not services.long_term_allowed("44", dt.date(2026, 6, 1))
