"""Fresh planner statistics after a bulk load (demo, first import of a province).

Without them the query planners guess from the empty tables they last saw: SQLite, with no
statistics at all, reads a drill-down's 50 newest inflow registrations through the `kind` index
and sorts every inflow row first (seconds at a million rows) instead of walking the table from
its newest row; PostgreSQL's autovacuum analyzes only some minutes later.
"""

from collections.abc import Iterable

from django.db import connection

# SQLite samples this many rows of each index (a full ANALYZE of 10M rows takes minutes).
SQLITE_ANALYSIS_LIMIT = 2_000


def refresh_statistics(tables: Iterable[str]) -> None:
    """ANALYZE the tables (inside the caller's transaction on either database)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
        for table in tables:
            cursor.execute(f"ANALYZE {quote(table)}")
