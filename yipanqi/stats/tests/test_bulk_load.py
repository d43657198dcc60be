"""R-STAT-1 after a bulk load: the demo generator writes raw batches and rebuilds the counters
set-based at the end, so the figures equal the raw recount at once."""

import datetime as dt

import pytest

from yipanqi.demo.generate import generate
from yipanqi.ledger import counters
from yipanqi.stats.periods import parse_period
from yipanqi.stats.selectors import figures_for, get_place

from .test_live_rates import independent

pytestmark = pytest.mark.django_db


def test_r_stat_1_demo_population_is_counted_and_consistent():
    generate(400, seed=7, today=dt.date(2026, 11, 20))

    assert counters.check().ok
    for code in ("", "44", "440305", "51", "510722", "11"):
        for period in ("2026", "2025-Q2", "2026-10"):
            expected = independent(code, period)
            live = {
                f.rate.code: (f.numerator, f.denominator)
                for f in figures_for(get_place(code), parse_period(period))
                if f.rate.code in expected
            }
            assert live == expected, (code, period)
    nation = figures_for(get_place(""), parse_period("2026"))
    assert next(f for f in nation if f.rate.code == "registration_inflow").denominator > 50
