"""Issue 12.11: the village and township home page is the unit's to-do list, each duty with its
due date in working days, most urgent first, one tap to the page where it is done."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from conftest import NANSHAN_VILLAGE, SANTAI_TOWNSHIP, SANTAI_VILLAGE, id_for, make_user
from yipanqi.workdays.services import working_days_left


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def duties(register_inflow, township_operator):
    """A woman who arrived 25 days ago (due this week), one who arrived 100 days ago (both unverified,
    R-CERT-3), and a request from her home township the village owes an answer to (R-EX-4)."""
    from yipanqi.exchange.services import send_request

    today = timezone.localdate()
    new = register_inflow(name="新来的", arrival_date=today - dt.timedelta(days=25)).person
    old = register_inflow(
        id_number=id_for(seq=41), name="早来的", arrival_date=today - dt.timedelta(days=100),
        phone="",
    ).person  # fmt: skip
    request = send_request(
        "co_investigation",
        sender_code=SANTAI_TOWNSHIP,
        receiver_code=NANSHAN_VILLAGE,
        acting_user=township_operator,
        idempotency_key="todo-1",
        persons=[old],
        payload={"question": "Is she still living with you?"},
        subject="Is she still living with you?",
    )
    return new, old, request


def test_r_cert_3_village_home_lists_what_is_due_most_urgent_first(client, village_worker, duties):
    new, old, request = duties
    today = timezone.localdate()
    client.force_login(village_worker)
    html = client.get("/").content.decode()
    assert "To do" in html
    # R-CERT-3: the one still to be done in time this week before the long-overdue one
    assert html.index("新来的") < html.index("早来的")
    left = working_days_left(new.registrations.get().arrival_date + dt.timedelta(days=30), today)
    assert 0 < left.days <= 5
    assert f"{left.days} working day" in html
    late = -working_days_left(
        old.registrations.get().arrival_date + dt.timedelta(days=30), today
    ).days
    assert f"{late} working days overdue" in html
    # one tap: the woman without a certificate opens her page at the certificate panel
    assert f'href="/persons/{new.pk}/#certificate"' in html
    # R-EX-1: the request the village owes, linked to the page where it is answered
    assert f'href="/exchange/requests/{request.pk}/"' in html
    assert "R-" not in html.split('id="todo"')[1].split("</section>")[0]


def test_one_kind_at_a_time_keeps_the_filter_in_the_url(client, village_worker, duties):
    new, old, request = duties
    client.force_login(village_worker)
    html = client.get("/?todo=request").content.decode()
    todo = html.split('id="todo"')[1].split("</section>")[0]
    assert f"/exchange/requests/{request.pk}/" in todo
    assert "新来的" not in todo


def test_r_ex_3_county_sees_only_what_is_overdue_in_its_area(client, duties):
    new, old, request = duties
    client.force_login(make_user("carl", "county_admin", NANSHAN_VILLAGE[:6]))
    html = client.get("/").content.decode()
    todo = html.split('id="todo"')[1].split("</section>")[0]
    assert "Overdue in your area" in todo
    assert "早来的" in todo and "新来的" not in todo


def test_nothing_to_do_says_so(client, township_operator):
    client.force_login(make_user("tina", "village_worker", SANTAI_VILLAGE))
    html = client.get("/").content.decode()
    assert "Nothing to do: every duty of your unit is done." in html


def test_auditor_home_has_no_list(client, auditor):
    client.force_login(auditor)
    assert 'id="todo"' not in client.get("/").content.decode()


def test_the_api_gives_the_same_list(village_worker, auditor, duties):
    """Issue 12.11 through the API: GET /api/v1/todo, most urgent first, with working days."""
    from django.test import Client

    from yipanqi.accounts.models import ApiToken

    new, old, request = duties
    _token, key = ApiToken.issue(village_worker)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    body = api.get("/api/v1/todo").json()
    assert body["count"] == 3 and body["counts"]["verify"] == 2
    first = body["results"][0]
    assert first["who"] == "新来的" and 0 <= first["working_days_left"] <= 5
    assert first["url"].endswith(f"/persons/{new.pk}/#certificate")
    only = api.get("/api/v1/todo", {"kind": "request"}).json()
    assert [r["url"].rsplit("/", 2)[-2] for r in only["results"]] == [str(request.pk)]
    assert api.get("/api/v1/todo", {"kind": "quota"}).status_code == 422

    _token, key = ApiToken.issue(auditor)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/todo").status_code == 403
