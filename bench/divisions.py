"""Benchmark: a full division load (~655k units) into a fresh database, against the raw driver.

    YIPANQI_DEV=1 .venv/bin/python bench/divisions.py             # SQLite file in a temp dir
    YIPANQI_DEV=1 .venv/bin/python bench/divisions.py --postgres  # fresh yipanqi_bench database

Prints the load time and rows/s beside the raw bulk insert of the same rows in the same run
(executemany into a bare table on SQLite, COPY on PostgreSQL), their ratio, and the time of a
second, idempotent load. The target is under 60 s for the full load on both databases.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_NAME = "yipanqi_bench"
COLUMNS = "code, level, name, parent_id, is_placeholder, path_name, edition"


def fresh_postgres() -> str:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME}")
        conn.execute(f"CREATE DATABASE {PG_NAME}")
    return f"{PG_SERVER}/{PG_NAME}"


def raw_insert_seconds(rows: list[tuple]) -> float:
    """The driver's own bulk insert of the same rows into a table without indexes or keys."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare")
        cursor.execute(
            "CREATE TABLE bench_bare (code varchar(12), level smallint, name varchar(100),"
            " parent_id varchar(12), is_placeholder boolean, path_name varchar(300),"
            " edition smallint)"
        )
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY bench_bare ({COLUMNS}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        raw.commit()
    else:
        cursor = raw.cursor()
        cursor.execute("BEGIN")
        cursor.executemany(f"INSERT INTO bench_bare ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        cursor.execute("COMMIT")
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_bare")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="benchmark PostgreSQL")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="yipanqi-bench-")
    if args.postgres:
        os.environ["DATABASE_URL"] = fresh_postgres()
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp.name}/bench.sqlite3"
    os.environ.setdefault("YIPANQI_DEV", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "yipanqi.settings"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from yipanqi.divisions.loading import LoadReport, _read_all, load_divisions

    call_command("migrate", "divisions", verbosity=0, skip_checks=True)
    root = Path(django.conf.settings.DATA_DIR) / "divisions"

    started = time.perf_counter()
    rows = _read_all(root, None, LoadReport(), lambda message: None)
    parse = time.perf_counter() - started
    raw = raw_insert_seconds(rows)

    first = load_divisions()
    second = load_divisions()
    assert first.created == len(rows) and not second.changed

    vendor = connection.vendor
    print(f"database       {vendor} ({connection.settings_dict['NAME']})")
    print(f"rows           {len(rows):,} ({first.skipped:,} villages skipped)")
    print(f"parse+check    {parse:6.2f} s (part of the full load)")
    print(f"full load      {first.seconds:6.2f} s  {len(rows) / first.seconds:>10,.0f} rows/s")
    bare = "executemany, bare table" if vendor == "sqlite" else "COPY, bare table"
    print(f"raw insert     {raw:6.2f} s  {len(rows) / raw:>10,.0f} rows/s  ({bare})")
    print(f"ratio          {first.seconds / raw:6.2f}x the raw insert")
    print(f"second load    {second.seconds:6.2f} s  (idempotent: {second.unchanged:,} unchanged)")
    connection.close()
    tmp.cleanup()


if __name__ == "__main__":
    main()
