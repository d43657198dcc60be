"""R-STAT-1: every rate, for every level and period, equals the same rate recomputed from the
raw tables, after a sequence of real service calls (registration, answers, sweep, escalation);
the maintained counters equal a full recount."""

import datetime as dt

import pytest

from conftest import NANSHAN_VILLAGE, SANTAI_VILLAGE
from yipanqi.exchange.models import Request
from yipanqi.ledger import counters
from yipanqi.ledger.models import StatCounter
from yipanqi.people.models import Registration
from yipanqi.stats.periods import parse_period
from yipanqi.stats.selectors import figures_for, get_place
from yipanqi.workdays.services import local_date

pytestmark = pytest.mark.django_db

PLACES = ["", "44", "4403", "440305", "440305001", NANSHAN_VILLAGE]
PLACES += ["51", "5107", "510722", "510722101", SANTAI_VILLAGE, "32", "320102"]
PERIODS = ["2026", "2026-Q3", "2026-Q4", "2026-09", "2026-10", "2025"]


def _in(code: str, division: str) -> bool:
    return division.startswith(code)


def independent(code: str, period_text: str) -> dict[str, tuple[int, int]]:
    """Each rate's (numerator, denominator) from the raw rows, without the stats code."""
    period = parse_period(period_text)
    result = {}
    for kind, field, rate in (
        ("inflow", "residence_id", "registration_inflow"),
        ("outflow", "home_id", "registration_outflow"),
    ):
        rows = [
            r
            for r in Registration.objects.filter(kind=kind)
            if _in(code, getattr(r, field)) and period.contains(r.received_on)
        ]
        result[rate] = (sum(r.recorded_in_time for r in rows), len(rows))
        if kind == "inflow":
            served = sum((r.received_on - r.arrival_date).days <= 30 for r in rows)
            result["served_30_days"] = (served, len(rows))
    due = on_time = 0
    for request in Request.objects.all():
        if not (_in(code, request.receiver_id) and period.contains(request.due_on)):
            continue
        if request.answered_at is None and request.status not in ("overdue", "escalated"):
            continue
        due += 1
        on_time += bool(request.answered_at and local_date(request.answered_at) <= request.due_on)
    result["timeliness"] = (on_time, due)
    return result


def test_r_stat_1_every_rate_at_every_level_and_period_equals_the_raw_recount(world):
    for code in PLACES:
        for period_text in PERIODS:
            expected = independent(code, period_text)
            live = {
                f.rate.code: (f.numerator, f.denominator)
                for f in figures_for(get_place(code), parse_period(period_text))
                if f.rate.code in expected
            }
            assert live == expected, (code, period_text)


def test_r_stat_1_the_world_has_the_figures_it_was_built_for(world):
    figures = {f.rate.code: f for f in figures_for(get_place("440305"), parse_period("2026"))}
    assert (
        figures["registration_inflow"].numerator,
        figures["registration_inflow"].denominator,
    ) == (3, 4)
    assert (figures["served_30_days"].numerator, figures["served_30_days"].denominator) == (3, 4)
    santai = {f.rate.code: f for f in figures_for(get_place("510722"), parse_period("2026-10"))}
    # four requests due 15 October: one on time, one late, one answered after the sweep, one
    # escalated without an answer; the open request to 南山 is not due yet.
    assert (santai["timeliness"].numerator, santai["timeliness"].denominator) == (1, 4)
    assert santai["timeliness"].value == 25.0
    assert santai["timeliness"].target.value == 95.0
    assert santai["registration_outflow"].denominator == 0  # received in August, September
    nation = {f.rate.code: f for f in figures_for(get_place(""), parse_period("2026"))}
    assert nation["registration_outflow"].denominator == 2


def test_r_stat_1_maintained_counters_equal_a_full_recount(world):
    report = counters.check()
    assert report.ok, report.mismatches
    before = set(
        StatCounter.objects.exclude(value=0).values_list(
            "division_code", "metric", "key", "period_start", "value"
        )
    )
    counters.recount()
    after = set(
        StatCounter.objects.values_list("division_code", "metric", "key", "period_start", "value")
    )
    assert before == after
    assert len(after) > 50


def test_r_stat_1_the_check_finds_a_counter_that_drifted(world):
    counters.bump("reg_in.total", NANSHAN_VILLAGE, dt.date(2026, 9, 1), 1)
    report = counters.check()
    assert not report.ok
    wrong = {(m.division_code, m.metric) for m in report.mismatches}
    assert ("", "reg_in.total") in wrong and (NANSHAN_VILLAGE, "reg_in.total") in wrong
    counters.recount()
    assert counters.check().ok


def test_r_stat_1_a_new_registration_shows_on_the_next_read_at_every_level(world, village_worker):
    from conftest import id_for
    from yipanqi.people.services import RegistrationInput, register

    place, period = get_place("44"), parse_period("2026-11")
    before = {f.rate.code: f.denominator for f in figures_for(place, period)}
    register(
        RegistrationInput(
            id_number=id_for(seq=77),
            name="李娜",
            home_code=SANTAI_VILLAGE,
            residence_code=NANSHAN_VILLAGE,
            arrival_date=dt.date(2026, 11, 2),
            reason="work",
            received_on=dt.date(2026, 11, 3),
        ),
        kind="inflow",
        acting_user=village_worker,
        today=dt.date(2026, 11, 4),
    )
    for code in ("", "44", "4403", "440305", "440305001", NANSHAN_VILLAGE):
        after = {f.rate.code: f for f in figures_for(get_place(code), period)}
        assert after["registration_inflow"].numerator >= 1
    after = {f.rate.code: f.denominator for f in figures_for(place, period)}
    assert after["registration_inflow"] == before["registration_inflow"] + 1


def test_r_ex_3_awaiting_count_from_the_counters_equals_the_inbox_badge(
    world, township_operator, village_worker, sichuan_admin, national_admin
):
    from yipanqi.exchange.selectors import inbox_count
    from yipanqi.stats.selectors import awaiting_count

    for user in (township_operator, village_worker, sichuan_admin, national_admin):
        assert awaiting_count(user.scope_code) == inbox_count(user), user
    assert awaiting_count("510722") == 1  # the escalated request, still unanswered
    assert awaiting_count("440305") == 1  # the open co-investigation from 三台
