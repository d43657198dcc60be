"""Raw rows into a table, for the bulk writers (imports, the demo): COPY on PostgreSQL,
`executemany` on SQLite, on the driver's own cursor (Django's wrapper costs per row)."""

from collections.abc import Iterable, Sequence

from django.db import connection


def write_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Write the rows (values in the order of `columns`) in the current transaction."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    raw = connection.connection
    if connection.vendor == "postgresql":
        sql = f"COPY {table} ({names}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["?"] * len(columns))
    cursor = raw.cursor()
    try:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608
    finally:
        cursor.close()


def continue_identity(table: str, last_id: int) -> None:
    """After keys assigned by us, PostgreSQL's identity sequence continues after `last_id`."""
    if connection.vendor != "postgresql" or last_id <= 0:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, last_id])
