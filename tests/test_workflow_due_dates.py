"""Issue 12.4: every due date a workflow page shows is the due date stored on the request or
record behind it, from one rule set (regions.rules). Walks each workflow through its services,
and at each step compares what the page says with what was stored.

R-BIRTH-2, R-BIRTH-3, R-CERT-3, R-CERT-4, R-SVC-2, R-REGN-6, R-EX-1.
"""

import datetime as dt
import re
import zoneinfo

import pytest
from django.utils import translation

from conftest import NANSHAN_TOWNSHIP, make_user, report_services
from yipanqi.births import services as births
from yipanqi.births.models import BirthRegistration
from yipanqi.exchange.models import Request, RequestType
from yipanqi.exchange.services import answer_request
from yipanqi.regions import rules
from yipanqi.workdays.services import add_working_days

pytestmark = pytest.mark.django_db

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
HUSBAND_HOME = "320102002"  # 江苏 南京 玄武区 梅园新村街道
ALL_DOCUMENTS = ["id_cards", "marriage_certificate", "status_certificate"]
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def _page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _shown_steps(html: str) -> list[tuple[str, dt.date | None]]:
    """(step text, due date shown) for each row of the steps table of a birth registration."""
    rows = re.findall(
        r'<tr class="step-\w+">\s*<td>(.*?)</td>.*?<td data-label="Due">(.*?)(?:<br>|</td>)',
        html,
        re.S,
    )
    out = []
    for what, due in rows:
        found = DAY.search(due)
        out.append((what.strip(), dt.date.fromisoformat(found.group()) if found else None))
    return out


def _birth_input(woman, key, order=1):
    return births.BirthInput(
        woman_id=woman.pk,
        husband_name="张伟",
        husband_home_code=HUSBAND_HOME,
        documents=list(ALL_DOCUMENTS),
        idempotency_key=key,
        child_order=order,
    )


def test_first_child_every_step_shows_the_stored_due_date(client, register_inflow, village_worker):
    """R-BIRTH-2: steps 1, 2, 3 and 5 each show the stored date (or the rule function's)."""
    woman = register_inflow().person
    nina = make_user("nina", "township_operator", NANSHAN_TOWNSHIP)
    hank = make_user("hank", "township_operator", HUSBAND_HOME)
    bob = make_user("bob", "township_operator", "510722101")
    registration = births.apply_first_child(
        _birth_input(woman, "walk-1"), acting_user=village_worker, now=at(dt.date(2026, 3, 3))
    )
    url = f"/births/{registration.pk}/"
    shown = _shown_steps(_page(client, village_worker, url))
    assert shown[0][1] == BirthRegistration.objects.get().ask_due_on
    assert "within 7 working days" in shown[0][0]

    births.ask_home_townships(
        registration.pk, acting_user=village_worker, now=at(dt.date(2026, 3, 4))
    )
    confirmations = list(Request.objects.filter(type=RequestType.BIRTH_CONFIRMATION).order_by("pk"))
    assert len(confirmations) == 2
    shown = _shown_steps(_page(client, village_worker, url))
    assert [d for w, d in shown if w.startswith("2.")] == [r.due_on for r in confirmations]
    for request in confirmations:
        assert f"within {request.deadline_days} working days" in shown[1][0]

    for request, user in zip(confirmations, (bob, hank), strict=True):
        answer_request(request.pk, answer="属实", acting_user=user, now=at(dt.date(2026, 3, 9)))
    registration.refresh_from_db()
    shown = _shown_steps(_page(client, village_worker, url))
    forward = next(d for w, d in shown if w.startswith("3."))
    expected, days = rules.due_for(
        "birth_forward", registration.unit_id, registration.unit_id, at(dt.date(2026, 3, 9))
    )
    assert forward == births.forward_due_on(registration) == expected.date
    assert days == 7

    births.forward_to_township(
        registration.pk,
        opinion="材料齐全",
        acting_user=village_worker,
        now=at(dt.date(2026, 3, 10)),
    )
    births.issue_registration(registration.pk, acting_user=nina, now=at(dt.date(2026, 3, 11)))
    registration.refresh_from_db()
    notices = list(Request.objects.filter(type=RequestType.BIRTH_NOTICE))
    assert len(notices) == 2
    shown = _shown_steps(_page(client, nina, url))
    notify = next(d for w, d in shown if w.startswith("5."))
    assert notify == registration.notify_due_on == max(r.due_on for r in notices)


