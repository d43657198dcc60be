"""End to end in headless Chromium (issue 12.7): on a phone, the 南山 village worker opens 王芳's
record, registers her husband from it (his ID number, his home chosen from the hierarchy with the
division picker), and both records link to each other. R-JUR-3: men are registered as spouses;
R-CERT-1: his record owes no certificate."""

import datetime as dt

import pytest

from conftest import NANSHAN_VILLAGE, id_for, make_user
from tests.e2e.conftest import CHROMIUM, PHONE, log_in, register_migrant

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

HUSBAND_ID = id_for(area="320102", birth=dt.date(1993, 1, 5), seq=11, sex="M")


def test_r_jur_3_register_her_husband_from_her_record_on_a_phone(new_page, shot):
    from yipanqi.people.models import Person

    alice = make_user("alice", "village_worker", NANSHAN_VILLAGE)
    wife = register_migrant(alice, seq=456, name="周敏")

    page = new_page(PHONE)
    log_in(page, "alice")
    page.goto(f"/persons/{wife.pk}/")
    page.click("#spouse a")
    page.wait_for_url(f"**/register/inflow/?spouse={wife.pk}")
    assert "周敏" in page.inner_text("#registering-husband")
    page.fill("input[name=id_number]", HUSBAND_ID)
    page.fill("input[name=name]", "吴刚")
    home = page.locator("fieldset", has=page.locator("input[name=home_code]"))
    for level, code in enumerate(("32", "3201", "320102", "320102002"), 1):
        select = home.locator(f"select[data-level='{level}']")
        select.wait_for()
        select.select_option(code)
    home.locator("[data-picker-label]", has_text="梅园新村街道").wait_for()
    # Her residence and arrival were taken from her stay.
    residence = page.locator("fieldset", has=page.locator("input[name=residence_code]"))
    assert residence.locator("input[name=residence_code]").input_value() == NANSHAN_VILLAGE
    shot(page, "1-form")
    page.click("#register-form button[type=submit].primary")
    page.wait_for_url("**/persons/*/")

    husband = Person.objects.get(sex="M")
    wife.refresh_from_db()
    assert (husband.spouse_id, wife.spouse_id) == (wife.pk, husband.pk)
    assert husband.home_id == "320102002"
    assert "周敏" in page.inner_text("#spouse")
    # R-CERT-1: nothing is due for him, no interim certificate to issue.
    card = page.inner_text("#certificate")
    assert "婚育证明发给妇女" in card
    shot(page, "2-husband")
    page.click("#spouse a")
    page.wait_for_url(f"**/persons/{wife.pk}/")
    assert "吴刚" in page.inner_text("#spouse")
    assert not page.js_errors
