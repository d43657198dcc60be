"""R-WD-4 from the web: the system administrator pastes, uploads or picks the package's schedule
of a year, sees which days change and which open deadlines move, then confirms (audited)."""

import datetime as dt
import json
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import NANSHAN_TOWNSHIP, SANTAI_TOWNSHIP, make_user
from yipanqi.audit.models import AuditEvent
from yipanqi.exchange.models import Request
from yipanqi.exchange.services import send_request
from yipanqi.ledger.counters import check
from yipanqi.workdays.models import CalendarYear
from yipanqi.workdays.tests.conftest import SCHEDULE_2027

pytestmark = pytest.mark.django_db
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def english_pages(client):
    client.cookies["django_language"] = "en"


@pytest.fixture
def sysadmin(db):
    return make_user("sam", "system_admin", None)


@pytest.fixture
def crossing(township_operator):
    """A request sent on Thursday 24 December 2026 whose working days run into 2027, counted
    on weekends only (2027 has no schedule yet)."""
    return send_request(
        "co_investigation",
        sender_code=SANTAI_TOWNSHIP,
        receiver_code=NANSHAN_TOWNSHIP,
        acting_user=township_operator,
        idempotency_key="crossing-2027",
        payload={"question": "她还在这里居住吗？"},
        now=dt.datetime(2026, 12, 24, 9, 0, tzinfo=BEIJING),
    )


def _preview(client, **data):
    return client.post("/workdays/calendar/", {"way": "paste", **data})


def test_r_wd_4_paste_preview_changes_nothing_then_confirm_moves_the_deadline(
    client, sysadmin, crossing
):
    """R-WD-4: the preview lists the days off of 2027 on weekdays, the make-up Saturdays and
    the request whose due date moves; nothing is stored until confirmed; then the year is
    loaded, the request is due one day later (1 January off), audited, counters agree."""
    client.force_login(sysadmin)
    old_due = crossing.due_on
    assert crossing.due_fallback

    page = _preview(client, text=json.dumps(SCHEDULE_2027))
    body = page.content.decode()

    assert page.status_code == 200
    assert "2027-01-01" in body and "2027-02-20" in body
    assert f"#{crossing.pk}" in body and old_due.isoformat() in body
    assert not CalendarYear.objects.exists()
    assert Request.objects.get(pk=crossing.pk).due_on == old_due

    hidden = page.context["confirm"]["schedule"].value()
    done = client.post("/workdays/calendar/confirm/", {"schedule": hidden})

    assert done.status_code == 302
    row = CalendarYear.objects.get(year=2027)
    assert row.loaded_by == sysadmin and row.source == "test notice 2027"
    moved = Request.objects.get(pk=crossing.pk)
    assert moved.due_on > old_due and not moved.due_fallback
    event = AuditEvent.objects.get(object_type="calendar_year", object_id="2027")
    assert event.detail["moved_requests"] == 1
    assert check().ok


def test_r_wd_4_a_bad_schedule_is_refused_in_words_and_the_text_is_kept(client, sysadmin):
    """R-WD-4: a date outside the year is refused, the pasted text is shown again, nothing is
    stored."""
    client.force_login(sysadmin)
    text = json.dumps({**SCHEDULE_2027, "holidays": ["2028-01-01"]})

    page = _preview(client, text=text)

    assert page.status_code == 400
    body = page.content.decode()
    assert "is not in that year" in body
    assert "2028-01-01" in body  # what was typed stays in the box
    assert not CalendarYear.objects.exists()


def test_r_wd_4_upload_and_package_data(client, sysadmin):
    """R-WD-4: a file is read like pasted text; the package's 2026 data can be loaded as the
    year's schedule and changes no day."""
    client.force_login(sysadmin)
    upload = SimpleUploadedFile("2027.json", json.dumps(SCHEDULE_2027).encode())

    from_file = client.post("/workdays/calendar/", {"way": "file", "upload": upload})
    package = client.post("/workdays/calendar/", {"way": "package", "year": "2026"})
    unknown = client.post("/workdays/calendar/", {"way": "package", "year": "2031"})

    assert from_file.status_code == 200 and "2027-10-09" in from_file.content.decode()
    assert package.status_code == 200
    assert package.context["preview"].changes_nothing
    assert unknown.status_code == 400
    assert "has no schedule for 2031" in unknown.content.decode()


@pytest.mark.parametrize("role", ["security_admin", "auditor", "national_admin"])
def test_r_wd_4_only_the_system_administrator_loads_a_schedule(client, role):
    """R-WD-4 and 三员分立: any other role finds no such page, and cannot post to it."""
    user = make_user("x", role, None)
    client.force_login(user)

    seen = client.get("/workdays/calendar/")
    posted = client.post("/workdays/calendar/confirm/", {"schedule": json.dumps(SCHEDULE_2027)})

    assert seen.status_code == 404
    assert posted.status_code in (403, 404)  # the auditor's posts stop earlier (read-only)
    assert not CalendarYear.objects.exists()
