"""Database triggers that make the audit table append-only, on SQLite and on PostgreSQL.

The triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) of audit rows. Two code
paths may lift them inside one transaction, through `unlocked()`: archiving rows older than the
retention period (`yipanqi audit archive`, itself audited and anchored in the chain), and
`flush` in development and tests. Someone with the database owner's rights can still drop the
triggers; the HMAC chain is what detects such a change (`yipanqi audit verify`).
"""

from contextlib import contextmanager

from django.db import connection as default_connection
from django.db import transaction

TABLE = "audit_auditevent"
UNLOCK_FUNCTION = "yipanqi_audit_unlocked"
UNLOCK_SETTING = "yipanqi.audit_unlock"

SQLITE_TRIGGERS = {
    "audit_auditevent_no_update": "UPDATE",
    "audit_auditevent_no_delete": "DELETE",
}
POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION yipanqi_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('{UNLOCK_SETTING}', true), '') = 'on' THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit rows are append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
"""
POSTGRES_TRIGGERS = {
    "audit_auditevent_append_only": "BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW",
    "audit_auditevent_no_truncate": "BEFORE TRUNCATE ON {table} FOR EACH STATEMENT",
}


def register_sqlite_function(sender, connection, **kwargs):
    """connection_created: give each SQLite connection the function the triggers consult."""
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function(
        UNLOCK_FUNCTION, 0, lambda: 1 if getattr(connection, "_audit_unlocked", False) else 0
    )


def install(connection=None) -> None:
    """Create the append-only triggers if they are missing (idempotent)."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name, operation in SQLITE_TRIGGERS.items():
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {operation} ON {TABLE} "
                    f"WHEN NOT {UNLOCK_FUNCTION}() "
                    "BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END"
                )
        elif connection.vendor == "postgresql":
            cursor.execute(POSTGRES_FUNCTION)
            for name, when in POSTGRES_TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {TABLE}")
                cursor.execute(
                    f"CREATE TRIGGER {name} {when.format(table=TABLE)} "
                    "EXECUTE FUNCTION yipanqi_audit_append_only()"
                )
        else:  # pragma: no cover - only the two supported databases
            raise NotImplementedError(connection.vendor)


def uninstall(connection=None) -> None:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        elif connection.vendor == "postgresql":
            for name in POSTGRES_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {TABLE}")


def installed(connection=None) -> bool:
    """Whether every append-only trigger is present."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE]
            )
            expected = set(SQLITE_TRIGGERS)
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [TABLE],
            )
            expected = set(POSTGRES_TRIGGERS)
        return expected <= {row[0] for row in cursor.fetchall()}


@contextmanager
def unlocked(connection=None):
    """Lift the triggers for the current transaction only (archiving, development flush)."""
    connection = connection or default_connection
    if not connection.in_atomic_block:
        raise RuntimeError("the audit triggers may only be lifted inside a transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'on', true)", [UNLOCK_SETTING])
        try:
            yield
        finally:
            if not connection.needs_rollback:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config(%s, '', true)", [UNLOCK_SETTING])
    else:
        connection._audit_unlocked = True
        try:
            yield
        finally:
            connection._audit_unlocked = False


def install_after_migrate(sender, using="default", **kwargs):
    """post_migrate: SQLite drops a table's triggers when a migration rebuilds the table."""
    from django.db import connections

    connection = connections[using]
    if TABLE in connection.introspection.table_names():
        with transaction.atomic(using=using):
            install(connection)
