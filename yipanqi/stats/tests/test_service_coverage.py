"""R-STAT-1 service coverage (康检率): married women of childbearing age living here who had at
least one free check-up in the year, over all of them; target 98%. A year measure over distinct
stays, kept live by the transactions that register, record check-ups, change marital status and
close stays; equal to the same rate recomputed from the raw tables; on the dashboard, in the
drill-down within scope, the API, the exports, the annual report and the assessment."""

import datetime as dt
import io

import pytest
from django.db import transaction
from openpyxl import load_workbook

from conftest import NANSHAN_TOWNSHIP, NANSHAN_VILLAGE, SANTAI_VILLAGE, id_for, make_user
from yipanqi.ledger import counters
from yipanqi.ledger.models import StatCounter
from yipanqi.people import counted as people_counts
from yipanqi.people.counted import MARRIED
from yipanqi.people.models import MaritalStatus, Registration
from yipanqi.services.models import ServiceRecord
from yipanqi.stats.periods import parse_period
from yipanqi.stats.selectors import figures_for, get_place

from .conftest import BEIJING

pytestmark = pytest.mark.django_db

NEIGHBOUR_VILLAGE = "440305001003"  # 大新社区, the same township as 南头城社区
XUANWU_VILLAGE = "320102002001"  # 南京玄武区: 赵丽's home
TODAY = dt.date(2026, 11, 20)
LEVELS = ("", "44", "4403", "440305", NANSHAN_TOWNSHIP, NANSHAN_VILLAGE)
PLACES = [*LEVELS, NEIGHBOUR_VILLAGE, "51", SANTAI_VILLAGE, "32"]
PERIODS = ["2025", "2025-12", "2026", "2026-Q1", "2026-Q2", "2026-03", "2026-10", "2027"]


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=BEIJING)


def coverage(code: str, period: str):
    figures = figures_for(get_place(code), parse_period(period))
    return next(f for f in figures if f.rate.code == "service_coverage")


def pair(code: str, period: str) -> tuple[int, int]:
    figure = coverage(code, period)
    return figure.numerator, figure.denominator


@pytest.fixture
def neighbour(db):
    return make_user("nina", "village_worker", NEIGHBOUR_VILLAGE)


@pytest.fixture
def women(village_worker, neighbour):
    """Inflow registrations through the real service (home 三台县 unless said otherwise)."""
    from yipanqi.people.services import RegistrationInput, register

    def woman(seq, name, arrival, *, user=None, today=None, **overrides):
        data = {
            "id_number": id_for(seq=seq),
            "name": name,
            "home_code": SANTAI_VILLAGE,
            "residence_code": NANSHAN_VILLAGE,
            "arrival_date": arrival,
            "reason": "work",
            "marital_status": "first_marriage",
            "received_on": arrival + dt.timedelta(days=2),
        }
        data.update(overrides)
        return register(
            RegistrationInput(**data),
            kind="inflow",
            acting_user=user or village_worker,
            today=today or arrival + dt.timedelta(days=2),
        )

    found = {
        "lina": woman(11, "李娜", dt.date(2026, 3, 2)),
        "wangfang": woman(12, "王芳", dt.date(2026, 5, 1)),
        "zhangmin": woman(13, "张敏", dt.date(2026, 2, 1), marital_status="unmarried"),
        # 49 on 31 December 2026, 50 in 2027 (R-JUR-3: women 18-49)
        "chenjing": woman(
            14, "陈静", dt.date(2026, 1, 15), id_number=id_for(birth=dt.date(1977, 6, 1), seq=14)
        ),
        "liuyang": woman(15, "刘洋", dt.date(2025, 11, 1)),
        "zhaoli": woman(
            16,
            "赵丽",
            dt.date(2026, 7, 1),
            user=neighbour,
            residence_code=NEIGHBOUR_VILLAGE,
            home_code=XUANWU_VILLAGE,
            id_number=id_for(area="320102", seq=16),
        ),  # fmt: skip
    }
    # A husband (R-JUR-3: registered as 李娜's spouse): men are not in the measure.
    found["zhouqiang"] = woman(
        17,
        "周强",
        dt.date(2026, 3, 2),
        id_number=id_for(seq=17, sex="M"),
        spouse_id=found["lina"].person_id,
    )
    return found


