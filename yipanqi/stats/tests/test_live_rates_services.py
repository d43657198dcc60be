"""R-STAT-1 certificate issuance, verification and free-service rates and R-STAT-5 sex ratio
at birth: live figures equal the raw recount after real certificate, verification, service and
birth-report calls; the ratio is flagged outside 103–107 with the counts behind it."""

import datetime as dt

import pytest

from conftest import NANSHAN_VILLAGE, SANTAI_VILLAGE
from yipanqi.births.models import BirthReport
from yipanqi.certificates.models import Certificate, Verification
from yipanqi.ledger import counters
from yipanqi.people.models import Registration
from yipanqi.services.models import ServiceRecord
from yipanqi.stats.periods import parse_period
from yipanqi.stats.selectors import figures_for, get_place

from .conftest import BEIJING

pytestmark = pytest.mark.django_db

PLACES = ["", "44", "4403", "440305", "440305001", NANSHAN_VILLAGE, "51", "510722", SANTAI_VILLAGE]
PERIODS = ["2026", "2026-Q3", "2026-Q4", "2026-08", "2026-09", "2026-10"]


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=BEIJING)


@pytest.fixture
def services_world(world, village_worker, township_operator):
    from yipanqi.births.services import BirthReportInput, report_birth
    from yipanqi.certificates.services import (
        issue_certificate,
        revoke_certificate,
        verify_certificate,
    )
    from yipanqi.services.services import ServiceInput, record_service

    persons = [r.person for r in world["inflow"]] + [world["outflow"][1].person]
    certificates = {
        n: issue_certificate(
            persons[n].pk, acting_user=township_operator, now=at(dt.date(2026, 9, 5))
        )
        for n in (0, 1, 2, 4)
    }
    # 王芳1 verified 19 days after arrival, 王芳2 45 days after (late, R-CERT-3)
    verify_certificate(
        certificates[0].pk, verified_on=dt.date(2026, 9, 20), acting_user=village_worker,
        now=at(dt.date(2026, 9, 20)),
    )  # fmt: skip
    verify_certificate(
        certificates[1].pk, verified_on=dt.date(2026, 10, 16), acting_user=village_worker,
        now=at(dt.date(2026, 10, 16)),
    )  # fmt: skip
    revoke_certificate(
        certificates[4].pk, reason="Issued in error.", acting_user=township_operator,
        now=at(dt.date(2026, 9, 8)),
    )  # fmt: skip
    for n, service, charge in (
        (0, "reproductive_checkup", 0),
        (1, "condoms", 0),
        (2, "iud_insertion", 50),
    ):
        record_service(
            ServiceInput(
                person_id=persons[n].pk, service_type=service, given_on=dt.date(2026, 10, 2),
                provider="南头街道计生服务站", amount_charged=charge,
            ),
            acting_user=village_worker, now=at(dt.date(2026, 10, 3)),
        )  # fmt: skip
    for n, sex in ((0, "M"), (1, "F"), (3, "M")):
        report_birth(
            BirthReportInput(
                mother_id=persons[n].pk, birth_date=dt.date(2026, 10, 1), child_sex=sex,
                idempotency_key=f"birth-{n}",
            ),
            acting_user=village_worker, now=at(dt.date(2026, 10, 3)),
        )  # fmt: skip
    return certificates


def independent(code: str, period_text: str) -> dict[str, tuple[int, int]]:
    period = parse_period(period_text)
    result = {}
    women_out = [
        r for r in Registration.objects.filter(kind="outflow").select_related("person")
        if r.person.sex == "F" and r.home_id.startswith(code) and period.contains(r.arrival_date)
    ]  # fmt: skip
    holders = set(Certificate.objects.filter(status="valid").values_list("person_id", flat=True))
    result["certificate_rate"] = (sum(r.person_id in holders for r in women_out), len(women_out))
    women_in = [
        r for r in Registration.objects.filter(kind="inflow").select_related("person")
        if r.person.sex == "F" and r.residence_id.startswith(code)
        and period.contains(r.arrival_date)
    ]  # fmt: skip
    on_time = {
        v.registration_id
        for v in Verification.objects.filter(kind="arrival")
        if (v.verified_on - v.registration.arrival_date).days <= 30
    }
    result["verification_rate"] = (sum(r.pk in on_time for r in women_in), len(women_in))
    basic = [
        s for s in ServiceRecord.objects.select_related("service_type")
        if s.service_type.basic and s.unit_id.startswith(code) and period.contains(s.given_on)
    ]  # fmt: skip
    result["free_service_rate"] = (sum(s.amount_charged == 0 for s in basic), len(basic))
    births = [
        b for b in BirthReport.objects.all()
        if b.unit_id.startswith(code) and period.contains(b.birth_date)
    ]  # fmt: skip
    result["sex_ratio"] = (
        sum(b.child_sex == "M" for b in births),
        sum(b.child_sex == "F" for b in births),
    )
    return result


def test_r_stat_1_certificate_verification_service_and_birth_figures_equal_the_raw_recount(
    services_world,
):
    codes = ("certificate_rate", "verification_rate", "free_service_rate", "sex_ratio")
    for code in PLACES:
        for period_text in PERIODS:
            live = {
                f.rate.code: (f.numerator, f.denominator)
                for f in figures_for(get_place(code), parse_period(period_text))
                if f.rate.code in codes
            }
            assert live == independent(code, period_text), (code, period_text)
    assert counters.check().ok


