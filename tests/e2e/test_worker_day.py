"""End to end in headless Chromium: the worker's day (issue 12.11) and the person search that
Back and a shared link survive (issue 12.13). Phone viewport, as the village worker uses it.

Screenshots go to tests/e2e/screenshots/ (not committed) for a person to look at.
"""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import NANSHAN_VILLAGE, SANTAI_TOWNSHIP, SANTAI_VILLAGE, id_for, make_user
from tests.e2e.conftest import CHROMIUM, DESKTOP, PHONE, log_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]


def _women(alice, arrivals: dict[str, int]):
    """Inflow women living in 南山, arrived the given number of days ago (R-CERT-3 duties)."""
    from yipanqi.people.services import RegistrationInput, register

    today = timezone.localdate()
    persons = {}
    for i, (name, days_ago) in enumerate(arrivals.items()):
        persons[name] = register(
            RegistrationInput(
                id_number=id_for(seq=200 + i), name=name, home_code=SANTAI_VILLAGE,
                residence_code=NANSHAN_VILLAGE, arrival_date=today - dt.timedelta(days=days_ago),
                reason="work", marital_status="first_marriage",
            ),
            kind="inflow",
            acting_user=alice,
        ).person  # fmt: skip
    return persons


def test_village_home_is_a_to_do_list_on_a_phone(new_page, shot):
    """R-CERT-3, R-EX-1: the village worker opens the platform on a 390 px phone and sees her
    unit's duties as a list, the one due this week first, each with working days left or
    overdue, and one tap takes her to the page where she does it."""
    from yipanqi.exchange.services import send_request

    alice = make_user("alice", "village_worker", NANSHAN_VILLAGE)
    bob = make_user("bob", "township_operator", SANTAI_TOWNSHIP)
    women = _women(alice, {"本周到期": 26, "早已超期": 120})
    request = send_request(
        "co_investigation",
        sender_code=SANTAI_TOWNSHIP,
        receiver_code=NANSHAN_VILLAGE,
        acting_user=bob,
        idempotency_key="e2e-todo",
        persons=[women["早已超期"]],
        payload={"question": "她还在你处居住吗？"},
        subject="她还在你处居住吗？",
    )

    page = new_page(PHONE)
    log_in(page, "alice")
    todo = page.locator("#todo")
    assert todo.locator("h2").inner_text() == "待办事项"
    lines = todo.locator("li.todo-item")
    assert lines.count() == 3
    assert "本周到期" in lines.nth(0).inner_text()  # due this week: first
    assert "个工作日" in lines.nth(0).inner_text()
    assert "超期" in todo.inner_text()
    # readable at 390 px: no line wider than the screen, the action button visible
    for i in range(lines.count()):
        box = lines.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert lines.nth(0).locator(".todo-act").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "todo")

    # one kind at a time, the choice in the URL
    todo.locator("a.chip", has_text="待回复的协查").click()
    page.wait_for_url("**/?todo=request*")
    assert page.locator("#todo li.todo-item").count() == 1
    # one tap: to the request, where it is answered
    page.locator("#todo li.todo-item a").first.click()
    page.wait_for_url(f"**/exchange/requests/{request.pk}/")
    shot(page, "request")
    assert not page.js_errors


def test_person_search_survives_back_and_a_shared_link(new_page, shot):
    """Issue 12.13: a GET search. Back after opening a result returns to the same results;
    the URL, sent to a colleague, shows the same search, form refilled; the ID lookup puts
    no ID number in any URL (P5)."""
    alice = make_user("alice", "village_worker", NANSHAN_VILLAGE)
    make_user("nina", "township_operator", NANSHAN_VILLAGE[:9])
    _women(alice, {"王芳": 10, "王丽": 20, "李娟": 30})

    page = new_page(PHONE)
    log_in(page, "alice")
    page.goto("/persons/")
    page.fill("#search-form input[name=name]", "王")
    page.fill("#search-form input[name=within]", NANSHAN_VILLAGE)
    page.select_option("#search-form select[name=kind]", "inflow")
    page.click("#search-form button[type=submit]")
    page.wait_for_url("**/persons/?*name=*")
    url = page.url
    assert f"within={NANSHAN_VILLAGE}" in url and "kind=inflow" in url
    results = page.locator("#results")
    assert "找到 2 人" in results.inner_text()
    assert "李娟" not in results.inner_text()
    shot(page, "results")

    results.locator("a", has_text="王芳").click()
    page.wait_for_url("**/persons/*/")
    page.go_back()
    page.wait_for_url(url)
    assert "找到 2 人" in page.locator("#results").inner_text()
    assert page.input_value("#search-form input[name=name]") == "王"

    # the same link opened by a colleague of the township (another session, a desktop)
    colleague = new_page(DESKTOP)
    log_in(colleague, "nina")
    colleague.goto(url)
    assert "找到 2 人" in colleague.locator("#results").inner_text()
    assert colleague.input_value("#search-form input[name=within]") == NANSHAN_VILLAGE
    assert colleague.input_value("#search-form select[name=kind]") == "inflow"

    # P5: the ID lookup opens the person's page; the ID is in no address of the history
    page.goto("/persons/")
    page.fill("#id-form input[name=id_number]", id_for(seq=202))
    page.click("#id-form button[type=submit]")
    page.wait_for_url("**/persons/*/")
    assert "李娟" in page.content()
    assert id_for(seq=202) not in page.url
    page.go_back()
    assert id_for(seq=202) not in page.url
    assert not page.js_errors


def test_certificates_list_pages_and_a_new_arrival_is_on_top(new_page, shot, monkeypatch):
    """Issue 12.12 on a phone: of the women awaiting verification, the new arrival heads page
    one; the pager's next link shows the long-overdue ones, the filter kept."""
    monkeypatch.setattr("yipanqi.core.paging.PER_PAGE", 2)
    alice = make_user("alice", "village_worker", NANSHAN_VILLAGE)
    _women(alice, {"很早到达": 300, "早到达": 90, "新到达": 3})

    page = new_page(PHONE)
    log_in(page, "alice")
    page.goto("/certificates/?year=2026")
    awaiting = page.locator("#awaiting")
    rows = awaiting.locator("tbody tr")
    assert rows.count() == 2
    assert "新到达" in rows.nth(0).inner_text()
    assert "早到达" in rows.nth(1).inner_text()
    assert "第 1 页，共 2 页" in awaiting.inner_text()
    shot(page, "page-1")
    awaiting.locator("a[rel=next]").click()
    page.wait_for_url("**/certificates/?year=2026&awaiting=2#awaiting")
    assert "很早到达" in page.locator("#awaiting tbody").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "page-2")
    assert not page.js_errors