@pytest.fixture
def record(village_worker):
    from yipanqi.services.services import ServiceInput, record_service

    def _record(registration, day, *, service="reproductive_checkup", charge=0, user=None,
                recorded=None):  # fmt: skip
        return record_service(
            ServiceInput(
                person_id=registration.person_id, service_type=service, given_on=day,
                provider="南头街道计生服务站", amount_charged=charge,
            ),
            acting_user=user or village_worker, now=at(recorded or day),
        ).record  # fmt: skip

    return _record


@pytest.fixture
def checked(women, record, neighbour, village_worker, township_operator):
    """Check-ups, charged and free, twice in a year, backdated, and a marriage recorded when
    张敏's certificate is verified (R-CERT-3)."""
    from yipanqi.certificates.services import issue_certificate, verify_certificate

    w = women
    record(w["lina"], dt.date(2026, 4, 10))
    record(w["lina"], dt.date(2026, 9, 1))  # her second of the year: counted once
    record(w["wangfang"], dt.date(2026, 6, 1), charge=30)  # charged: not free (R-SVC-1)
    record(w["wangfang"], dt.date(2026, 6, 2), service="extended_gynaecological_exam")
    record(w["zhangmin"], dt.date(2026, 5, 10))  # unmarried when given
    record(w["liuyang"], dt.date(2025, 12, 1))
    record(w["liuyang"], dt.date(2026, 2, 1))
    record(w["zhaoli"], dt.date(2026, 8, 8), user=neighbour)
    record(w["zhouqiang"], dt.date(2026, 4, 1))
    certificate = issue_certificate(
        w["zhangmin"].person_id, acting_user=township_operator, now=at(dt.date(2026, 6, 20))
    )
    verify_certificate(
        certificate.pk, verified_on=dt.date(2026, 7, 1), marital_status="first_marriage",
        acting_user=village_worker, now=at(dt.date(2026, 7, 1)),
    )  # fmt: skip
    # recorded in October, given on 20 March: her first check-up of 2026 is now in March
    record(w["lina"], dt.date(2026, 3, 20), recorded=dt.date(2026, 10, 5))
    return w


def independent(code: str, period_text: str) -> tuple[int, int]:
    """The rate from the raw tables, without the stats code: married women 18-49 (on 31
    December) whose inflow registration here was open on a day from 1 January to the end of
    the period, and those of them given a free check-up on the free list during that stay."""
    period = parse_period(period_text)
    first, last = dt.date(period.start.year, 1, 1), period.end - dt.timedelta(days=1)
    stays = []
    for r in Registration.objects.filter(kind="inflow").select_related("person"):
        p = r.person
        age = period.start.year - p.birth_date.year
        until = min(last, r.closed_on or last)
        if (
            r.residence_id.startswith(code)
            and p.sex == "F"
            and p.marital_status in (MaritalStatus.FIRST_MARRIAGE, MaritalStatus.REMARRIED)
            and 18 <= age <= 49
            and max(first, r.arrival_date) <= until
        ):
            stays.append((r, max(first, r.arrival_date), until))
    checkups = [
        s
        for s in ServiceRecord.objects.select_related("service_type")
        if s.service_type.category == "checkup" and s.service_type.basic and s.amount_charged == 0
    ]
    served = sum(
        any(
            s.person_id == r.person_id
            and r.residence_id.startswith(s.unit_id)
            and start <= s.given_on <= until
            for s in checkups
        )
        for r, start, until in stays
    )
    return served, len(stays)


def test_r_stat_1_coverage_equals_the_raw_recount_at_every_level_and_period(checked):
    for code in PLACES:
        for period in PERIODS:
            assert pair(code, period) == independent(code, period), (code, period)
    assert counters.check().ok


def test_r_stat_1_the_world_has_the_figures_it_was_built_for(checked):
    # 李娜, 张敏 (married at verification), 刘洋, 赵丽 served; 王芳 only charged or off the
    # free list; 陈静 none. The husband is not counted.
    figure = coverage("440305", "2026")
    assert (figure.numerator, figure.denominator) == (4, 6)
    assert figure.target.value == 98.0 and figure.meets is False
    assert figure.target_text == "≥ 98%"
    assert pair(NANSHAN_VILLAGE, "2026") == (3, 5)
    assert pair(NEIGHBOUR_VILLAGE, "2026") == (1, 1)
    assert pair("440305", "2025") == (1, 1)  # 刘洋 arrived in November 2025, checked in December
    # the first quarter: 李娜 (20 March, recorded late), 刘洋 (February) of 李娜, 张敏, 陈静, 刘洋
    assert pair("440305", "2026-Q1") == (2, 4)
    assert coverage("440305", "2026-Q1").since is None
    assert coverage("440305", "2026-Q2").since == dt.date(2026, 1, 1)  # the year so far
    # 2027: the stays still open count without any event; 陈静 is 50 and no longer counted
    assert pair("440305", "2027") == (0, 5)
    # the home side has no inflow women
    assert pair("510722", "2026") == (0, 0)


