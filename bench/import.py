"""Benchmark: `yipanqi import` of N valid inflow rows from CSV, end to end, against the raw
database bulk insert of the same rows in the same run.

    YIPANQI_DEV=1 .venv/bin/python bench/import.py --db sqlite --rows 1000000
    YIPANQI_DEV=1 .venv/bin/python bench/import.py --db postgres --rows 1000000 \
        [--url postgres://postgres@127.0.0.1:5432/postgres]

Builds a fresh database (a temporary SQLite file, or a new PostgreSQL database dropped at the
end) with the test divisions, writes a CSV of N valid inflow rows (a merged-looking title row,
Chinese headers, four date styles, village codes and name paths), and runs the import as the
command does (hash, count, parse, check, match, encrypt, write, statistics, commit).

Then it reads back the person, registration and event rows the import wrote and inserts them
again, raw, into empty copies of the same three tables with the same indexes and foreign keys:
`executemany` of the fetched tuples on SQLite (foreign-key checks off, as the import runs),
`COPY FROM STDIN` of the server's own text dump of the rows on PostgreSQL (no Python formats a
row; foreign-key triggers off when the role is a superuser, as the import then runs), one
transaction; once keeping the indexes up, once building the secondary indexes after the rows.
It prints the rates in input rows per second and the ratio to the faster raw load.
"""

import argparse
import csv
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESIDENCE_COUNTIES = ["440305", "441900"]  # 深圳南山区, 东莞市 (Guangdong imports)
HOME_COUNTIES = ["510722", "500101", "420106", "330106", "110101", "320102", "310115", "419001"]
REASONS = ["务工", "务工", "务工", "经商", "随迁家属", "婚嫁", "work"]
MARITAL = ["已婚", "初婚", "未婚", "再婚", "离婚", "first_marriage"]
DATE_STYLES = ("{:%Y-%m-%d}", "{d.year}/{d.month}/{d.day}", "{d.year}.{d.month}.{d.day}",
               "{d.year}年{d.month}月{d.day}日")  # fmt: skip


def write_csv(path: Path, rows: int, today: dt.date, seed: int = 2026) -> None:
    from yipanqi.divisions.models import Division
    from yipanqi.people import idnumbers

    rng = random.Random(seed)
    villages = {
        county: list(
            Division.objects.filter(level=5, code__startswith=county).values_list("code", flat=True)
        )
        for county in RESIDENCE_COUNTIES + HOME_COUNTIES
    }
    names = {c: d for c, d in Division.objects.filter(level=4).values_list("code", "path_name")}
    surnames, given = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "芳娜敏静丽艳娟霞燕玲婷雪慧琳倩颖"
    used: set[str] = set()
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["2026年流入人口登记表（广东省）", "", "", "", "", "", "", "", ""])
        out.writerow(["姓名", "身份证号码（必填）", "性别", "户籍地", "现居住地", "到达日期",
                      "流动原因", "婚姻状况", "联系电话"])  # fmt: skip
        for i in range(rows):
            home_county = HOME_COUNTIES[i % len(HOME_COUNTIES)]
            while True:
                birth = today - dt.timedelta(days=rng.randint(19 * 365, 48 * 365))
                value = idnumbers.make(home_county, birth, rng.randrange(500), "F")
                if value not in used:
                    used.add(value)
                    break
            home = rng.choice(villages[home_county])
            residence = rng.choice(villages[RESIDENCE_COUNTIES[i % 2]])
            home_text = home if i % 5 else names[home[:9]].replace(" › ", "")
            arrival = today - dt.timedelta(days=rng.randint(1, 900))
            out.writerow(
                [
                    rng.choice(surnames) + rng.choice(given) + rng.choice(given),
                    value,
                    "女",
                    home_text,
                    residence,
                    DATE_STYLES[i % 4].format(arrival, d=arrival),
                    rng.choice(REASONS),
                    rng.choice(MARITAL),
                    f"1{rng.randrange(30, 99)}{rng.randrange(10**8):08d}" if i % 7 else "",
                ]
            )


