"""Benchmark: live statistics at scale (R-STAT-1, R-STAT-4) on SQLite or PostgreSQL.

    YIPANQI_DEV=1 .venv/bin/python bench/stats.py                         # 1,000,000 persons, SQLite
    YIPANQI_DEV=1 .venv/bin/python bench/stats.py --persons 10000000
    YIPANQI_DEV=1 .venv/bin/python bench/stats.py --database postgres://postgres@127.0.0.1:5432/yipanqi_bench

Builds a fresh database (all divisions, or --subset) with what `yipanqi demo` makes: persons and
their registrations, then a verification request for every third inflow registration (answered
on time, answered late, overdue or still open; `yipanqi.demo.requests`), counters rebuilt
set-based after each, then:

- times the national and a province dashboard page and the children API through Django's test
  client (p50/p95 over --repeat requests, after warm-up), and the dashboard service alone;
- times a plain GROUP BY over the base tables for the same figures in the same run, and checks
  that it gives the same numbers as the counters;
- times the cost of one live fact change (an upsert of its cells) in a transaction;
- checks that the maintained counters equal a full recount.
The PostgreSQL database named in --database is dropped and created again.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def fresh_postgres(url: str) -> None:
    import psycopg
    from psycopg import sql

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed(fn, repeat: int, warmup: int = 3) -> tuple[float, float, object]:
    result = None
    for _ in range(warmup):
        result = fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), percentile(samples, 0.95), result


def raw_group_by(year: int) -> tuple[dict, dict]:
    """The national page's registration and request figures by province, from the base tables."""
    from django.db import connection

    start, end = f"{year}-01-01", f"{year + 1}-01-01"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT substr(residence_id, 1, 2), COUNT(*), "
            "SUM(CASE WHEN recorded_in_time THEN 1 ELSE 0 END) FROM people_registration "
            "WHERE kind = 'inflow' AND received_on >= %s AND received_on < %s GROUP BY 1",
            [start, end],
        )
        registrations = {p: (int(n), int(ok)) for p, n, ok in cursor.fetchall()}
        cursor.execute(
            "SELECT substr(receiver_id, 1, 2), "
            "SUM(CASE WHEN answered_at IS NOT NULL OR overdue_at IS NOT NULL THEN 1 ELSE 0 END) "
            "FROM exchange_request WHERE due_on >= %s AND due_on < %s GROUP BY 1",
            [start, end],
        )
        requests = {p: int(n) for p, n in cursor.fetchall()}
    return registrations, requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--database", default="", help="postgres://... (dropped and re-created)")
    parser.add_argument("--subset", action="store_true", help="the test suite's divisions only")
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--province", default="44")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file")
    parser.add_argument(
        "--reuse", action="store_true", help="time an existing --database again (no rebuild)"
    )
    parser.add_argument(
        "--skip-check",
        action="store_true",
        help="time only: no consistency check (a 10M check takes half an hour; its build ran it)",
    )
    args = parser.parse_args()

    tmp = None
    if args.database:
        if not args.reuse:
            fresh_postgres(args.database)
        os.environ["DATABASE_URL"] = args.database
    else:
        tmp = tempfile.TemporaryDirectory(prefix="yipanqi-bench-stats-", delete=not args.keep)
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp.name}/bench.sqlite3"
    os.environ.setdefault("YIPANQI_DEV", "1")
    # A throwaway database: the bench user's session skips the administrators' second factor.
    os.environ["YIPANQI_ADMIN_OTP_REQUIRED"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "yipanqi.settings"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from yipanqi.accounts.models import User
    from yipanqi.demo.generate import generate
    from yipanqi.demo.requests import add_demo_requests
    from yipanqi.divisions.loading import load_divisions
    from yipanqi.divisions.testing import TEST_DIVISION_PREFIXES
    from yipanqi.ledger import counters
    from yipanqi.ledger.models import StatCounter
    from yipanqi.stats import services
    from yipanqi.stats.selectors import sums

    say = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    today = timezone.localdate()
    if args.reuse:
        from types import SimpleNamespace

        from yipanqi.divisions.models import Division
        from yipanqi.exchange.models import Request
        from yipanqi.people.models import Person, Registration

        loaded = SimpleNamespace(created=Division.objects.count())
        report = SimpleNamespace(
            persons=Person.objects.count(),
            registrations=Registration.objects.count(),
            seconds=0.0,
            recount_seconds=0.0,
        )
        requests, request_seconds = Request.objects.count(), 0.0
        # Counters of a family added since the database was built (cheap: requests only).
        counters.recount("req.awaiting")
    else:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        loaded = load_divisions(within=TEST_DIVISION_PREFIXES if args.subset else None)
        say(f"divisions {loaded.created:,} in {time.perf_counter() - started:.1f} s")
        report = generate(
            args.persons,
            today=today,
            progress=lambda done, total, seconds: say(
                f"  {done:>11,} / {total:,}  {seconds:7.1f} s"
            ),
        )
        say(
            f"demo {report.persons:,} persons in {report.seconds:.1f} s "
            f"(counters rebuilt in {report.recount_seconds:.1f} s of it)"
        )
        started = time.perf_counter()
        requests = add_demo_requests(today=today)
        request_seconds = time.perf_counter() - started
        say(f"requests {requests:,} in {request_seconds:.1f} s (counted inside)")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE stats_statcounter")

    user = User.objects.filter(username="bench-national").first() or User.objects.create_user(
        username="bench-national", password=None, role="national_admin"
    )
    if hasattr(user, "password_changed_at"):
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password_changed_at"])
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    year = today.year
    pages = [
        ("national dashboard page", f"/stats/?at=&period={year}&rate=registration_inflow"),
        (f"province {args.province} dashboard", f"/stats/?at={args.province}&period={year}"),
        ("national children API", f"/api/v1/stats/children?at=&period={year}"),
        ("national quarter page", f"/stats/?at=&period={year}-Q2&rate=timeliness"),
        ("national home page", "/"),
        (
            "national drill, 50 newest",
            f"/stats/drill/?at=&period={year}&rate=registration_inflow&part=denominator",
        ),
        (
            "national coverage drill",
            f"/stats/drill/?at=&period={year}&rate=service_coverage&part=gap",
        ),
    ]
    results = []
    for label, url in pages:

        def get(url=url):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            return response

        p50, p95, _r = timed(get, args.repeat)
        results.append((label, p50, p95))
    p50, p95, board = timed(
        lambda: services.dashboard(user, at="", period=str(year), rate=None), args.repeat
    )
    results.append(("national dashboard service", p50, p95))
    from yipanqi.exchange.selectors import inbox_count
    from yipanqi.stats.selectors import awaiting_count

    p50, p95, _r = timed(lambda: inbox_count(user), args.repeat)
    results.append(("  inbox count over requests", p50, p95))
    p50, p95, counted_badge = timed(lambda: awaiting_count(""), args.repeat)
    results.append(("  same number from counters (the badge)", p50, p95))
    if counted_badge != inbox_count(user):
        raise SystemExit("awaiting_count differs from inbox_count")

    raw_samples = []
    for _ in range(3):
        started = time.perf_counter()
        registrations, due = raw_group_by(year)
        raw_samples.append((time.perf_counter() - started) * 1000)
    provinces = sorted(registrations)
    counted = sums(provinces, ["reg_in.total", "reg_in.in_time", "req.due"], dt.date(year, 1, 1),
                   dt.date(year + 1, 1, 1))  # fmt: skip
    same = all(
        registrations[p] == (counted[p]["reg_in.total"], counted[p]["reg_in.in_time"])
        and due.get(p, 0) == counted[p]["req.due"]
        for p in provinces
    )

    def one_fact():
        with transaction.atomic():
            counters.bump("reg_in.total", "440305001001", dt.date(year, 1, 1), 1)
            counters.bump("reg_in.total", "440305001001", dt.date(year, 1, 1), -1)

    fact_p50, fact_p95, _r = timed(one_fact, args.repeat)

    national = {f.rate.code: f for f in board.figures}
    print(f"database        {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"divisions       {loaded.created:,} ({'test subset' if args.subset else 'all'})")
    print(f"persons         {report.persons:,} ({report.registrations:,} registrations) "
          f"generated in {report.seconds:.1f} s (counters rebuilt inside)")  # fmt: skip
    print(f"requests        {requests:,} sent by the demo in {request_seconds:.1f} s (counted)")
    print(f"counters        {StatCounter.objects.count():,} rows; rebuilt in "
          f"{report.recount_seconds:.1f} s by the demo (the requests' in their own time)")  # fmt: skip
    for label, p50, p95 in results:
        print(f"{label:<30} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms   ({args.repeat} requests)")
    print(f"{'raw GROUP BY, same figures':<30} median {statistics.median(raw_samples):8.1f} ms "
          f"(registrations and requests by province over the base tables, 3 runs)")  # fmt: skip
    print(f"raw == counters {same} ({len(provinces)} provinces)")
    print(f"{'one fact change (2 upserts)':<30} p50 {fact_p50:8.2f} ms   p95 {fact_p95:8.2f} ms")
    sys.stdout.flush()  # the timings are out before the long check
    check = None if args.skip_check else counters.check()
    if check is None:
        print("consistency     not checked (--skip-check)")
    else:
        print(f"consistency     {'OK' if check.ok else 'MISMATCH'}: {check.cells:,} cells compared "
              f"with a full recount in {check.seconds:.1f} s; {len(check.mismatches)} differ")  # fmt: skip
    inflow = national["registration_inflow"]
    timeliness = national["timeliness"]
    print(f"national {year}   inflow registration timeliness {inflow.numerator:,}/"
          f"{inflow.denominator:,}; requests on time {timeliness.numerator:,}/"
          f"{timeliness.denominator:,}")  # fmt: skip
    connection.close()
    if tmp is not None and not args.keep:
        tmp.cleanup()


if __name__ == "__main__":
    main()
