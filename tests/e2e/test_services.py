"""End to end in headless Chromium (R-SVC-1, R-SVC-2): on a phone the 南山 village worker
records a free service with a charge and sees it flagged; sends the service report home; the
三台 home township sees the report and prints it."""

import pytest

from conftest import NANSHAN_VILLAGE, SANTAI_TOWNSHIP, make_user
from tests.e2e.conftest import CHROMIUM, DESKTOP, PHONE, log_in, register_migrant

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]


@pytest.fixture
def seeded(divisions):
    """Flushed tables: the regions (R-REG-1), the free list and the request deadlines again."""
    from yipanqi.regions.seed import seed_regions
    from yipanqi.services.seed import seed_all

    seed_regions()
    seed_all()


def _person():

    alice = make_user("alice", "village_worker", NANSHAN_VILLAGE)
    make_user("bob", "township_operator", SANTAI_TOWNSHIP)
    return register_migrant(alice, seq=77, name="周丽")


def test_r_svc_1_charged_free_service_flagged_and_report_sent_home(seeded, new_page, shot):
    """R-SVC-1 / R-SVC-2: record an IUD insertion charged 120 yuan on a phone; the person page
    shows the violation and its complaint; the report goes home; the home township opens it and
    its PDF."""
    from yipanqi.grievances.models import Complaint
    from yipanqi.services.models import ServiceReport

    person = _person()
    page = new_page(PHONE)
    log_in(page, "alice")
    page.goto(f"/persons/{person.pk}/")
    page.click(f"#services a[href='/services/persons/{person.pk}/record/']")

    page.wait_for_url("**/record/")
    page.select_option("select[name=service_type]", "iud_insertion")
    page.fill("input[name=given_on]", "2026-04-10")
    page.fill("input[name=provider]", "南头街道计生服务站")
    page.fill("input[name=amount_charged]", "120")
    shot(page, "1-record")
    page.click("form button[type=submit].primary")

    page.wait_for_url(f"**/persons/{person.pk}/")
    complaint = Complaint.objects.get()
    services_card = page.locator("#services")
    assert services_card.locator(".badge.err").count() >= 2
    assert complaint.reference in services_card.inner_text()
    assert page.locator(".messages .msg-warning").count() == 1
    shot(page, "2-person-violation")

    page.click(f"#services a[href='/services/persons/{person.pk}/report/']")
    page.wait_for_url("**/report/")
    page.fill("input[name=period_from]", "2026-01-01")
    page.click("form button[type=submit].primary")
    page.wait_for_url("**/services/reports/*/")
    report = ServiceReport.objects.get()
    assert report.receiver_id == SANTAI_TOWNSHIP
    shot(page, "3-report")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "sideways scrolling"

    home = new_page(DESKTOP)
    log_in(home, "bob")
    home.goto(f"/services/reports/{report.pk}/")
    assert report.number in home.inner_text("h1")
    assert "南头街道计生服务站" in home.inner_text("table.list")
    pdf = home.request.get(f"/services/reports/{report.pk}/pdf/")
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    shot(home, "4-home-side")
    assert page.js_errors == [] and home.js_errors == []