def raw_copy_seconds(trusted: bool, *, index_after: bool = False) -> tuple[float, int]:
    """Insert the rows the import wrote into empty same-schema copies; (seconds, rows).

    PostgreSQL: with the deferred foreign keys checked at commit, or (trusted, as the import
    does when the role may) without the per-row checks. `index_after`: the secondary indexes
    are created after the rows, in the same transaction (as the import does for a bulk load
    that at least doubles the registry); otherwise they are kept up row by row."""
    from django.db import connection

    from yipanqi.people.models import Person, PersonEvent, Registration

    tables = [m._meta.db_table for m in (Person, Registration, PersonEvent)]
    copies = {t: f"bench_{t}" for t in tables}
    vendor = connection.vendor
    raw = connection.connection
    data = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table} ORDER BY id")
            if vendor == "sqlite":
                data[table] = ([c[0] for c in cursor.description], cursor.fetchall())
            else:  # the server's own text form: COPY FROM then parses, no Python formats rows
                columns = [c[0] for c in cursor.description]
                cursor.fetchall()
                text = bytearray()
                with (
                    raw.cursor() as dump,
                    dump.copy(
                        f"COPY (SELECT {', '.join(columns)} FROM {table} ORDER BY id) TO STDOUT"
                    ) as copy,
                ):
                    for chunk in copy:
                        text += chunk
                data[table] = (columns, bytes(text))
    if vendor == "sqlite":
        for table in tables:
            ddl = raw.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
            ).fetchone()[0]
            for original, copy in copies.items():
                ddl = ddl.replace(f'"{original}"', f'"{copy}"')
            raw.execute(ddl)
        indexes = []
        for table in tables:
            for (sql,) in raw.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL",
                [table],
            ).fetchall():
                sql = sql.replace(f'"{table}"', f'"{copies[table]}"').replace(
                    'INDEX "', 'INDEX "bench_'
                )
                indexes.append(sql)
        if not index_after:
            for sql in indexes:
                raw.execute(sql)
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute("PRAGMA cache_size = -1048576")
        started = time.perf_counter()
        raw.execute("BEGIN")
        for table in tables:
            columns, rows = data[table]
            marks = ", ".join("?" * len(columns))
            raw.executemany(f"INSERT INTO {copies[table]} VALUES ({marks})", rows)
        if index_after:
            for sql in indexes:
                raw.execute(sql)
        raw.execute("COMMIT")
        seconds = time.perf_counter() - started
    else:
        indexes = []
        with raw.cursor() as cursor:
            for table in tables:
                if index_after:  # keys and constraints now, the other indexes after the rows
                    cursor.execute(
                        f"CREATE TABLE {copies[table]} (LIKE {table} INCLUDING DEFAULTS "
                        "INCLUDING CONSTRAINTS)"
                    )
                    cursor.execute(
                        "SELECT pg_get_indexdef(x.indexrelid), x.indisprimary, EXISTS (SELECT 1 "
                        "FROM pg_constraint c WHERE c.conindid = x.indexrelid) FROM pg_index x "
                        "WHERE x.indrelid = %s::regclass",
                        [table],
                    )
                    for definition, primary, constraint in cursor.fetchall():
                        sql = definition.replace(f" ON public.{table} ", f" ON {copies[table]} ")
                        sql = sql.replace("INDEX ", "INDEX bench_", 1)
                        if primary or constraint:
                            cursor.execute(sql)  # built now, as the import keeps them
                        else:
                            indexes.append(sql)
                else:
                    cursor.execute(f"CREATE TABLE {copies[table]} (LIKE {table} INCLUDING ALL)")
            # The same foreign keys, deferred to commit as Django declares them.
            cursor.execute(
                "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
                [tables],
            )
            for table, definition in cursor.fetchall():
                for original, copy in copies.items():
                    definition = definition.replace(
                        f"REFERENCES {original}(", f"REFERENCES {copy}("
                    )
                cursor.execute(f"ALTER TABLE {copies[table]} ADD {definition}")
        raw.commit()
        started = time.perf_counter()
        with raw.cursor() as cursor:
            if trusted:  # as the import runs: foreign keys valid by construction, not re-checked
                cursor.execute("SET LOCAL session_replication_role = replica")
            for table in tables:
                columns, text = data[table]
                names = ", ".join(columns)
                with cursor.copy(f"COPY {copies[table]} ({names}) FROM STDIN") as copy:
                    for start in range(0, len(text), 1 << 20):
                        copy.write(text[start : start + (1 << 20)])
            if indexes:
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for sql in indexes:
                cursor.execute(sql)
        raw.commit()
        seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        for table in reversed(tables):
            cursor.execute(f"DROP TABLE {copies[table]}")
    if vendor != "sqlite":
        raw.commit()
    if vendor == "sqlite":
        return seconds, sum(len(rows) for _columns, rows in data.values())
    return seconds, sum(text.count(b"\n") for _columns, text in data.values())


