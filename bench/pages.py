"""Benchmark: the pages people wait on, for each level's demo login, on a database built by the demo.

    yipanqi demo --persons 1000000        # or: yipanqi up --persons 1000000 --no-serve
    YIPANQI_DEV=1 .venv/bin/python bench/pages.py                 # the database of DATABASE_URL
    YIPANQI_DEV=1 .venv/bin/python bench/pages.py --database postgres://postgres@127.0.0.1:5432/yipanqi_pages

For the village, township, county, province and national demo logins (force_login, Django's test
client, after warm-up) times the person list (everyone in scope with an active inflow
registration), a name search, an ID lookup (the POST that redirects to the person), the home
page and the dashboard: p50/p95 over --repeat requests. Beside each page, the page's own row
query: its slowest SELECT, captured from one request and run alone on the raw connection
(median of 5), and how many statements the page ran. A page whose p50 is over --target ms also
prints the EXPLAIN (ANALYZE on PostgreSQL) of that statement. Changes nothing but the audit
rows the searches write (R-ACC-2).

Measured at 1M demo persons on PostgreSQL (shared 2-core machine, p50 of 20): the person list
90 ms national, 58 ms province, 124-242 ms village to county (930/864/222-525 ms before the
capped count); the ID lookup 6-19 ms; the dashboard 30-208 ms; over target: name search at
county to national (255-1,130 ms, a sequential LIKE scan) and the home page from the village
up (447 ms village, 973 ms county, national over a minute: the to-do list's awaiting
verifications, a NOT IN over every verification).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROLES = ("village", "township", "county", "province", "national")
NAME = "王芳"  # the most common surname with a common given name: a search with many hits


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed(fn, repeat: int, warmup: int = 2) -> tuple[float, float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), percentile(samples, 0.95)


class Statements:
    """The statements one request runs, with their times (an execute wrapper)."""

    def __init__(self):
        self.seen: list[tuple[float, str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seen.append(((time.perf_counter() - started) * 1000, sql, params))

    def slowest_select(self) -> tuple[str, object] | None:
        selects = [s for s in self.seen if s[1].lstrip().upper().startswith(("SELECT", "WITH"))]
        if not selects:
            return None
        _ms, sql, params = max(selects, key=lambda s: s[0])
        return sql, params


def raw_ms(sql: str, params, runs: int = 5) -> float:
    """The statement alone on the raw connection: median of `runs`, rows fetched."""
    from django.db import connection

    samples = []
    with connection.cursor() as cursor:
        for _ in range(runs):
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def explain(sql: str, params) -> str:
    from django.db import connection

    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if connection.vendor == "postgresql"
        else ("EXPLAIN QUERY PLAN ")
    )
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    return "\n".join("      " + " ".join(str(c) for c in row) for row in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="", help="postgres://... or sqlite:///... (kept)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--target", type=float, default=300.0, help="ms; EXPLAIN pages above")
    parser.add_argument("--roles", default=",".join(ROLES), help="demo logins, comma-separated")
    parser.add_argument("--pages", default="", help="only these pages, comma-separated labels")
    args = parser.parse_args()

    if args.database:
        os.environ["DATABASE_URL"] = args.database
    os.environ.setdefault("YIPANQI_DEV", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "yipanqi.settings"

    import logging

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user

    logging.getLogger("axes").setLevel(logging.WARNING)

    from yipanqi.accounts.models import User
    from yipanqi.people.models import Person, Registration

    persons = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    registrations = Registration.objects.order_by("-pk").values_list("pk", flat=True).first()
    print(f"database   {connection.vendor} ({connection.settings_dict['NAME']}), about "
          f"{persons:,} persons, {registrations or 0:,} registrations (highest keys)")  # fmt: skip
    print(f"{'role / page':<28} {'p50 ms':>8} {'p95 ms':>8}   {'row query ms':>12} {'stmts':>5}")
    over: list[tuple[str, str, object]] = []
    for role in args.roles.split(","):
        user = User.objects.filter(username=role).first()
        if user is None:
            raise SystemExit(f"no demo login {role!r}: run `yipanqi demo --users-only`")
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        device = next(iter(devices_for_user(user)), None)
        if device is not None:  # an administrator: the session has passed the second factor
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        someone = Person.objects.visible_to(user).order_by("pk").first()
        pages = [
            ("person list", "get", "/persons/?kind=inflow", None, 200),
            ("name search", "get", f"/persons/?name={NAME}", None, 200),
            ("home", "get", "/", None, 200),
            ("dashboard", "get", "/stats/", None, 200),
        ]
        if someone is not None:
            body = {"id_number": someone.reveal_id_number()}
            pages.insert(2, ("ID search", "post", "/persons/", body, 302))
        chosen = set(args.pages.split(",")) if args.pages else None
        for label, method, url, data, status in pages:
            if chosen is not None and label not in chosen:
                continue

            def request(client=client, method=method, url=url, data=data, status=status):
                response = getattr(client, method)(url, data) if data else client.get(url)
                if response.status_code != status:
                    raise SystemExit(f"{url} answered {response.status_code}, not {status}")

            p50, p95 = timed(request, args.repeat)
            statements = Statements()
            with connection.execute_wrapper(statements):
                request()
            slowest = statements.slowest_select()
            row_ms = raw_ms(*slowest) if slowest else 0.0
            name = f"{role} {label}"
            print(f"{name:<28} {p50:8.1f} {p95:8.1f}   {row_ms:12.1f} {len(statements.seen):5d}")
            sys.stdout.flush()
            if p50 > args.target and slowest:
                over.append((name, *slowest))
    for name, sql, params in over:
        print(f"\nover {args.target:.0f} ms: {name}; its slowest statement:")
        print(explain(sql, params))
    connection.close()


if __name__ == "__main__":
    main()
