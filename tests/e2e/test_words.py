"""Issue 12.8/12.9 in the browser: each meaning of a short word reads right in Chinese, no rule id
shows, and the tab shows the platform's icon."""

import datetime as dt
import re

import pytest

from conftest import NANSHAN_VILLAGE, SANTAI_TOWNSHIP, SANTAI_VILLAGE, id_for, make_user
from tests.e2e.conftest import DESKTOP, PHONE, log_in

pytestmark = pytest.mark.django_db(transaction=True)

RULE_ID = re.compile(r"\bR-[A-Z]+-\d")


@pytest.fixture
def sent_request(divisions):
    """A verification request from 南山区's village to 三台县's township, sent, not yet answered."""
    from yipanqi.exchange.services import send_request
    from yipanqi.people.services import RegistrationInput, register
    from yipanqi.regions.seed import seed_regions

    seed_regions()  # a transactional test starts from flushed tables: the rule sets again
    alice = make_user("alice", "village_worker", NANSHAN_VILLAGE)
    make_user("bob", "township_operator", SANTAI_TOWNSHIP)
    data = RegistrationInput(
        id_number=id_for(), name="王芳", home_code=SANTAI_VILLAGE,
        residence_code=NANSHAN_VILLAGE, arrival_date=dt.date(2026, 3, 2), reason="work",
        marital_status="first_marriage",
    )  # fmt: skip
    person = register(data, kind="inflow", acting_user=alice).person
    return send_request(
        "verification", sender_code=NANSHAN_VILLAGE, receiver_code=SANTAI_TOWNSHIP,
        acting_user=alice, idempotency_key="e2e-words", persons=[person],
        payload={"question": "请核实"},
    )  # fmt: skip


def test_issue_12_8_a_delivered_request_reads_right_with_its_sender_and_receiver_on_a_phone(
    sent_request, new_page, shot
):
    """Given a request alice sent (delivered at once), on her phone the outbox and the request
    page say 已送达 for its status and 送达时间 for the date it arrived (one English word
    "Delivered", two meanings), and 发出方/接收方 for its two sides."""
    page = new_page(PHONE)
    log_in(page, "alice")
    page.goto("/exchange/outbox/")
    row = page.locator("table.list tbody tr").first
    assert "已送达" in row.inner_text()
    shot(page, "outbox")
    page.goto(f"/exchange/requests/{sent_request.pk}/")
    text = page.locator("main").inner_text()
    assert "发出方" in text and "接收方" in text and "送达时间" in text
    assert page.locator("main .badge").first.inner_text() == "已送达"
    assert not RULE_ID.search(page.content())
    shot(page, "detail")
    assert not page.js_errors


def test_issue_12_8_the_audit_date_filters_read_as_dates_on_a_desktop(divisions, new_page, shot):
    """Given the auditor, the audit trail's date filters are 起始日期/截止日期, not 发出方/接收方,
    and its address filter is the network's (IP 地址)."""
    make_user("eve", "auditor", None)
    page = new_page(DESKTOP)
    log_in(page, "eve")
    page.goto("/audit/")
    labels = page.locator("main label").all_inner_texts()
    joined = " ".join(labels)
    assert "起始日期" in joined and "截止日期" in joined
    assert "发出方" not in joined and "接收方" not in joined
    assert "IP 地址" in joined  # the audit's network address, not a postal 地址
    shot(page, "filters")


def test_issue_12_9_the_tab_shows_the_local_icon_and_certificate_pages_no_rule_ids(
    divisions, new_page, shot
):
    """Given the home township, the certificate rules page shows plain words and the browser
    loads the local icon."""
    make_user("bob", "township_operator", SANTAI_TOWNSHIP)
    page = new_page(PHONE)
    icons = []
    page.on("response", lambda r: icons.append(r) if "favicon" in r.url else None)
    log_in(page, "bob")
    page.goto("/certificates/delegations/")
    assert not RULE_ID.search(page.locator("main").inner_text())
    href = page.locator('link[rel="icon"]').first.get_attribute("href")
    assert href.startswith("/static/")
    icon = page.request.get(href)
    assert icon.ok and "svg" in icon.headers["content-type"]
    assert page.request.get("/favicon.ico").headers["content-type"] == "image/x-icon"
    shot(page, "delegations")
