"""End to end in headless Chromium: a first-child birth registration (R-BIRTH-1/2) from the
residence village's phone through both home townships' confirmations, a return for a missing
document, the resubmission and the residence township's issue with its notices."""

import pytest

from conftest import (
    NANSHAN_TOWNSHIP,
    NANSHAN_VILLAGE,
    SANTAI_TOWNSHIP,
    make_user,
)
from tests.e2e.conftest import CHROMIUM, DESKTOP, PHONE, log_in, register_migrant

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

HUSBAND_HOME = "320102002"  # 江苏 南京 玄武区 梅园新村街道


def _setup():
    from yipanqi.births.seed import add_default_deadlines as births
    from yipanqi.certificates.seed import add_default_deadlines as certificates
    from yipanqi.regions.seed import seed_regions

    seed_regions()
    certificates()
    births()
    alice = make_user("alice", "village_worker", NANSHAN_VILLAGE)
    for username, code in (
        ("bob", SANTAI_TOWNSHIP),
        ("hank", HUSBAND_HOME),
        ("nina", NANSHAN_TOWNSHIP),
    ):
        make_user(username, "township_operator", code)  # fmt: skip
    return register_migrant(alice, seq=456, name="周敏")


def _pick_home(page, township: str) -> None:
    """Issue 12.7: the husband's home is chosen from the hierarchy, level by level."""
    picker = page.locator("[data-picker]")
    for level, code in enumerate((township[:2], township[:4], township[:6], township[:9]), 1):
        select = picker.locator(f"select[data-level='{level}']")
        select.wait_for()
        select.select_option(code)
    picker.locator("[data-picker-label]", has_text="梅园新村街道").wait_for()
    assert picker.locator("input[name=husband_home_code]").input_value() == township


def test_r_birth_2_first_child_every_step(new_page, shot):
    """R-BIRTH-2: each step with the unit that owes it; returned only for a missing document."""
    from yipanqi.births.models import BirthRegistration
    from yipanqi.exchange.models import Request, RequestType

    woman = _setup()
    village = new_page(PHONE)
    log_in(village, "alice")
    village.goto(f"/persons/{woman.pk}/")
    village.click(f"#births a[href='/births/apply/?person={woman.pk}']")
    village.fill("input[name=husband_name]", "吴刚")
    _pick_home(village, HUSBAND_HOME)
    village.check("input[name=documents][value=id_cards]")
    village.check("input[name=documents][value=status_certificate]")
    village.click("button[type=submit].primary")
    village.wait_for_url("**/births/*/")
    registration = BirthRegistration.objects.get()
    assert village.locator(".next-step").count() == 1
    shot(village, "1-received")
    village.click(f"form[action='/births/{registration.pk}/ask/'] button")
    village.wait_for_url(f"**/births/{registration.pk}/")
    assert Request.objects.filter(type=RequestType.BIRTH_CONFIRMATION).count() == 2

    for username in ("bob", "hank"):
        home = new_page(DESKTOP)
        log_in(home, username)
        home.goto(f"/births/{registration.pk}/")
        home.locator("form[action*='/confirm/'] button.primary").first.click()
        home.wait_for_url(f"**/births/{registration.pk}/")

    answered = Request.objects.filter(type=RequestType.BIRTH_CONFIRMATION, status="answered")
    assert answered.count() == 2, list(Request.objects.values_list("status", "answer"))
    village.goto(f"/births/{registration.pk}/")
    assert village.locator("tr.step-done").count() >= 3
    village.fill("textarea[name=opinion]", "双方户籍地已确认。")
    village.click(f"form[action='/births/{registration.pk}/forward/'] button")
    village.wait_for_url(f"**/births/{registration.pk}/")

    township = new_page(DESKTOP)
    log_in(township, "nina")
    township.goto(f"/births/{registration.pk}/")
    # The marriage certificate is missing: the return form has it ticked already.
    assert township.is_checked("input[name=missing][value=marriage_certificate]")
    township.click(f"form[action='/births/{registration.pk}/return/'] button")
    township.wait_for_url(f"**/births/{registration.pk}/")
    registration.refresh_from_db()
    assert registration.status == "returned"
    assert registration.missing == ["marriage_certificate"]

    village.goto(f"/births/{registration.pk}/")
    village.check("input[name=documents][value=marriage_certificate]")
    village.fill("textarea[name=opinion]", "已补交结婚证。")
    village.click(f"form[action='/births/{registration.pk}/forward/'] button")
    village.wait_for_url(f"**/births/{registration.pk}/")

    township.goto(f"/births/{registration.pk}/")
    township.click(f"form[action='/births/{registration.pk}/issue/'] button")
    township.wait_for_url(f"**/births/{registration.pk}/")
    registration.refresh_from_db()
    assert registration.status == "issued" and registration.number
    assert registration.number in township.inner_text("h1")
    assert Request.objects.filter(type=RequestType.BIRTH_NOTICE).count() == 2
    assert township.locator(".next-step").count() == 0
    shot(township, "2-issued")
    assert not village.js_errors and not township.js_errors


def test_r_birth_3_further_child_page_and_request_give_the_same_deadline(new_page, shot):
    """R-BIRTH-3 (issue 12.4): her home township, on a phone, registers a second child; the
    page says the residence is notified within 7 working days, by the very date the notice it
    sent is due, and the notice's own page says the same."""
    from yipanqi.births.models import BirthRegistration
    from yipanqi.exchange.models import Request, RequestType
    from yipanqi.workdays.services import add_working_days

    woman = _setup()
    township = new_page(PHONE)
    log_in(township, "bob")
    township.goto(f"/persons/{woman.pk}/")
    township.click(f"#births a[href='/births/home/?person={woman.pk}']")
    township.fill("input[name=husband_name]", "吴刚")
    _pick_home(township, HUSBAND_HOME)
    township.fill("input[name=child_order]", "2")
    for document in ("id_cards", "marriage_certificate", "status_certificate"):
        township.check(f"input[name=documents][value={document}]")
    shot(township, "1-form")
    township.click("button[type=submit].primary")
    township.wait_for_url("**/births/*/")

    registration = BirthRegistration.objects.get()
    notice = Request.objects.get(type=RequestType.BIRTH_NOTICE)
    assert notice.deadline_days == 7
    assert notice.due_on == add_working_days(registration.issued_at, 7).date
    row = township.locator("table.steps tr").nth(1)
    assert "7个工作日内" in row.inner_text()
    due = notice.due_on.isoformat()
    assert due in row.locator("td[data-label]").inner_text()
    shot(township, "2-issued")
    row.locator(f"a[href='/exchange/requests/{notice.pk}/']").click()
    township.wait_for_url(f"**/exchange/requests/{notice.pk}/")
    assert due in township.inner_text("main")
    shot(township, "3-notice")
    assert not township.js_errors
