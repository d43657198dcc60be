"""Issue 12.15 in the browser: a complaint about 潼川镇 reaches 三台县, whose administrator
transfers it with a reason; a forgotten reason is explained and the chosen unit is kept."""

import pytest
from django.utils import timezone

from conftest import SANTAI_TOWNSHIP, make_user
from tests.e2e.conftest import DESKTOP, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_r_grv_1_county_transfers_a_complaint_about_its_township(divisions, new_page, shot):
    from tests.e2e.test_certificates import _seed_rules
    from yipanqi.grievances import services
    from yipanqi.grievances.models import Complaint

    _seed_rules()
    make_user("carol", "county_admin", "510722")
    complaint = services.file_complaint(
        services.ComplaintInput(
            category="certificate_conditional",
            description="潼川镇计生办要求先交押金才给开婚育证明。",
            place_code=SANTAI_TOWNSHIP,
        ),
        acting_user=None,
        origin=services.Origin(channel="public", ip="203.0.113.8"),
        now=timezone.now(),
    ).complaint
    assert complaint.assigned_to_id == "510722"

    page = new_page(DESKTOP)
    log_in(page, "carol")
    page.goto(f"/grievances/{complaint.pk}/")
    page.locator("#transfer [data-picker-code]").fill("510723")
    page.locator("#transfer [data-picker-label]", has_text="盐亭县").wait_for()
    page.click("#transfer button[type=submit]")
    page.locator("#transfer .error").wait_for()
    shot(page, "1-no-reason")
    assert page.locator("#transfer [data-picker-code]").input_value() == "510723"

    page.fill("#transfer textarea[name=reason]", "押金是盐亭县的服务站收的。")
    page.click("#transfer button[type=submit]")
    page.wait_for_url("**/grievances/")
    shot(page, "2-transferred")
    assert "盐亭县" in page.locator(".messages").inner_text()
    assert Complaint.objects.get(pk=complaint.pk).assigned_to_id == "510723"
