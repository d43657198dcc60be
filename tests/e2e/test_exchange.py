"""End to end in headless Chromium (R-EX-1, R-EX-3): on a phone the 三台 home township opens a
service report from its inbox, sees the services it is asked to check and answers with a note;
on a desktop the 广东 province coordinates a request escalated to it."""

import datetime as dt
import zoneinfo

import pytest

from conftest import NANSHAN_VILLAGE, SANTAI_TOWNSHIP, make_user, report_services
from tests.e2e.conftest import CHROMIUM, DESKTOP, PHONE, log_in, register_migrant

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
DONGGUAN_TOWNSHIP = "441900003"  # 广东省 › 东莞市 › 东城街道


@pytest.fixture
def seeded(divisions, settings):
    from yipanqi.regions.seed import seed_regions
    from yipanqi.services.seed import seed_all

    settings.ADMIN_OTP_REQUIRED = False  # the administrators' second factor is not under test
    seed_regions()
    seed_all()


def _person(alice):

    return register_migrant(alice, seq=91, name="周丽")


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_r_ex_1_home_township_sees_the_service_report_and_answers_with_a_note(
    seeded, new_page, shot
):
    from yipanqi.exchange.models import Request

    alice = make_user("alice", "village_worker", NANSHAN_VILLAGE)
    make_user("bob", "township_operator", SANTAI_TOWNSHIP)
    person = _person(alice)
    report = report_services(person, alice, key="e2e-report")

    page = new_page(PHONE)
    log_in(page, "bob")
    page.goto("/exchange/inbox/")
    page.click(f"a[href='/exchange/requests/{report.request_id}/']")
    page.wait_for_url(f"**/exchange/requests/{report.request_id}/")
    asked = page.locator("#asked")
    text = asked.inner_text()
    assert "此人在我地接受了以下服务" in text
    assert "2026-03-10" in text and "南头街道计生服务站" in text and "口服避孕药" in text
    assert asked.locator(f"a[href='/services/reports/{report.pk}/']").count() == 1
    # One primary (the expected answer), "not as stated" secondary, the destructive one marked.
    assert page.locator("button[name=canned].primary").count() == 1
    assert page.locator("button[name=canned][value=received]").get_attribute("class") == "primary"
    assert page.locator("button[name=canned][value=unknown]").get_attribute("class") == "danger"
    shot(page, "1-request")

    page.click("button[name=canned][value=mismatch]")
    page.wait_for_selector(".quick-answers .error")
    assert "请在备注中写明" in page.locator(".quick-answers").inner_text()
    assert Request.objects.get(pk=report.request_id).status == "delivered"
    shot(page, "2-note-needed")

    page.fill("textarea[name=note]", "3月10日的检查我地已有记录，服务机构名称不同。")
    page.click("button[name=canned][value=mismatch]")
    page.wait_for_url("**/exchange/inbox/")
    answered = Request.objects.get(pk=report.request_id)
    assert answered.status == "answered"
    assert answered.answer.endswith("服务机构名称不同。")

    page.goto(f"/services/reports/{report.pk}/")  # the link the request page rendered opens
    assert page.locator("h1").count() == 1
    assert _no_sideways_scroll(page)
    assert not page.js_errors


def test_r_ex_3_the_province_coordinates_an_escalated_request(seeded, new_page, shot):
    from yipanqi.audit.models import AuditEvent
    from yipanqi.exchange.models import Request
    from yipanqi.exchange.services import escalate_request, send_request
    from yipanqi.exchange.sweep import sweep

    alice = make_user("alice", "village_worker", NANSHAN_VILLAGE)
    make_user("dora", "province_admin", "44")
    person = _person(alice)
    request = send_request(
        "verification",
        sender_code=NANSHAN_VILLAGE,
        receiver_code=DONGGUAN_TOWNSHIP,
        acting_user=alice,
        idempotency_key="e2e-late",
        persons=[person],
        payload={"question": "她是否在东城街道居住过？"},
        now=dt.datetime(2026, 9, 18, 10, tzinfo=BEIJING),
    )
    sweep(dt.date(2026, 10, 16))
    escalate_request(request.pk, reason="东莞一直没有答复。", acting_user=alice)

    page = new_page(DESKTOP)
    log_in(page, "dora")
    home = page.locator("#home-coordination")
    assert home.count() == 1
    nav = page.locator(".nav a[href='/exchange/coordination/']")
    assert nav.locator(".count").inner_text() == "1"
    shot(page, "1-home")
    home.locator("a.button").click()
    page.wait_for_url("**/exchange/coordination/")
    row = page.locator("table.list tbody tr")
    assert row.count() == 1
    assert "东莞一直没有答复" in row.inner_text()
    shot(page, "2-list")
    row.locator(f"a[href='/exchange/requests/{request.pk}/']").click()

    page.wait_for_selector("#coordination")
    # The coordinator decides; it is not offered the township's canned answers.
    assert page.locator("button[name=canned]").count() == 0
    page.fill("#coordination textarea[name=decision]", "东城街道在5个工作日内答复。")
    page.check("#coordination input[name=outcome][value=receiver]")
    page.fill("#coordination input[name=working_days]", "5")
    shot(page, "3-decide")
    page.click("#coordination form[action$='/decide/'] button[type=submit]")
    page.wait_for_url("**/exchange/coordination/")
    assert "没有等待你协调的请求" in page.inner_text("main")

    request.refresh_from_db()
    assert request.status == "delivered"
    assert request.decision == "东城街道在5个工作日内答复。"
    assert AuditEvent.objects.filter(object_id=str(request.pk), detail__event="decided").exists()
    page.goto(f"/exchange/requests/{request.pk}/")
    timeline = page.locator("ol.timeline").inner_text()
    assert "上级已作出协调决定" in timeline and "东城街道在5个工作日内答复" in timeline
    shot(page, "4-timeline")
    assert not page.js_errors
    assert Request.objects.filter(status="escalated").count() == 0
