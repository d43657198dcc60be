"""Issue 12.1, 12.2 and 12.20 in a real browser, as the users they concern.

A township operator of another county opens a person in an emergency on a phone (case and
note); a village worker is told to ask the township; the auditor opening /admin/ gets a page
that is not a loop and follows it to the review list, where they mark the access reviewed; the
security administrator sees second-factor devices without any secret and resets one.
"""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import NANSHAN_VILLAGE, id_for, make_user
from tests.e2e.conftest import CHROMIUM, DESKTOP, PHONE, log_in, register_migrant

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]


def _person():

    alice = make_user("alice", "village_worker", NANSHAN_VILLAGE)
    return register_migrant(alice, seq=322, name="陈晓燕")


def test_issue12_2_break_glass_then_review_by_the_auditor(new_page, shot):
    person = _person()
    make_user("tony", "township_operator", "320102002")  # 玄武区, outside her two sides
    make_user("eve", "auditor", None)

    village = new_page(PHONE)
    log_in(village, "alice")
    village.goto("/account/emergency-access/")
    assert "乡镇街道" in village.content()
    assert village.locator("input[name=id_number]").count() == 0
    shot(village, "village")

    phone = new_page(PHONE)
    log_in(phone, "tony")
    phone.goto("/account/emergency-access/")
    phone.fill("input[name=id_number]", id_for(seq=322))
    phone.fill("input[name=reason]", "急诊抢救，需要核实婚育情况")
    phone.click("button[type=submit].primary")  # no case chosen: refused, note kept
    assert phone.locator(".error-box").is_visible()
    assert phone.input_value("input[name=reason]") == "急诊抢救，需要核实婚育情况"
    shot(phone, "no-case")
    phone.fill("input[name=id_number]", id_for(seq=322))
    phone.check("input[name=case][value=medical]")
    shot(phone, "form")
    phone.click("button[type=submit].primary")
    phone.wait_for_url(f"**/persons/{person.pk}/")
    assert "陈晓燕" in phone.content()

    desk = new_page(DESKTOP)
    log_in(desk, "eve")
    assert "待复核的紧急查阅" in desk.content()
    shot(desk, "auditor-home")
    desk.goto("/admin/")
    assert "管理后台不对您的账号开放" in desk.content()
    shot(desk, "auditor-admin")
    desk.click("main >> text=待复核的紧急查阅")
    desk.wait_for_url("**/audit/emergency-access/")
    assert "医疗急救" in desk.content() and "陈晓燕" not in desk.content()
    desk.fill("input[name=note]", "已与玄武区核实")
    desk.click("text=标记为已复核")
    desk.wait_for_url("**/audit/emergency-access/")
    assert "已复核" in desk.content()
    shot(desk, "auditor-reviewed")
    assert desk.js_errors == [] and phone.js_errors == []


def test_issue12_1_the_security_administrator_sees_no_secret_and_resets(new_page, shot):
    owner = make_user("carl", "county_admin", "320102")
    device = TOTPDevice.objects.create(user=owner, name="phone", confirmed=True)
    make_user("sid", "security_admin", None)
    desk = new_page(DESKTOP)
    log_in(desk, "sid")
    desk.goto("/admin/otp_totp/totpdevice/")
    text = desk.content()
    assert "carl" in text and device.key not in text and "qrcode" not in text.lower()
    shot(desk, "devices")
    desk.check("input[name=_selected_action]")
    desk.select_option("select[name=action]", "reset_second_factor")
    desk.click("button[name=index]")
    desk.wait_for_load_state("networkidle")
    assert "双因素认证已重置" in desk.content()
    shot(desk, "reset")
    assert not TOTPDevice.objects.filter(user=owner).exists()