def _superuser(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        return bool(cursor.fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep", action="store_true", help="keep the CSV and database")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="yipanqi-bench-import-")
    database = ""
    if args.db == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    else:
        import psycopg

        database = f"yipanqi_bench_import_{os.getpid()}"
        admin = urlparse(args.url)
        with psycopg.connect(urlunparse(admin), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {database}")
        os.environ["DATABASE_URL"] = urlunparse(admin._replace(path=f"/{database}"))
    os.environ.setdefault("YIPANQI_DEV", "1")
    os.environ["YIPANQI_VAR_DIR"] = tmp
    os.environ["DJANGO_SETTINGS_MODULE"] = "yipanqi.settings"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from yipanqi.divisions.testing import load_test_divisions
    from yipanqi.imports.services import import_path

    try:
        call_command("migrate", verbosity=0)
        load_test_divisions()
        today = timezone.localdate()
        path = Path(tmp) / "inflow.csv"
        started = time.perf_counter()
        write_csv(path, args.rows, today)
        print(
            f"generated {args.rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        started = time.perf_counter()
        job = import_path(path, kind="inflow", unit="44", today=today)
        seconds = time.perf_counter() - started
        print(
            f"import ({connection.vendor}): {job.status}, {job.rows:,} rows, {job.created:,} "
            f"created, {job.rejected:,} rejected in {seconds:.1f} s = "
            f"{job.rows / seconds:,.0f} rows/s",
            flush=True,
        )
        if job.rejected:
            print(f"  rejection report: {job.report_path}")
        trusted = connection.vendor == "postgresql" and _superuser(connection)
        how = "executemany" if connection.vendor == "sqlite" else "COPY"
        if connection.vendor == "postgresql":
            how += " (foreign-key triggers off, as the import)" if trusted else " (foreign keys on)"
        best = None
        for index_after in (False, True):
            raw_seconds, table_rows = raw_copy_seconds(trusted, index_after=index_after)
            best = raw_seconds if best is None else min(best, raw_seconds)
            indexes = "secondary indexes built after" if index_after else "indexes kept up"
            print(
                f"raw {how} of the same rows ({table_rows:,} person, registration and event "
                f"rows) into same-schema tables, {indexes}: {raw_seconds:.1f} s = "
                f"{job.rows / raw_seconds:,.0f} rows/s ({table_rows / raw_seconds:,.0f} table "
                "rows/s)"
            )
        print(f"ratio import / fastest raw: {best / seconds:.2f}")
    finally:
        connection.close()
        if database and not args.keep:
            import psycopg

            with psycopg.connect(args.url, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {database}")
        if args.keep:
            print(f"kept {tmp}")


if __name__ == "__main__":
    main()
