"""The server-rendered pages: Chinese by default, registering and finding persons, P5 on the web.

Given the standard cast (conftest.py), when a page is requested through Django's test client,
then what a clerk sees is checked: language, counts, the kept form values, audit rows, headers.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from conftest import NANSHAN_VILLAGE, SANTAI_VILLAGE, id_for
from yipanqi.audit.models import AuditEvent
from yipanqi.people.models import Person
from yipanqi.people.services import RegistrationInput, register

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-9"  # conftest.make_user


def _form(**overrides):
    data = {
        "id_number": id_for(seq=88),
        "name": "李秀梅",
        "phone": "13800138001",
        "home_code": SANTAI_VILLAGE,
        "residence_code": NANSHAN_VILLAGE,
        "arrival_date": "2026-03-02",
        "reason": "work",
        "marital_status": "first_marriage",
        "received_on": "",
    }
    data.update(overrides)
    return data


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _html(response) -> str:
    return response.content.decode()


# --- language ---------------------------------------------------------------------------------


def test_p1_login_page_is_in_chinese_by_default():
    """P1 (serve people in their language): without any preference the login page is Simplified
    Chinese: <html lang="zh-hans">, the button says 登录, and it has the log-in form."""
    response = Client().get("/login/")

    html = _html(response)
    assert response.status_code == 200
    assert re.search(r'<html lang="zh-hans">', html)
    assert "登录" in html
    assert 'name="username"' in html
    assert 'type="password" name="password"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_p1_english_switch_through_set_language():
    """P1: posting language=en to /i18n/setlang/ switches the pages to English (lang="en")."""
    client = Client()

    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    response = client.get("/login/")

    assert switched.status_code == 302
    assert switched["Location"] == "/login/"
    html = _html(response)
    assert '<html lang="en">' in html
    assert "Log in" in html
    assert "登录" not in html


def test_p1_browser_language_does_not_override_chinese():
    """P1: a borrowed browser set to English still gets Chinese until the user chooses English;
    the response says which language it is in."""
    response = Client(headers={"accept-language": "en-US,en;q=0.9"}).get("/login/")

    assert '<html lang="zh-hans">' in _html(response)
    assert response["Content-Language"] == "zh-hans"


def test_r_acc_1_log_in_with_password_goes_home(village_worker):
    """R-ACC-1: the village worker logs in with user name and password and lands on the home
    page of their own jurisdiction; a wrong password re-renders the form with a plain message."""
    client = Client()

    wrong = client.post("/login/", {"username": "alice", "password": "nope"})
    right = client.post("/login/", {"username": "alice", "password": PASSWORD}, follow=True)

    assert wrong.status_code == 200
    assert 'value="alice"' in _html(wrong)  # the typed user name is kept
    assert right.redirect_chain[0] == ("/", 302)
    assert "南头城社区" in _html(right)


# --- home page ------------------------------------------------------------------------------


def test_r_regn_1_home_page_counts_per_jurisdiction(
    register_inflow, village_worker, township_operator, other_county_admin
):
    """R-REGN-1 / R-REGN-2 / R-ACC-2: an inflow registered in 南山 counts as inflow at 南山; the
    outflow registered by 三台 counts as outflow at 三台; 玄武区 counts nothing."""
    person = register_inflow().person
    register(
        RegistrationInput(
            id_number=id_for(),
            name=person.name,
            home_code=SANTAI_VILLAGE,
            residence_code=NANSHAN_VILLAGE,
            arrival_date=person.registrations.get().arrival_date,
            reason="work",
            marital_status="first_marriage",
        ),
        kind="outflow",
        acting_user=township_operator,
    )

    nanshan = _logged_in(village_worker).get("/")
    santai = _logged_in(township_operator).get("/")
    xuanwu = _logged_in(other_county_admin).get("/")

    assert nanshan.context["counts"] == {"inflow": 1, "outflow": 0}
    assert santai.context["counts"] == {"inflow": 0, "outflow": 1}
    assert xuanwu.context["counts"] == {"inflow": 0, "outflow": 0}
    assert "南山区" in _html(nanshan)  # the jurisdiction's path is the page heading
    assert "三台县" in _html(santai)
    assert person.name in _html(santai)  # recently updated, seen by the home side (P3)
    assert person.name not in _html(xuanwu)


def test_r_regn_6_home_page_counts_only_open_stays_at_every_level(register_inflow, village_worker):
    """The counts come from the statistics counters (R-STAT-1): the nation and the province
    count the same stay as the village, and a recorded departure (R-REGN-6) takes it out."""
    import datetime as dt

    from conftest import make_user
    from yipanqi.ledger import counters
    from yipanqi.people.departures import record_departure

    registration = register_inflow()
    nation = make_user("nina", "national_admin", None)
    province = make_user("pia", "province_admin", "44")
    counted = [_logged_in(u).get("/").context["counts"] for u in (village_worker, province, nation)]

    record_departure(
        registration, reason="returned_home", on=dt.date.today(), acting_user=village_worker
    )

    after = [_logged_in(u).get("/").context["counts"] for u in (village_worker, province, nation)]
    assert counted == [{"inflow": 1, "outflow": 0}] * 3
    assert after == [{"inflow": 0, "outflow": 0}] * 3
    assert counters.check().ok


def test_r_acc_1_auditor_home_page_has_no_person_counts(auditor):
    """R-ACC-1 (三员分立): the auditor's home page shows no person counts and says why."""
    response = _logged_in(auditor).get("/")

    assert response.status_code == 200
    assert "counts" not in response.context
    assert "流入人员" not in _html(response)