def test_r_stat_1_the_services_world_has_the_figures_it_was_built_for(services_world):
    nanshan = {f.rate.code: f for f in figures_for(get_place("440305"), parse_period("2026"))}
    assert (nanshan["verification_rate"].numerator, nanshan["verification_rate"].denominator) == (
        1,
        4,
    )
    assert nanshan["verification_rate"].target.value == 98.0
    assert (nanshan["free_service_rate"].numerator, nanshan["free_service_rate"].denominator) == (
        2,
        3,
    )
    santai = {f.rate.code: f for f in figures_for(get_place("510722"), parse_period("2026"))}
    # two outflow women: 王芳1 holds a certificate; person 5's was revoked
    assert (santai["certificate_rate"].numerator, santai["certificate_rate"].denominator) == (1, 2)


def test_r_stat_5_sex_ratio_is_flagged_outside_103_to_107_with_its_counts(services_world, settings):
    """R-STAT-5: judged once the births reach the stated minimum (here lowered to 3)."""
    settings.SEX_RATIO_MIN_BIRTHS = 3
    figure = next(
        f
        for f in figures_for(get_place("440305"), parse_period("2026-10"))
        if f.rate.code == "sex_ratio"
    )
    assert (figure.numerator, figure.denominator) == (2, 1)
    assert figure.value == 200.0
    assert figure.flagged and figure.meets is False
    assert figure.target_text == "103–107"


def test_r_stat_5_sex_ratio_from_three_births_is_a_sample_too_small(services_world, settings):
    """R-STAT-5: below settings.SEX_RATIO_MIN_BIRTHS births the ratio is shown, not flagged."""
    settings.SEX_RATIO_MIN_BIRTHS = 1000
    figure = next(
        f
        for f in figures_for(get_place("440305"), parse_period("2026-10"))
        if f.rate.code == "sex_ratio"
    )
    assert figure.value == 200.0
    assert figure.sample_too_small
    assert figure.meets is None and not figure.flagged


def test_r_stat_1_a_verification_shows_at_every_level_on_the_next_read(
    services_world, world, village_worker, township_operator
):
    from yipanqi.certificates.services import issue_certificate, verify_certificate

    # 王芳4 arrived on 1 October: her certificate is issued, then verified on 20 October.
    person = world["inflow"][3].person
    period = parse_period("2026-10")
    codes = ("", "44", "4403", "440305", "440305001", NANSHAN_VILLAGE)

    def verification(code):
        figures = figures_for(get_place(code), period)
        return next(f for f in figures if f.rate.code == "verification_rate")

    before = {code: verification(code) for code in codes}
    certificate = issue_certificate(
        person.pk, acting_user=township_operator, now=at(dt.date(2026, 10, 12))
    )
    verify_certificate(
        certificate.pk, verified_on=dt.date(2026, 10, 20), acting_user=village_worker,
        now=at(dt.date(2026, 10, 20)),
    )  # fmt: skip

    for code in codes:
        after = verification(code)
        assert after.numerator == before[code].numerator + 1, code
        assert after.denominator == before[code].denominator == 1


def test_r_stat_1_the_verification_rate_drills_to_the_verified_women_and_the_rest(
    services_world, national_admin, village_worker, client
):
    """The numerator lists verifications (a path through her registration to its arrival
    month), the gap her registrations without one; the same rows for the nation and the
    village, which counts them (the gap is two families: the database counts it)."""
    query = {"at": "440305", "period": "2026", "rate": "verification_rate"}
    expected = independent("440305", "2026")["verification_rate"]
    for user in (national_admin, village_worker):
        client.force_login(user)
        numerator = client.get("/stats/drill/", {**query, "part": "numerator"})
        gap = client.get("/stats/drill/", {**query, "part": "gap"})

        assert numerator.status_code == 200 and gap.status_code == 200
        verified = numerator.context["page"]
        assert verified.paginator.count == len(verified.object_list) == expected[0]
        rest = gap.context["page"]
        assert rest.paginator.count == len(rest.object_list) == expected[1] - expected[0]
        assert {v.certificate.person_id for v in verified.object_list}.isdisjoint(
            {r.person_id for r in rest.object_list}
        )


def test_r_stat_1_a_national_drill_takes_its_count_from_the_counters(
    services_world, national_admin, village_worker, client
):
    """No COUNT over the registrations for a user who sees every row; a scoped user's list is
    counted, since they see only part of what the number counts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    query = {"at": "", "period": "2026", "rate": "registration_inflow", "part": "gap"}
    client.force_login(national_admin)
    with CaptureQueriesContext(connection) as national:
        page = client.get("/stats/drill/", query).context["page"]
    client.force_login(village_worker)
    with CaptureQueriesContext(connection) as scoped:
        scoped_page = client.get("/stats/drill/", query).context["page"]

    late = [r for r in Registration.objects.filter(kind="inflow") if not r.recorded_in_time]
    assert page.paginator.count == len(page.object_list) == len(late) > 0
    assert not any("COUNT(" in q["sql"] for q in national.captured_queries)
    assert scoped_page.paginator.count == len(scoped_page.object_list)
    assert any("COUNT(" in q["sql"] for q in scoped.captured_queries)