def test_r_stat_1_a_check_up_shows_at_every_level_on_the_next_read(women, record):
    before = {code: pair(code, "2026") for code in LEVELS}

    record(women["wangfang"], dt.date(2026, 11, 2))

    for code in LEVELS:
        numerator, denominator = pair(code, "2026")
        assert (numerator, denominator) == (before[code][0] + 1, before[code][1]), code
    assert pair(NANSHAN_VILLAGE, "2026-11") == (1, 4)  # 张敏 is not married


def test_r_stat_1_a_second_check_up_of_the_year_does_not_count_twice(women, record):
    record(women["lina"], dt.date(2026, 4, 10))
    once = pair("440305", "2026")

    record(women["lina"], dt.date(2026, 9, 1))
    record(women["lina"], dt.date(2026, 9, 1))

    assert pair("440305", "2026") == once
    assert pair("440305", "2026-Q3") == once
    # a check-up in the next year counts in that year
    assert (
        StatCounter.objects.get(
            division_code="", metric="cov.checked", period_start=dt.date(2026, 4, 1)
        ).value
        == 1
    )
    assert counters.check().ok


def test_r_stat_1_an_earlier_check_up_recorded_later_moves_her_to_its_month(women, record):
    record(women["lina"], dt.date(2026, 4, 10))
    assert pair("440305", "2026-03") == (0, 3)  # 李娜, 陈静, 刘洋 (张敏 is not married)

    record(women["lina"], dt.date(2026, 3, 20), recorded=dt.date(2026, 10, 5))

    assert pair("440305", "2026-03") == (1, 3)
    assert pair("440305", "2026") == (1, 5)
    assert counters.check().ok


def test_r_stat_1_charged_or_off_list_check_ups_are_not_free_check_ups(women, record):
    record(women["wangfang"], dt.date(2026, 6, 1), charge=30)
    record(women["wangfang"], dt.date(2026, 6, 2), service="extended_gynaecological_exam")
    record(women["wangfang"], dt.date(2026, 6, 3), service="condoms")

    assert pair(NANSHAN_VILLAGE, "2026") == (0, 4)
    free_service = next(
        f for f in figures_for(get_place(NANSHAN_VILLAGE), parse_period("2026"))
        if f.rate.code == "free_service_rate"
    )  # fmt: skip
    assert (free_service.numerator, free_service.denominator) == (1, 2)


def test_r_cert_3_a_marriage_recorded_at_verification_moves_her_into_the_measure(
    women, record, township_operator, village_worker
):
    from yipanqi.certificates.services import issue_certificate, verify_certificate

    record(women["zhangmin"], dt.date(2026, 5, 10))
    before = {code: pair(code, "2026") for code in LEVELS}
    certificate = issue_certificate(
        women["zhangmin"].person_id, acting_user=township_operator, now=at(dt.date(2026, 6, 20))
    )

    verify_certificate(
        certificate.pk, verified_on=dt.date(2026, 7, 1), marital_status="remarried",
        acting_user=village_worker, now=at(dt.date(2026, 7, 1)),
    )  # fmt: skip

    for code in LEVELS:
        assert pair(code, "2026") == (before[code][0] + 1, before[code][1] + 1), code
    verify_certificate(
        certificate.pk, verified_on=dt.date(2026, 8, 1), marital_status="divorced",
        acting_user=village_worker, now=at(dt.date(2026, 8, 1)),
    )  # fmt: skip
    assert pair("440305", "2026") == before["440305"]
    assert counters.check().ok


def test_r_regn_6_a_closed_stay_counts_to_its_last_day_and_not_after(women, record):
    """people.counted.registration_closed: what the services closing a registration call with it."""
    stay = women["liuyang"]
    record(stay, dt.date(2026, 8, 1))

    with transaction.atomic():
        Registration.objects.filter(pk=stay.pk).update(
            status="closed", closed_on=dt.date(2026, 6, 30), close_reason="moved_on"
        )
        stay.refresh_from_db()
        people_counts.registration_closed(stay)

    # she lived here until 30 June: in the 2026 measure, but August is after her stay
    assert pair("440305", "2026") == (0, 5)
    assert pair("440305", "2027") == (0, 3)  # 李娜, 王芳, 赵丽: 陈静 aged out
    assert counters.check().ok


