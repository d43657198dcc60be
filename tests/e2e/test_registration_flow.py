"""End to end in headless Chromium: a village worker on a phone, a county admin on a desktop.

Screenshots go to tests/e2e/screenshots/ (not committed) for a person to look at.
"""

import datetime as dt

import pytest

from conftest import NANSHAN_VILLAGE, SANTAI_TOWNSHIP, SANTAI_VILLAGE, id_for, make_user
from tests.e2e.conftest import CHROMIUM, DESKTOP, PHONE, log_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

ID_NUMBER = id_for(seq=123)
NAME = "陈晓燕"


def _register_linked_person():
    """The inflow by 南山 and the outflow by 三台 of one woman, through the real service."""
    from yipanqi.people.services import RegistrationInput, register

    alice = make_user("alice", "village_worker", NANSHAN_VILLAGE)
    bob = make_user("bob", "township_operator", SANTAI_TOWNSHIP)
    data = {
        "id_number": ID_NUMBER,
        "name": NAME,
        "home_code": SANTAI_VILLAGE,
        "residence_code": NANSHAN_VILLAGE,
        "reason": "work",
        "marital_status": "first_marriage",
        "phone": "13800138000",
    }
    register(
        RegistrationInput(arrival_date=dt.date(2026, 3, 2), **data),
        kind="inflow",
        acting_user=alice,
    )
    return register(
        RegistrationInput(arrival_date=dt.date(2026, 2, 20), **data),
        kind="outflow",
        acting_user=bob,
    ).person


def _open_menu_and_go(page, link_text: str):
    """On a phone the navigation is behind ☰; open it and follow a link."""
    nav_link = page.locator("nav.nav a", has_text=link_text)
    assert not nav_link.is_visible(), "the menu should be folded on a phone"
    page.click("label.navbutton")
    assert nav_link.is_visible()
    nav_link.click()


def _fill_registration(page, id_number: str):
    page.fill("input[name=id_number]", id_number)
    page.fill("input[name=name]", NAME)
    page.fill("input[name=phone]", "138 0013 8000")
    home = page.locator("fieldset", has=page.locator("input[name=home_code]"))
    home.locator("[data-picker-code]").fill(SANTAI_VILLAGE)
    page.fill("input[name=arrival_date]", "2026-03-02")


def test_r_regn_1_village_worker_registers_inflow_on_a_phone(new_page, shot):
    """R-REGN-1 / P5 / P1, scenario A: on a 390×844 phone the 南山 village worker logs in, sees
    the jurisdiction, opens ☰ → 流入登记, types the home place's code (residence prefilled),
    submits, sees the whole ID and the history, then finds the person by name."""
    make_user("alice", "village_worker", NANSHAN_VILLAGE)
    page = new_page(PHONE)

    page.goto("/login/")
    shot(page, "1-login")
    log_in(page, "alice")
    assert "南头城社区" in page.inner_text("h1")
    shot(page, "2-home")

    _open_menu_and_go(page, "流入登记")
    page.wait_for_url("**/register/inflow/")
    residence = page.locator("input[name=residence_code]")
    assert residence.input_value() == NANSHAN_VILLAGE
    _fill_registration(page, ID_NUMBER)
    assert page.locator("input[name=home_code]").input_value() == SANTAI_VILLAGE
    shot(page, "3-form")
    page.click("#register-form button[type=submit]")

    page.wait_for_url("**/persons/*/")
    assert NAME in page.inner_text("h1")
    facts = page.inner_text("dl.facts")
    assert ID_NUMBER in facts
    assert "13800138000" in facts
    assert "登记成功" in page.inner_text(".messages")
    history = page.locator("ol.timeline li")
    assert history.count() == 1
    assert "南头城社区" in history.first.inner_text()
    shot(page, "4-person")

    _open_menu_and_go(page, "查询人员")
    page.wait_for_url("**/persons/")
    page.fill("input[name=name]", "晓燕")
    page.click("form.grid button[type=submit]")
    row = page.locator("table.list tbody tr", has_text=NAME)
    row.wait_for()
    assert ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[14:] in row.inner_text()
    assert ID_NUMBER not in page.content()
    assert "/persons/" in page.url and ID_NUMBER not in page.url
    shot(page, "5-search")
    assert page.js_errors == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "sideways scrolling"


def test_r_regn_2_county_admin_sees_outflow_and_the_linked_record(new_page, shot):
    """R-REGN-2 / R-ACC-2 / P3, scenario B: the 三台县 administrator on a desktop sees one
    outflow person on the home page, opens the person, and sees both registrations linked."""
    person = _register_linked_person()
    make_user("carol", "county_admin", SANTAI_VILLAGE[:6])
    page = new_page(DESKTOP)

    log_in(page, "carol")

    assert "三台县" in page.inner_text("h1")
    outflow = page.locator("a.stat", has_text="流出人员")
    assert outflow.locator("b").inner_text() == "1"
    assert page.locator("a.stat", has_text="流入人员").locator("b").inner_text() == "0"
    assert page.locator("label.navbutton").is_hidden()  # desktop: the menu is unfolded
    shot(page, "1-home")
    page.click(f"a[href='/persons/{person.pk}/']")

    page.wait_for_url(f"**/persons/{person.pk}/")
    assert ID_NUMBER in page.inner_text("dl.facts")
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 2
    kinds = " ".join(rows.all_inner_texts())
    assert "流入" in kinds and "流出" in kinds
    assert "双方可互相查看" in page.inner_text("p.ok")
    shot(page, "2-person")
    assert page.js_errors == []


def test_r_regn_1_wrong_id_number_keeps_what_was_typed(new_page, shot):
    """R-REGN-1 / P1, scenario C: a mistyped ID number gives the plain-language error next to it
    and every other typed value is still there; nobody is registered."""
    from yipanqi.people.models import Person

    make_user("alice", "village_worker", NANSHAN_VILLAGE)
    page = new_page(PHONE)
    log_in(page, "alice")
    page.goto("/register/inflow/")
    # one digit of the sequence mistyped: only the check digit can tell
    mistyped = ID_NUMBER[:15] + ("1" if ID_NUMBER[15] != "1" else "2") + ID_NUMBER[16:]

    _fill_registration(page, mistyped)
    page.select_option("select[name=marital_status]", "remarried")
    page.click("#register-form button[type=submit]")

    page.wait_for_load_state()
    error = page.locator("label", has=page.locator("input[name=id_number]")).locator(".error")
    assert "身份证号码校验不通过" in error.inner_text()
    assert page.input_value("input[name=id_number]") == mistyped
    assert page.input_value("input[name=name]") == NAME
    assert page.input_value("input[name=phone]") == "138 0013 8000"
    assert page.input_value("input[name=home_code]") == SANTAI_VILLAGE
    home = page.locator("fieldset", has=page.locator("input[name=home_code]"))
    assert home.locator("[data-picker-code]").input_value() == SANTAI_VILLAGE
    assert page.input_value("input[name=residence_code]") == NANSHAN_VILLAGE
    assert page.input_value("input[name=arrival_date]") == "2026-03-02"
    assert page.input_value("select[name=marital_status]") == "remarried"
    shot(page, "1-error")
    assert not Person.objects.exists()
    assert page.js_errors == []
