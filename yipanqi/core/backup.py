"""Back up and restore the database (issue 7.8): SQLite's online backup API, pg_dump/pg_restore.

`fingerprint()` hashes every row of every table, so a restore drill can prove that what came
back is what went in.
"""

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections


class BackupError(Exception):
    """The backup or restore could not be done; the message says why."""


def _pg_env(settings_dict: dict) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": settings_dict.get("HOST") or "127.0.0.1",
            "PGPORT": str(settings_dict.get("PORT") or 5432),
            "PGUSER": settings_dict.get("USER") or "postgres",
            "PGDATABASE": settings_dict["NAME"],
        }
    )
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")
    return path


def backup(target: Path, using: str = "default") -> Path:
    """Write a consistent copy of the live database to `target` without stopping the site."""
    connection = connections[using]
    target.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        partial = target.with_suffix(target.suffix + ".partial")
        destination = sqlite3.connect(partial)
        try:
            connection.connection.backup(destination, pages=1024)
            check = destination.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            destination.close()
        if check != "ok":
            partial.unlink(missing_ok=True)
            raise BackupError(f"the backup copy failed its integrity check: {check}")
        partial.replace(target)
        return target
    if connection.vendor == "postgresql":
        env = _pg_env(connection.settings_dict)
        result = subprocess.run(  # noqa: S603 - fixed argument list, no shell
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()[:500]}")
        return target
    raise BackupError(f"no backup method for {connection.vendor}")


def restore(source: Path, settings_dict: dict) -> None:
    """Replace the database described by `settings_dict` with the backup at `source`."""
    if not source.exists():
        raise BackupError(f"{source} does not exist")
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            if src.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{source} is not an intact SQLite database")
            target = sqlite3.connect(settings_dict["NAME"])
            try:
                src.backup(target)
            finally:
                target.close()
        finally:
            src.close()
        return
    if engine.endswith("postgresql"):
        env = _pg_env(settings_dict)
        result = subprocess.run(  # noqa: S603 - fixed argument list, no shell
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                settings_dict["NAME"],
                str(source),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()[:500]}")
        return
    raise BackupError(f"no restore method for {engine}")


def fingerprint(using: str = "default") -> dict[str, str]:
    """SHA-256 over the sorted rows of every table of the project: {table: digest}."""
    return fingerprint_of(connections[using])


def fingerprint_of(connection) -> dict[str, str]:
    """`fingerprint` for any database connection (a restored copy, say)."""
    digests = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.django_table_names(only_existing=True)):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - introspected table names
            rows = sorted(repr(tuple(_plain(v) for v in row)) for row in cursor.fetchall())
            digest = hashlib.sha256()
            for row in rows:
                digest.update(row.encode())
            digests[table] = digest.hexdigest()
    return digests


def _plain(value):
    if isinstance(value, memoryview):
        return bytes(value)
    return value