def test_r_regn_6_a_departure_recorded_by_the_residence_keeps_coverage_live(women, village_worker):
    from yipanqi.people.departures import record_departure

    record_departure(
        women["liuyang"], reason="moved_on", on=dt.date(2026, 6, 30),
        acting_user=village_worker, today=TODAY,
    )  # fmt: skip

    assert counters.check().ok


def test_r_regn_6_registering_her_again_elsewhere_keeps_coverage_live(women, neighbour):
    from yipanqi.people.services import RegistrationInput, register

    register(
        RegistrationInput(
            id_number=id_for(seq=13), name="张敏", home_code=SANTAI_VILLAGE,
            residence_code=NEIGHBOUR_VILLAGE, arrival_date=dt.date(2026, 10, 1), reason="work",
            marital_status="first_marriage", received_on=dt.date(2026, 10, 2),
        ),
        kind="inflow", acting_user=neighbour, today=dt.date(2026, 10, 2),
    )  # fmt: skip

    assert counters.check().ok


def test_r_stat_1_recount_rebuilds_the_same_coverage_counters(checked):
    metrics = ["cov.women", "cov.ended", "cov.checked"]
    live = set(
        StatCounter.objects.filter(metric__in=metrics)
        .exclude(value=0)
        .values_list("division_code", "metric", "period_start", "value")
    )

    report = counters.recount("cov.checked")
    counters.recount("cov.women")
    counters.recount("cov.ended")

    assert report.families == ["coverage_checkups"]
    rebuilt = set(
        StatCounter.objects.filter(metric__in=metrics).values_list(
            "division_code", "metric", "period_start", "value"
        )
    )
    assert rebuilt == live and len(live) > 20
    # a stay stops counting at the end of the year she turns 49 while still here: 陈静, 2026
    assert ("", "cov.ended", dt.date(2026, 12, 1), 1) in live
    assert counters.check().ok


def test_the_married_statuses_are_the_registry_s():
    assert set(MARRIED) == MaritalStatus.married()


# --- pages, drill-down, API, exports, report, assessment ---------------------------------------


def _names(response) -> set[str]:
    return {r.person.name for r in response.context["page"].object_list}


def test_r_stat_4_dashboard_shows_coverage_with_its_target_and_the_persons_behind_it(
    checked, province_admin, client
):
    client.force_login(province_admin)

    page = client.get("/stats/", {"at": "440305", "period": "2026", "rate": "service_coverage"})

    assert page.status_code == 200
    figure = page.context["board"].figures_by_code()["service_coverage"]
    assert (figure.numerator, figure.denominator, figure.target.value) == (4, 6, 98.0)
    row = next(r for r in page.context["board"].rows if r.place.code == NANSHAN_TOWNSHIP)
    assert (
        row.figure("service_coverage").numerator,
        row.figure("service_coverage").denominator,
    ) == (4, 6)
    html = page.content.decode()
    assert "rate=service_coverage&amp;part=gap" in html
    trend = dict(page.context["board"].trend)
    assert (trend[dt.date(2026, 3, 1)].numerator, trend[dt.date(2026, 3, 1)].denominator) == (2, 4)
    assert (trend[dt.date(2026, 12, 1)].numerator, trend[dt.date(2026, 12, 1)].denominator) == (
        4,
        6,
    )

    query = {"at": "440305", "period": "2026", "rate": "service_coverage"}
    numerator = client.get("/stats/drill/", {**query, "part": "numerator"})
    denominator = client.get("/stats/drill/", {**query, "part": "denominator"})
    gap = client.get("/stats/drill/", {**query, "part": "gap"})

    assert _names(numerator) == {"李娜", "张敏", "刘洋", "赵丽"}
    assert _names(denominator) == {"李娜", "王芳", "张敏", "陈静", "刘洋", "赵丽"}
    assert _names(gap) == {"王芳", "陈静"}
    first = {r.person.name: r.counted_on for r in numerator.context["page"].object_list}
    assert first["李娜"] == dt.date(2026, 3, 20) and first["刘洋"] == dt.date(2026, 2, 1)
    assert "First free check-up of the year" in numerator.content.decode()