# --- registering through the form ----------------------------------------------------------


def test_r_regn_1_register_inflow_through_the_form(village_worker):
    """R-REGN-1 / P5: the village worker posts the inflow form and is redirected to the person
    page, which shows the whole ID number, the registration and the history; registering and
    showing the page are both written to the audit trail."""
    client = _logged_in(village_worker)
    form = client.get("/register/inflow/")

    response = client.post("/register/inflow/", _form())

    assert form.status_code == 200
    assert f'value="{NANSHAN_VILLAGE}"' in _html(form)  # residence prefilled with mine
    person = Person.objects.get(name="李秀梅")
    assert response.status_code == 302
    assert response["Location"] == f"/persons/{person.pk}/"
    page = client.get(response["Location"])
    html = _html(page)
    assert page.status_code == 200
    assert id_for(seq=88) in html
    assert "13800138001" in html
    assert "登记成功" in html  # the success message, in Chinese
    assert "历史记录" in html
    assert html.count("<li><time>") == 1  # one history row: registered as inflow
    actions = set(
        AuditEvent.objects.filter(actor=village_worker, person_id=person.pk).values_list(
            "action", flat=True
        )
    )
    assert actions == {"person_create", "person_view"}
    view = AuditEvent.objects.get(actor=village_worker, action="person_view")
    assert view.channel == "web"
    assert id_for(seq=88) not in str(view.detail)


def test_r_regn_1_rejected_registration_keeps_what_was_typed(village_worker):
    """R-REGN-1 / P1: an ID number with a wrong check digit re-renders the form with every typed
    value kept and a plain-language Chinese error; nobody is registered."""
    good = id_for(seq=88)
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    client = _logged_in(village_worker)

    response = client.post(
        "/register/inflow/", _form(id_number=wrong, dwelling_code="440305001003")
    )

    html = _html(response)
    assert response.status_code == 200
    assert "身份证号码校验不通过" in html
    for kept in (
        f'value="{wrong}"',
        'value="李秀梅"',
        'value="13800138001"',
        f'value="{SANTAI_VILLAGE}"',
        f'value="{NANSHAN_VILLAGE}"',
        'value="2026-03-02"',
        'value="440305001003"',
        '<option value="work" selected>',
        '<option value="first_marriage" selected>',
    ):
        assert kept in html, f"lost {kept} after the rejection"
    assert "潼川镇" in html  # the home place's label is shown again too
    assert not Person.objects.exists()


