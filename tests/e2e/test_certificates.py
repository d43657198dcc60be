"""End to end in headless Chromium: the marriage and childbearing certificate (R-CERT-1..5).

The home township issues it on a desktop, the residence village verifies it on a phone, the
home township revokes it, and a verifier without an account scans the QR check: revoked.
"""

import pytest

from conftest import NANSHAN_VILLAGE, SANTAI_TOWNSHIP, make_user
from tests.e2e.conftest import CHROMIUM, DESKTOP, PHONE, log_in, register_migrant

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]


def _seed_rules():
    from yipanqi.births.seed import add_default_deadlines as births
    from yipanqi.certificates.seed import add_default_deadlines as certificates
    from yipanqi.regions.seed import seed_regions

    seed_regions()
    certificates()
    births()


def _woman():

    alice = make_user("alice", "village_worker", NANSHAN_VILLAGE)
    return register_migrant(alice, seq=321, name="陈晓燕")


def test_r_cert_issue_verify_revoke_and_qr_check(new_page, shot):
    """R-CERT-1 issue at home, R-CERT-3 verify at the residence (late: counted), R-CERT-5 PDF
    and the public check after revocation, with no personal data on it."""
    from yipanqi.certificates.models import Certificate, Verification

    _seed_rules()
    woman = _woman()
    make_user("bob", "township_operator", SANTAI_TOWNSHIP)

    home = new_page(DESKTOP)
    log_in(home, "bob")
    home.goto(f"/persons/{woman.pk}/")
    home.click(f"a[href='/certificates/person/{woman.pk}/issue/']")
    home.fill("input[name=children]", "1")
    home.click("button[type=submit].primary")
    home.wait_for_url("**/certificates/*/")
    certificate = Certificate.objects.get()
    assert certificate.number in home.inner_text("h1")
    shot(home, "1-issued")
    pdf = home.request.get(f"/certificates/{certificate.pk}/pdf/")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")

    phone = new_page(PHONE)
    log_in(phone, "alice")
    phone.goto(f"/persons/{woman.pk}/")
    card = phone.locator("#certificate")
    assert certificate.number in card.inner_text()
    assert card.locator(".due-next li").count() >= 1
    card.locator(f"a[href='/certificates/{certificate.pk}/']").click()
    phone.fill("input[name=verified_on]", "2026-04-02")  # day 31 after arrival
    phone.click(f"form[action='/certificates/{certificate.pk}/verify/'] button")
    phone.wait_for_url(f"**/certificates/{certificate.pk}/")
    verification = Verification.objects.get()
    assert verification.late and verification.verified_by.username == "alice"
    assert phone.locator(".badge.warn").count() >= 1
    shot(phone, "2-verified-late")
    phone.goto("/certificates/")
    assert certificate.number in phone.inner_text("main")
    assert not phone.js_errors

    home.goto(f"/certificates/{certificate.pk}/")
    home.fill("input[name=reason]", "issued with a wrong ID")
    home.click(f"form[action='/certificates/{certificate.pk}/revoke/'] button")
    home.wait_for_url(f"**/certificates/{certificate.pk}/")
    assert home.locator(".badge.err").count() >= 1

    verifier = new_page(PHONE)
    verifier.goto(f"/certificates/check/{certificate.token}/")
    assert verifier.locator("[data-state]").get_attribute("data-state") == "revoked"
    text = verifier.inner_text("body")
    assert woman.name not in text and certificate.number not in text
    assert woman.id_number_masked not in text
    shot(verifier, "3-qr-revoked")
