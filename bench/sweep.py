"""Benchmark: the overdue sweep (R-EX-3) over 1,000,000 open requests on SQLite, target < 10 s.

Run: .venv/bin/python bench/sweep.py [N]
Creates N (default 1,000,000) open requests in a throw-away SQLite database with raw
executemany, times the bare SQL UPDATE on the same rows inside a transaction that is rolled
back, then times yipanqi.exchange.sweep.sweep() (the claiming UPDATE plus one overdue event per
row, committed) and prints both and their ratio.
"""

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("YIPANQI_DEV", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yipanqi.settings_test")
_tmp = tempfile.TemporaryDirectory()
os.environ["DATABASE_URL"] = f"sqlite:///{_tmp.name}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from yipanqi.divisions.models import Division  # noqa: E402
from yipanqi.exchange.models import Request, RequestEvent  # noqa: E402
from yipanqi.exchange.sweep import sweep  # noqa: E402
from yipanqi.regions.models import RuleSet  # noqa: E402

TARGET_SECONDS = 10.0
TODAY = dt.date(2026, 11, 24)


def setup(n: int) -> None:
    call_command("migrate", verbosity=0)
    Division.objects.bulk_create(
        [
            Division(code="44", level=1, name="广东省"),
            Division(code="51", level=1, name="四川省"),
        ]
    )
    rule_set = RuleSet.objects.first()
    table = Request._meta.db_table
    now = "2026-09-18 02:00:00"
    # Every row is open and due before TODAY, so the sweep claims all of them.
    rows = (
        (
            "verification", "44", "51", "{}", "", now, now,
            (TODAY - dt.timedelta(days=1 + i % 60)).isoformat(), 15, False,
            rule_set.pk, "region 泛珠三角", "delivered" if i % 2 else "sent", "", f"bench-{i}",
        )
        for i in range(n)
    )  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (type, sender_id, receiver_id, payload, subject, created_at, "
            "delivered_at, due_on, deadline_days, due_fallback, rule_set_id, rule_reason, status, "
            "answer, idempotency_key, escalation_reason) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '')",
            rows,
        )


def raw_update_seconds() -> float:
    table = Request._meta.db_table
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute(
            f"UPDATE {table} SET status = 'overdue' "
            "WHERE status IN ('sent', 'delivered') AND due_on < %s",
            [TODAY.isoformat()],
        )
        changed = cursor.rowcount
        cursor.execute("ROLLBACK")
    seconds = time.perf_counter() - start
    print(f"raw SQL UPDATE (rolled back): {changed:,} rows in {seconds:.2f} s")
    return seconds


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    start = time.perf_counter()
    setup(n)
    print(f"created {n:,} open requests in {time.perf_counter() - start:.1f} s")
    raw = raw_update_seconds()
    start = time.perf_counter()
    report = sweep(TODAY)
    seconds = time.perf_counter() - start
    events = RequestEvent.objects.filter(type="overdue").count()
    print(f"sweep(): {report.overdue:,} overdue, {events:,} events in {seconds:.2f} s")
    print(f"ratio sweep / raw UPDATE: {seconds / raw:.2f}")
    again = time.perf_counter()
    second = sweep(TODAY)
    print(f"second sweep: {second.overdue} changed in {time.perf_counter() - again:.2f} s")
    ok = report.overdue == n and events == n and second.overdue == 0 and seconds < TARGET_SECONDS
    print("OK" if ok else f"FAILED (target < {TARGET_SECONDS:.0f} s, every row once)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