def test_r_jur_3_same_county_is_refused_with_a_plain_reason(village_worker):
    """R-JUR-3: home and residence in the same county is not migration; the form says so in
    plain words at the top and keeps the values."""
    response = _logged_in(village_worker).post("/register/inflow/", _form(home_code="440305001003"))

    html = _html(response)
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert 'value="440305001003"' in html
    assert 'value="李秀梅"' in html
    assert not Person.objects.exists()


def test_r_acc_1_county_admin_cannot_register(other_county_admin):
    """R-ACC-1: only village and township staff register; a county admin is sent home."""
    client = _logged_in(other_county_admin)

    response = client.post("/register/inflow/", _form(residence_code="320102001001"), follow=True)

    assert response.redirect_chain[0] == ("/", 302)
    assert not Person.objects.exists()


# --- finding a person ------------------------------------------------------------------------


def test_p5_search_by_id_number_is_posted_never_in_the_url(register_inflow, township_operator):
    """P5 (issue 12.13): the ID lookup posts the ID number and answers with a redirect to the
    person's page, whose address carries only the person's id; an ID number put in the query
    string is not used for searching."""
    person = register_inflow().person
    client = _logged_in(township_operator)

    form = client.get("/persons/")
    found = client.post("/persons/", {"id_number": id_for().lower()})
    by_query = client.get("/persons/", {"id_number": id_for()})

    assert re.search(r'<form method="post"', _html(form))
    assert found.status_code == 302
    assert found["Location"] == f"/persons/{person.pk}/"
    html = _html(client.get(found["Location"]))
    assert person.name in html
    hrefs = re.findall(r'(?:href|action)="([^"]*)"', _html(form) + html)
    assert not [h for h in hrefs if id_for() in h or id_for()[-6:] in h]
    assert person.name not in _html(by_query)
    search_rows = AuditEvent.objects.filter(action="person_search", actor=township_operator)
    assert search_rows.count() == 1
    assert id_for() not in str(search_rows.get().detail)


def test_r_acc_2_search_by_name_stays_in_scope(register_inflow, other_county_admin):
    """R-ACC-2 / P1: 玄武区 searching by the person's name is told plainly it found nobody."""
    register_inflow()

    response = _logged_in(other_county_admin).get("/persons/", {"name": "王芳"})

    assert response.status_code == 200
    assert "没有找到人员" in _html(response)


# --- headers and assets ----------------------------------------------------------------------


def test_p5_person_page_is_never_cached(register_inflow, village_worker):
    """P5: the page with the whole ID number tells browsers and proxies not to store it."""
    person = register_inflow().person

    response = _logged_in(village_worker).get(f"/persons/{person.pk}/")

    cache_control = {v.strip() for v in response["Cache-Control"].split(",")}
    assert response.status_code == 200
    assert {"no-store", "no-cache", "private"} <= cache_control


_ASSET = re.compile(r"<(?:script|link)\b[^>]*?\b(?:src|href)=\"([^\"]+)\"", re.IGNORECASE)


def test_p1_every_page_uses_local_assets_only(register_inflow, village_worker):
    """P1 (works on a county intranet): no rendered page loads a script or stylesheet from
    another host; each one it does load is served by the project itself."""
    person = register_inflow().person
    client = _logged_in(village_worker)
    pages = [
        "/",
        "/persons/",
        "/register/inflow/",
        "/register/outflow/",
        f"/persons/{person.pk}/",
        "/tokens/",
    ]
    assets = set()

    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        found = _ASSET.findall(_html(response))
        assert found, f"{url} loads no assets at all?"
        external = [a for a in found if urlsplit(a).netloc or a.startswith(("http:", "https:"))]
        assert not external, f"{url} loads {external}"
        assets.update(found)
    assets.update(_ASSET.findall(_html(Client().get("/login/"))))

    for asset in sorted(assets):
        fetched = client.get(asset)
        assert fetched.status_code == 200, asset