def test_r_acc_2_the_persons_behind_coverage_are_limited_to_the_user_s_scope(
    checked, township_operator, other_county_admin, client
):
    query = {"at": "440305", "period": "2026", "rate": "service_coverage", "part": "denominator"}
    client.force_login(township_operator)  # 三台县: the home of all but 赵丽
    assert _names(client.get("/stats/drill/", query)) == {"李娜", "王芳", "张敏", "陈静", "刘洋"}
    client.force_login(other_county_admin)  # 南京玄武区: 赵丽's home
    assert _names(client.get("/stats/drill/", query)) == {"赵丽"}
    # the figure itself is the same for both (aggregates are shown at every level)
    assert (
        client.get("/stats/", query)
        .context["board"]
        .figures_by_code()["service_coverage"]
        .denominator
        == 6
    )


def test_r_stat_1_coverage_by_api_with_the_persons_behind_it(checked, province_admin, client):
    from .test_api import api

    c = api(type(client), province_admin)

    rates = c.get("/api/v1/stats/rates", {"at": "440305", "period": "2026-Q3"}).json()["rates"]
    drill = c.get(
        "/api/v1/stats/drill",
        {"at": "440305", "period": "2026", "rate": "service_coverage", "part": "gap"},
    )
    bad = c.get("/api/v1/stats/drill", {"at": "440305", "rate": "service_coverage", "part": "x"})

    found = next(r for r in rates if r["code"] == "service_coverage")
    assert (found["numerator"], found["denominator"], found["window"]) == (4, 6, "year")
    assert found["target"]["value"] == 98.0 and found["since"] == "2026-01-01"
    assert drill.status_code == 200
    assert {r["person_name"] for r in drill.json()["results"]} == {"王芳", "陈静"}
    assert bad.status_code == 422


def test_r_stat_1_coverage_in_the_xlsx_export_the_annual_report_and_the_assessment(
    checked, province_admin, client
):
    client.force_login(province_admin)

    export = client.get("/stats/export.xlsx", {"at": "4403", "period": "2026"})
    report = client.get("/stats/report/", {"at": "44", "year": "2026", "format": "xlsx"})
    card = client.get("/stats/assessment/", {"at": "440305", "period": "2026"}).context["card"]

    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    column = header.index("Service coverage (free check-ups) (%)")
    nanshan = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "440305")
    assert nanshan[column - 2 : column + 2] == (4, 6, 66.67, "≥ 98%")
    summary = load_workbook(io.BytesIO(report.content)).worksheets[0]
    rows = {r[0]: r for r in summary.iter_rows(min_row=2, values_only=True)}
    assert rows["Service coverage (free check-ups)"][2:6] == (4, 6, 66.67, "≥ 98%")
    months = load_workbook(io.BytesIO(report.content))["By month"]
    header = [c.value for c in months[1]]
    march = next(r for r in months.iter_rows(min_row=2, values_only=True) if r[0] == "2026-03")
    at_numerator = header.index("Service coverage (free check-ups): numerator")
    assert march[at_numerator : at_numerator + 2] == (2, 4)  # the year so far, to 31 March
    items = {str(i.label): i for s in card.sections for i in s.items}
    item = items["Married women aged 18–49 living here without a free check-up this year"]
    assert (item.failures, item.cases) == (2, 6)
    assert "part=gap" in item.drill


def test_r_stat_3_the_annual_report_pdf_lists_coverage(checked):
    from django.utils import translation

    from yipanqi.stats.report import annual_report, report_pdf

    from .test_report import _pdf_text

    with translation.override("zh-hans"):
        report = annual_report(jurisdiction="44", year=2026)
        text = _pdf_text(report_pdf(report))

    figure = next(f for f in report.figures if f.rate.code == "service_coverage")
    assert (figure.numerator, figure.denominator) == (4, 6)
    assert "康检率" in text and "66.7%" in text


def test_r_stat_1_the_stats_command_finds_and_repairs_counters_that_drifted(checked):
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("stats", "check", "--metric", "cov.women", stdout=out)
    assert "all equal" in out.getvalue()
    counters.bump("cov.women", NANSHAN_VILLAGE, dt.date(2026, 3, 1), 1)

    with pytest.raises(CommandError, match="yipanqi stats recount"):
        call_command("stats", "check", stdout=(out := io.StringIO()))
    assert f"cov.women - {NANSHAN_VILLAGE} 2026-03-01: expected 1, counted 2" in out.getvalue()
    call_command("stats", "recount", "--metric", "coverage", stdout=(out := io.StringIO()))
    assert "coverage_stays, coverage_stays_ended, coverage_checkups" in out.getvalue()
    call_command("stats", "check", stdout=io.StringIO())
    with pytest.raises(CommandError, match="neither a metric nor a family"):
        call_command("stats", "check", "--metric", "nonsense")
