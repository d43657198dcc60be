"""End to end in headless Chromium (R-GRV-1, R-ACC-3, R-DIR-2): a citizen on a phone, with no
account, files a complaint on the public page and follows it by reference number; the
responsible township answers it on a desktop; the citizen reads the answer."""

import pytest

from conftest import SANTAI_TOWNSHIP, SANTAI_VILLAGE, make_user
from tests.e2e.conftest import CHROMIUM, DESKTOP, PHONE, log_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

ANSWER = "已责成村委会改正：检查以现居住地出具的报告单为准，不必回乡。"


@pytest.fixture
def seeded(divisions):
    from yipanqi.regions.seed import seed_regions
    from yipanqi.services.seed import seed_all

    seed_regions()
    seed_all()


def _look_up(page, reference, secret):
    page.goto("/public/complaint/status/")
    page.fill("input[name=reference]", reference)
    page.fill("input[name=secret]", secret)
    page.click("form button[type=submit].primary")
    page.locator("#status").wait_for()


def test_r_grv_1_public_complaint_followed_by_reference(seeded, new_page, shot):
    """R-GRV-1 (issue check): from the login page to the public form, the place typed as a
    code, the reference and access code shown once, looked up, answered, looked up again."""
    from yipanqi.grievances.models import Complaint

    make_user("bob", "township_operator", SANTAI_TOWNSHIP)
    citizen = new_page(PHONE)
    citizen.goto("/login/")
    citizen.click("a[href='/public/complaint/']")

    citizen.wait_for_url("**/public/complaint/")
    citizen.select_option("select[name=category]", "told_to_return_home")
    citizen.locator("[data-picker-code]").fill(SANTAI_VILLAGE)
    citizen.locator("[data-picker-label]", has_text="潼川镇").wait_for()
    citizen.fill("textarea[name=description]", "村里打电话要求我回老家做孕检，否则不给开证明。")
    citizen.fill("input[name=contact]", "13800138000")
    assert citizen.locator("input[name=website]").bounding_box()["x"] < 0  # the honeypot
    shot(citizen, "1-form")
    citizen.click("form button[type=submit].primary")

    reference = citizen.locator("[data-reference]").inner_text().strip()
    secret = citizen.locator("[data-secret]").inner_text().strip()
    complaint = Complaint.objects.get()
    assert reference == complaint.reference
    assert complaint.assigned_to_id == SANTAI_TOWNSHIP
    shot(citizen, "2-filed")
    _look_up(citizen, reference, secret)
    assert citizen.locator("#status .badge.ok").count() == 0
    shot(citizen, "3-open")

    staff = new_page(DESKTOP)
    log_in(staff, "bob")
    staff.goto("/grievances/")
    staff.click(f"a:has-text('{reference}')")
    staff.fill("textarea[name=answer]", ANSWER)
    staff.click("form[action$='/answer/'] button[type=submit]")
    staff.wait_for_url(f"**/grievances/{complaint.pk}/")
    assert ANSWER in staff.inner_text("dl.facts")
    shot(staff, "4-answered")

    _look_up(citizen, reference, secret)
    assert ANSWER in citizen.inner_text("#status")
    assert citizen.locator("#status .badge.ok").count() == 1
    assert citizen.locator("#status ol.timeline li").count() == 3
    shot(citizen, "5-answer-seen")
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 390, "sideways scrolling"
    assert citizen.js_errors == [] and staff.js_errors == []
