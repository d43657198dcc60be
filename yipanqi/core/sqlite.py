"""SQLite's one write lock, for the few writes a read makes (issue 16.2).

A large import holds SQLite's write lock for as long as its rows take to write; a read that
writes nothing but its audit row (audit/spool.py) or a refresh of its session's idle clock
(accounts/sessions.py) waits for it only briefly, then does without it.
"""

import contextlib

from django.db import OperationalError


def is_locked(error: OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)


@contextlib.contextmanager
def busy_timeout(conn, milliseconds: int):
    """Wait at most this long for the write lock inside the block (SQLite; else no change)."""
    if conn.vendor != "sqlite":
        yield
        return
    conn.ensure_connection()
    with conn.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
    try:
        yield
    finally:
        with conn.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {before}")