def test_further_child_notice_due_is_the_one_the_page_shows(client, register_inflow):
    """R-BIRTH-3: the home side notifies the residence within 7 working days: the page says 7,
    and the request it sends is due on that very day (it was due in 15 before issue 12.4)."""
    woman = register_inflow().person
    bob = make_user("bob", "township_operator", "510722101")
    registration = births.register_at_home(
        _birth_input(woman, "walk-2", order=2), acting_user=bob, now=at(dt.date(2026, 5, 6))
    )
    notice = Request.objects.get(type=RequestType.BIRTH_NOTICE)
    assert notice.deadline_days == 7
    assert notice.due_on == add_working_days(at(dt.date(2026, 5, 6)), 7).date
    shown = _shown_steps(_page(client, bob, f"/births/{registration.pk}/"))
    assert shown[1][1] == notice.due_on == registration.notify_due_on
    assert "within 7 working days" in shown[1][0]
    request_page = _page(client, bob, f"/exchange/requests/{notice.pk}/")
    assert notice.due_on.isoformat() in request_page
    # The API tells the same step the same way.
    client.force_login(bob)
    api = client.get(f"/api/v1/births/registrations/{registration.pk}").json()
    assert api["steps"][1]["due_on"] == notice.due_on.isoformat()


def test_first_child_at_home_notice_due_in_15(client, register_inflow):
    """R-BIRTH-2 step 5 at the home side: 15 working days, on the page and on the request."""
    woman = register_inflow().person
    bob = make_user("bob", "township_operator", "510722101")
    registration = births.register_at_home(
        _birth_input(woman, "walk-3", order=1), acting_user=bob, now=at(dt.date(2026, 5, 6))
    )
    notice = Request.objects.get(type=RequestType.BIRTH_NOTICE)
    assert notice.deadline_days == 15
    shown = _shown_steps(_page(client, bob, f"/births/{registration.pk}/"))
    assert shown[1][1] == notice.due_on
    assert "within 15 working days" in shown[1][0]


def test_a_rule_set_change_moves_page_and_request_together(client, register_inflow, province_admin):
    """One rule set: the region's own parameter for the further-child notice is what both the
    request and the page use (R-REG-2: 四川–广东 is in 泛珠三角 only)."""
    from yipanqi.regions.models import Region

    woman = register_inflow().person
    region = Region.objects.get(code="pan-pearl")
    latest = region.rule_sets.order_by("-effective_from", "-id").first()
    rules.revise_rules(
        region,
        effective_from=dt.date(2026, 1, 1),
        deadlines={**latest.deadlines, "birth_notice_further": 5},
        acting_user=province_admin,
    )
    bob = make_user("bob", "township_operator", "510722101")
    registration = births.register_at_home(
        _birth_input(woman, "walk-4", order=3), acting_user=bob, now=at(dt.date(2026, 5, 6))
    )
    notice = Request.objects.get(type=RequestType.BIRTH_NOTICE)
    assert notice.deadline_days == 5
    shown = _shown_steps(_page(client, bob, f"/births/{registration.pk}/"))
    assert shown[1][1] == notice.due_on
    assert "within 5 working days" in shown[1][0]


def test_certificate_verification_and_interim_pages_show_the_stored_dates(
    client, register_inflow, village_worker, township_operator
):
    """R-CERT-3: the awaiting list shows the date the verification stores as due; R-CERT-4: the
    interim certificate's window and the notice it sends."""
    from yipanqi.certificates import services as certificates

    registration = register_inflow()
    woman = registration.person
    nina = make_user("nina", "township_operator", NANSHAN_TOWNSHIP)
    # Without a certificate: interim, 60 days, shown on the person page as stored.
    interim = certificates.issue_interim_certificate(woman.pk, acting_user=nina)
    person_page = _page(client, nina, f"/persons/{woman.pk}/")
    assert interim.window_ends_on.isoformat() in person_page
    assert interim.notice.due_on.isoformat() in _page(
        client, nina, f"/exchange/requests/{interim.notice_id}/"
    )
    certificate = certificates.issue_certificate(woman.pk, acting_user=township_operator)
    # R-CERT-2: the renewal the home side owes is due on the stored end of validity.
    from yipanqi.certificates import selectors

    renewal = [
        item
        for item in selectors.certificate_overview(woman, certificate.valid_until).next_due
        if certificate.number in item.what
    ]
    assert [item.due_on for item in renewal] == [certificate.valid_until]
    assert certificate.valid_until.isoformat() in _page(
        client, township_operator, f"/persons/{woman.pk}/"
    )
    overview = _page(client, village_worker, "/certificates/")
    due = certificates.verification_due(registration)
    assert f"due {due.isoformat()}" in overview
    verification = certificates.verify_certificate(certificate.pk, acting_user=village_worker)
    assert verification.due_on == due


def test_service_report_and_departure_show_their_request_due(
    client, register_inflow, village_worker
):
    """R-SVC-2 and R-REGN-6: the report page and the departure notice show the request's date."""
    from yipanqi.people.departures import record_departure

    registration = register_inflow()
    woman = registration.person
    report = report_services(woman, village_worker, key="walk-report")
    page = _page(client, village_worker, f"/services/reports/{report.pk}/")
    assert f"acknowledge by {report.request.due_on.isoformat()}" in page
    record_departure(
        registration, reason="returned_home", on=dt.date(2026, 6, 1), acting_user=village_worker
    )
    notice = Request.objects.get(type=RequestType.DEPARTURE_NOTICE)
    page = _page(client, village_worker, f"/exchange/requests/{notice.pk}/")
    assert notice.due_on.isoformat() in page
    assert f"{notice.deadline_days} working days" in page
