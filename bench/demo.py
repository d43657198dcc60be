"""Benchmark: `yipanqi demo` into a fresh SQLite database, against the raw driver.

    YIPANQI_DEV=1 .venv/bin/python bench/demo.py                     # 200,000 persons, all divisions
    YIPANQI_DEV=1 .venv/bin/python bench/demo.py --persons 1000000
    YIPANQI_DEV=1 .venv/bin/python bench/demo.py --subset            # the test suite's counties

Prints persons/s and rows/s of the demo generation (generation, encryption and the indexed
tables) beside the time sqlite3's executemany takes to insert the same rows into bare tables
without keys or indexes in the same run, and the ratio.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def raw_insert_seconds(persons: int) -> tuple[float, int]:
    """executemany of freshly generated rows into bare copies of the three tables."""
    from django.db import connection
    from django.utils import timezone

    from yipanqi.demo import generate as demo
    from yipanqi.people import bulk

    columns = (bulk.PERSON_FIELDS, bulk.REGISTRATION_FIELDS, bulk.EVENT_FIELDS)
    tables = ("bench_person", "bench_registration", "bench_event")
    raw = connection.connection
    for table, names in zip(tables, columns, strict=True):
        raw.execute(f"DROP TABLE IF EXISTS {table}")
        raw.execute(f"CREATE TABLE {table} ({', '.join(names)})")
    gen = demo._Generator(
        demo.Places.load(), random.Random(str(demo.DEFAULT_SEED)), timezone.localdate(), aware=False
    )
    ids = demo._Ids(1, 1, 1)
    seconds, rows_written, done = 0.0, 0, 0
    while done < persons:
        batch = demo._build_batch(gen, min(demo.BATCH_PERSONS, persons - done), ids)
        done += len(batch.persons)
        started = time.perf_counter()
        raw.execute("BEGIN")
        for table, names, rows in zip(
            tables, columns, (batch.persons, batch.registrations, batch.events), strict=True
        ):
            marks = ", ".join("?" * len(names))
            raw.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
            rows_written += len(rows)
        raw.execute("COMMIT")
        seconds += time.perf_counter() - started
    for table in tables:
        raw.execute(f"DROP TABLE {table}")
    return seconds, rows_written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=200_000)
    parser.add_argument("--subset", action="store_true", help="load the test division subset")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="yipanqi-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp.name}/bench.sqlite3"
    os.environ.setdefault("YIPANQI_DEV", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "yipanqi.settings"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from yipanqi.demo.generate import generate
    from yipanqi.divisions.loading import load_divisions
    from yipanqi.divisions.testing import TEST_DIVISION_PREFIXES

    call_command("migrate", verbosity=0)
    loaded = load_divisions(within=TEST_DIVISION_PREFIXES if args.subset else None)

    report = generate(
        args.persons,
        progress=lambda done, total, seconds: print(
            f"  {done:>10,} / {total:,}  {seconds:6.1f} s", file=sys.stderr
        ),
    )
    raw_seconds, raw_rows = raw_insert_seconds(args.persons)

    print(f"database       sqlite ({connection.settings_dict['NAME']})")
    print(f"divisions      {loaded.created:,} ({'test subset' if args.subset else 'all'})")
    print(
        f"rows           {report.persons:,} persons, {report.registrations:,} registrations,"
        f" {report.events:,} events"
    )
    print(
        f"demo           {report.seconds:7.2f} s  {report.persons_per_second:>9,.0f} persons/s"
        f"  {report.rows_per_second:>10,.0f} rows/s"
    )
    print(
        f"raw insert     {raw_seconds:7.2f} s  {args.persons / raw_seconds:>9,.0f} persons/s"
        f"  {raw_rows / raw_seconds:>10,.0f} rows/s  (executemany, bare tables, same row count)"
    )
    print(f"ratio          {report.seconds / raw_seconds:7.2f}x the raw insert")
    connection.close()
    tmp.cleanup()


if __name__ == "__main__":
    main()
