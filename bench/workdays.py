"""Benchmark: batch deadline computation ("N working days after D", R-WD-1), target >= 1M/s.

Run: .venv/bin/python bench/workdays.py
Times yipanqi.workdays.services.add_batch on 1,000,000 and 5,000,000 random (date, n) pairs
beside two baselines doing the same lookup on the same table without our wrapper (no range
checks, no fallback flags): raw numpy searchsorted, and a plain Python bisect loop. Also times
the one-date API, and checks that batch and one-date answers agree on a sample.
"""

import datetime as dt
import os
import sys
import tempfile
import time
from bisect import bisect_right
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("YIPANQI_DEV", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yipanqi.settings_test")
# A throw-away database: the calendar reads the (empty) table of loaded years once.
_tmp = tempfile.TemporaryDirectory()
os.environ["DATABASE_URL"] = f"sqlite:///{_tmp.name}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from yipanqi.workdays import services  # noqa: E402

TARGET_PER_SECOND = 1_000_000


def best_of(repeats, func):
    best, result = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    call_command("migrate", "workdays", verbosity=0)
    started = time.perf_counter()
    services.invalidate()
    table = services.get_table()
    print(
        f"table build: {(time.perf_counter() - started) * 1000:.1f} ms "
        f"({len(table.working_days):,} working days, 1900-2200)"
    )

    rng = np.random.default_rng(42)
    first, last = np.datetime64("2004-01-01"), np.datetime64("2030-12-31")
    span = int((last - first).astype(np.int64))
    working = table.working_days

    print(
        f"{'pairs':>10} {'add_batch /s':>14} {'numpy raw /s':>14} {'ratio':>6} "
        f"{'py bisect /s':>13} {'speed-up':>9}"
    )
    for size in (1_000_000, 5_000_000):
        starts = first + rng.integers(0, span, size)
        ns = rng.integers(1, 31, size)

        ours, batch = best_of(3, lambda starts=starts, ns=ns: services.add_batch(starts, ns))

        def raw(starts=starts, ns=ns):
            days = starts.view(np.int64)
            return working[np.searchsorted(working, days, side="right") + ns - 1]

        raw_time, raw_result = best_of(3, raw)
        assert np.array_equal(batch.dates.view(np.int64), raw_result)

        # The Python loop is slow; time a slice and scale.
        sample = min(size, 200_000)
        days_list = starts[:sample].view(np.int64).tolist()
        ns_list = ns[:sample].tolist()
        working_list = working.tolist()

        def loop(days_list=days_list, ns_list=ns_list, working_list=working_list):
            return [
                working_list[bisect_right(working_list, d) + n - 1]
                for d, n in zip(days_list, ns_list, strict=True)
            ]

        loop_time, _ = best_of(1, loop)
        loop_rate = sample / loop_time
        rate, raw_rate = size / ours, size / raw_time
        print(
            f"{size:>10,} {rate:>14,.0f} {raw_rate:>14,.0f} {rate / raw_rate:>6.2f} "
            f"{loop_rate:>13,.0f} {rate / loop_rate:>8.1f}x"
        )
        print(
            f"{'':>10} fallback (2027-2030, no schedule): {batch.fallback.mean():.1%} of pairs, "
            f"years {batch.years_without_schedule}"
        )
        assert rate >= TARGET_PER_SECOND, f"add_batch below {TARGET_PER_SECOND:,}/s"

    # The one-date API on the same kind of input, and agreement with the batch.
    sample_starts = (first + rng.integers(0, span, 20_000)).tolist()
    sample_ns = rng.integers(0, 31, 20_000).tolist()
    scalar_time, answers = best_of(
        1,
        lambda: [
            services.add_working_days(d, n) for d, n in zip(sample_starts, sample_ns, strict=True)
        ],
    )
    batch = services.add_batch(np.array(sample_starts, dtype="datetime64[D]"), sample_ns)
    assert batch.dates.tolist() == [a.date for a in answers]
    assert batch.fallback.tolist() == [a.fallback for a in answers]
    print(
        f"add_working_days (one date per call): {len(answers) / scalar_time:,.0f} /s; "
        f"batch == one-date answers on {len(answers):,} samples: OK"
    )
    assert services.add_working_days(dt.date(2026, 9, 28), 15).date == dt.date(2026, 10, 23)


if __name__ == "__main__":
    main()
