"""End to end in headless Chromium (R-STAT-4): the national dashboard draws the map of China and
the monthly trend with the locally served chart library and map data (no request leaves the
server), drills down nation → province → city → county by the table, sorts the table; a
village worker on a phone sees her own jurisdiction. Screenshots: tests/e2e/screenshots/."""

import datetime as dt

import pytest

from conftest import NANSHAN_VILLAGE, SANTAI_TOWNSHIP, SANTAI_VILLAGE, id_for, make_user
from tests.e2e.conftest import CHROMIUM, DESKTOP, PHONE, log_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]


@pytest.fixture
def figures(divisions, settings):
    """Registrations on both sides and a request answered late, through the real services."""
    from yipanqi.exchange.services import answer_request, send_request
    from yipanqi.people.services import RegistrationInput, register
    from yipanqi.regions.seed import seed_regions

    settings.ADMIN_OTP_REQUIRED = False  # the administrators' second factor is not under test
    seed_regions()
    alice = make_user("alice", "village_worker", NANSHAN_VILLAGE)
    bob = make_user("bob", "township_operator", SANTAI_TOWNSHIP)
    make_user("nora", "national_admin", None)
    persons = []
    for seq, (arrival, received, today) in enumerate(
        [
            (dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)),
            (dt.date(2026, 4, 1), dt.date(2026, 4, 2), dt.date(2026, 4, 20)),
            (dt.date(2026, 5, 1), dt.date(2026, 6, 15), dt.date(2026, 6, 16)),
            (dt.date(2026, 7, 1), dt.date(2026, 7, 2), dt.date(2026, 7, 3)),
        ],
        start=1,
    ):
        data = RegistrationInput(
            id_number=id_for(seq=seq), name=f"李娜{seq}", home_code=SANTAI_VILLAGE,
            residence_code=NANSHAN_VILLAGE, arrival_date=arrival, received_on=received,
            reason="work", marital_status="first_marriage",
        )  # fmt: skip
        persons.append(register(data, kind="inflow", acting_user=alice, today=today).person)
        register(data, kind="outflow", acting_user=bob, today=today)
    sent = dt.datetime(2026, 9, 18, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    request = send_request(
        "verification", sender_code=NANSHAN_VILLAGE, receiver_code=SANTAI_TOWNSHIP,
        acting_user=alice, idempotency_key="e2e-stats", persons=[persons[0]],
        payload={"question": "请核实"}, now=sent,
    )  # fmt: skip
    answer_request(request.pk, answer="已核实", acting_user=bob, now=sent + dt.timedelta(days=40))
    return persons


def _local_only(page, base_url: str) -> list[str]:
    outside = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if not r.url.startswith(base_url) and not r.url.startswith("data:")
            else None
        ),
    )
    return outside


def _wait_for_charts(page, with_map: bool = True) -> None:
    if with_map:
        page.wait_for_selector("#stats-map[data-ready='1'] canvas")
    page.wait_for_selector("#stats-trend[data-ready='1'] canvas")


def test_r_stat_4_national_map_drills_down_to_the_county_with_local_assets(
    figures, new_page, live_server, shot
):
    page = new_page(DESKTOP)
    outside = _local_only(page, live_server.url)
    log_in(page, "nora")

    page.goto("/stats/?period=2026&rate=registration_inflow")
    _wait_for_charts(page)
    national = shot(page, "national")

    assert page.locator("h1").inner_text().startswith("全国")
    guangdong = page.locator("#stats-table tbody tr", has_text="广东")
    assert "75.0%" in guangdong.inner_text()  # 3 of 4 inflow registrations recorded in time
    page.click("#stats-table th:nth-child(2)")  # sort by the first rate
    page.click("#stats-table th:nth-child(2)")
    assert "广东" in page.locator("#stats-table tbody tr").first.inner_text()

    guangdong.locator("a").first.click()
    _wait_for_charts(page)
    assert "广东" in page.locator("h1").inner_text()
    page.locator("#stats-table tbody tr", has_text="深圳").locator("a").first.click()
    _wait_for_charts(page)
    shot(page, "city")
    page.locator("#stats-table tbody tr", has_text="南山").locator("a").first.click()
    _wait_for_charts(page, with_map=False)
    county = shot(page, "county")

    assert "南山区" in page.locator("h1").inner_text()
    assert page.locator("#stats-map").count() == 0  # no map below the city level
    assert page.locator("#stats-table tbody tr").count() >= 5  # every street (township)
    assert not page.js_errors, page.js_errors
    assert outside == [], f"requests left the server: {outside}"
    assert national.stat().st_size > 20_000 and county.stat().st_size > 20_000


def test_r_stat_4_village_worker_sees_her_own_figures_on_a_phone(figures, new_page, shot):
    page = new_page(PHONE)
    log_in(page, "alice")

    page.goto("/stats/")
    _wait_for_charts(page, with_map=False)
    shot(page, "village")

    cards = page.locator(".rate-card")
    assert cards.count() >= 8
    inflow = cards.first  # inflow registration timeliness: 3 of 4 recorded in time
    assert "75.0%" in inflow.inner_text()
    inflow.locator("a").nth(1).click()  # the denominator: the four registrations
    page.wait_for_selector("table.list tbody tr")
    assert page.locator("table.list tbody tr").count() == 4
    assert "李娜1" in page.locator("table.list").inner_text()
    assert not page.js_errors, page.js_errors


def test_r_stat_1_service_coverage_on_the_map_with_the_women_behind_it(figures, new_page, shot):
    """康检率: one of the four married women in 南山 had a free check-up; the card shows it
    against the 98% target, and its gap lists the other three."""
    from yipanqi.accounts.models import User
    from yipanqi.services.seed import seed_all
    from yipanqi.services.services import ServiceInput, record_service

    seed_all()
    record_service(
        ServiceInput(
            person_id=figures[0].pk, service_type="reproductive_checkup",
            given_on=dt.date(2026, 8, 3), provider="南头街道计生服务站",
        ),
        acting_user=User.objects.get(username="alice"),
        now=dt.datetime(2026, 8, 3, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    )  # fmt: skip
    page = new_page(DESKTOP)
    log_in(page, "nora")

    page.goto("/stats/?at=44&period=2026&rate=service_coverage")
    _wait_for_charts(page)
    shot(page, "coverage")

    card = page.locator(".rate-card", has_text="康检率")
    assert "25.0%" in card.inner_text() and "≥ 98%" in card.inner_text()
    assert "25.0%" in page.locator("#stats-table tbody tr", has_text="深圳").inner_text()
    card.locator("a", has_text="未接受免费检查").click()
    page.wait_for_selector("table.list tbody tr")
    listed = page.locator("table.list").inner_text()
    assert page.locator("table.list tbody tr").count() == 3
    assert "李娜1" not in listed and "李娜2" in listed
    assert not page.js_errors, page.js_errors
