"""Issue 12.18: every table of the product at 390 px either scrolls sideways inside its own box
(first column readable) or turns into cards; names never wrap one character a line; the page
itself never scrolls sideways. Opened as each user who sees those tables, on a phone."""

import datetime as dt

import pytest

from conftest import NANSHAN_VILLAGE, SANTAI_TOWNSHIP, SANTAI_VILLAGE, make_user
from tests.e2e.conftest import PHONE, log_in

pytestmark = pytest.mark.django_db(transaction=True)

# Per page: the page's own width against the viewport, and every visible table cell's width
# against three characters of its own font (a village name squeezed to one character a line
# is about one character wide).
MEASURE = """() => {
  const page = document.documentElement.scrollWidth - window.innerWidth;
  const narrow = [];
  for (const cell of document.querySelectorAll('td, th')) {
    if (!cell.getClientRects().length || !cell.textContent.trim()) continue;
    const width = cell.getBoundingClientRect().width;
    const em = parseFloat(getComputedStyle(cell).fontSize);
    if (width < 3 * em - 1) narrow.push(cell.textContent.trim().slice(0, 20) + ' ' + Math.round(width) + 'px');
  }
  let escapes = 0;
  for (const table of document.querySelectorAll('table')) {
    if (table.getBoundingClientRect().right > window.innerWidth + 1) {
      const box = table.closest('.table-scroll') || table;
      if (box.getBoundingClientRect().right > window.innerWidth + 1) escapes++;
    }
  }
  return {page, narrow, tables: document.querySelectorAll('table').length, escapes};
}"""

TOWNSHIP_PAGES = [
    "/",
    f"/stats/?at={SANTAI_TOWNSHIP}&period=2026",  # the villages of 潼川镇
    "/stats/?at=5107&period=2026",  # the counties of 绵阳市
    f"/stats/assessment/?at={SANTAI_TOWNSHIP}&period=2026",
    f"/stats/drill/?at={SANTAI_TOWNSHIP}&period=2026&rate=registration_outflow&part=denominator",
    "/grievances/?view=all",
    "/exchange/inbox/",
    "/exchange/outbox/",
    "/exchange/rules/",
    "/certificates/",
    "/births/",
    "/births/reports/",
    "/services/violations/",
    "/services/supply-points/",
    "/imports/",
    "/imports/leads/",
    "/directory/",
    "/tokens/",
]
VILLAGE_PAGES = ["/", "/exchange/outbox/", "/persons/?q=王芳", "/stats/?period=2026"]
PUBLIC_PAGES = ["/public/", f"/public/divisions/{SANTAI_TOWNSHIP}/"]


@pytest.fixture
def world(divisions, register_inflow, village_worker, township_operator):
    """A registered woman (home 潼川镇, living in 南山), a request to 潼川镇 and a complaint."""
    from tests.e2e.test_certificates import _seed_rules
    from yipanqi.exchange.services import send_request
    from yipanqi.grievances import services as grievances

    _seed_rules()  # a transactional test starts from flushed tables
    person = register_inflow().person
    send_request(
        "verification",
        sender_code=NANSHAN_VILLAGE,
        receiver_code=SANTAI_TOWNSHIP,
        acting_user=village_worker,
        idempotency_key="phone-tables",
        persons=[person],
        payload={"question": "请核实她的婚姻状况。"},
    )
    grievances.file_complaint(
        grievances.ComplaintInput(
            category="certificate_delayed",
            description="村里迟迟不给开婚育证明，已经拖了一个月。",
            place_code=SANTAI_VILLAGE,
        ),
        acting_user=None,
        origin=grievances.Origin(channel="public", ip="203.0.113.5"),
    )
    make_user("ada", "auditor", None)
    return person


def _check(page, shot, url, step):
    response = page.goto(url)
    assert response.status, url
    page.wait_for_load_state("networkidle")
    found = page.evaluate(MEASURE)
    shot(page, step)
    assert found["page"] <= 1, f"{url}: the page scrolls sideways by {found['page']}px"
    assert not found["narrow"], f"{url}: cells narrower than 3 characters: {found['narrow'][:5]}"
    assert found["escapes"] == 0, f"{url}: a table runs off the screen outside a scroll box"
    return found


def test_issue_12_18_every_table_fits_a_phone(world, new_page, shot):
    township = new_page(PHONE)
    log_in(township, "bob")
    seen = 0
    for index, url in enumerate(TOWNSHIP_PAGES):
        seen += _check(township, shot, url, f"township-{index}")["tables"]

    village = new_page(PHONE)
    log_in(village, "alice")
    for index, url in enumerate([*VILLAGE_PAGES, f"/persons/{world.pk}/"]):
        seen += _check(village, shot, url, f"village-{index}")["tables"]

    auditor = new_page(PHONE)
    log_in(auditor, "ada")
    seen += _check(auditor, shot, "/audit/", "auditor")["tables"]

    citizen = new_page(PHONE)
    for index, url in enumerate(PUBLIC_PAGES):
        seen += _check(citizen, shot, url, f"public-{index}")["tables"]
    assert seen >= 15  # the pages did show their tables


def test_issue_12_18_first_column_stays_readable_while_the_table_scrolls(world, new_page, shot):
    """The villages of 潼川镇: the table scrolls inside its box; the village name column stays
    in place and holds each name on one line."""
    page = new_page(PHONE)
    log_in(page, "bob")
    page.goto(f"/stats/?at={SANTAI_TOWNSHIP}&period=2026")
    table = page.locator("#stats-table")
    box = page.locator(".table-scroll:has(#stats-table)")
    first = page.locator("#stats-table tbody tr td:first-child").first
    before = first.bounding_box()
    # The line boxes of the name's text (the cell is as tall as the row's tallest cell).
    lines = first.evaluate(
        """c => { const r = document.createRange(); r.selectNodeContents(c);
                  return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }"""
    )

    box.evaluate("b => { b.scrollLeft = 400; }")
    table.evaluate("t => { t.scrollLeft = 400; }")
    after = first.bounding_box()
    shot(page, "scrolled")

    assert lines == 1
    assert abs(after["x"] - before["x"]) < 2  # sticky: the names did not scroll away
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1


def test_issue_12_18_the_sysadmin_calendar_page_on_a_phone(divisions, new_page, shot):
    """Issue 12.21 in the browser: the system administrator pastes a 2027 schedule, sees what
    changes, loads it; the page fits the phone."""
    import json

    from yipanqi.workdays.models import CalendarYear
    from yipanqi.workdays.tests.conftest import SCHEDULE_2027

    make_user("sam", "system_admin", None)
    page = new_page(PHONE)
    log_in(page, "sam")
    page.goto("/workdays/calendar/")
    page.fill("textarea[name=text]", json.dumps(SCHEDULE_2027, ensure_ascii=False))
    page.click("form button[type=submit].primary")
    page.locator("#preview").wait_for()
    shot(page, "preview")
    assert "2027-02-20" in page.locator("#preview").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    page.click("#preview button[type=submit]")
    page.locator(".messages").wait_for()
    shot(page, "loaded")
    assert CalendarYear.objects.filter(year=2027).exists()
    assert dt.date(2027, 1, 1).isoformat() not in page.locator(".messages").inner_text()
