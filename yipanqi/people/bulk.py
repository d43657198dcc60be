"""The one bulk writer of the registry: persons, registrations and their timeline events, for
many rows at once (the registration import, the demo); `services.register` writes one.

- `Sealer`: ID numbers and phones as stored (AES-GCM, blind index, mask; P5), as `register`
  stores them, with the blind index's key pads prepared once (`core.fastindex`).
- `person_row`, `registration_row`, `event_row` and the events' data (`registered_data`,
  `linked_data`, `closed_data`, `details_changed_data`): the rows in the column order of
  `PERSON_FIELDS`, `REGISTRATION_FIELDS`, `EVENT_FIELDS`.
- `recorded_in_time` (R-REGN-1), and `Deadlines` for many rows (one calendar read a day).
- `Writer`: raw batch writes, `executemany` on SQLite; COPY on PostgreSQL. Both run inside the
  caller's transaction; the caller decides commit.

Keys are assigned here (SQLite: after MAX(id) under the write lock that an IMMEDIATE transaction
holds; PostgreSQL: drawn from the identity sequence), so registrations and events can name
their person and registration without a round trip per row. Column lists come from the models,
so a column another app adds later is filled with its default instead of breaking the writers.
"""

import contextlib
import datetime as dt
import json
import operator
from collections.abc import Callable, Iterable, Sequence

from django.db import connection, transaction

from yipanqi.core.crypto import field_cipher
from yipanqi.core.fastindex import indexer
from yipanqi.core.planner import refresh_statistics
from yipanqi.core.rawrows import write_rows
from yipanqi.people import idnumbers
from yipanqi.people.models import Person, PersonEvent, Registration, RegistrationStatus
from yipanqi.workdays.services import add_working_days

PERSON_FIELDS = (
    "id", "id_number_cipher", "id_number_index", "id_number_masked", "name", "sex", "birth_date",
    "phone_cipher", "phone_index", "phone_masked", "home_id", "residence_id", "marital_status",
    "spouse_id", "created_at", "updated_at",
)  # fmt: skip
REGISTRATION_FIELDS = (
    "id", "person_id", "kind", "status", "home_id", "residence_id", "dwelling_id",
    "registered_by_unit_id", "reason", "arrival_date", "received_on", "recorded_at",
    "recorded_in_time", "closed_on", "close_reason", "last_contact_on", "lost_contact",
    "created_by_id",
)  # fmt: skip
EVENT_FIELDS = ("id", "person_id", "at", "type", "actor_id", "unit_id", "data")
# R-REGN-1: the township records a village's report within 5 working days of receipt.
RECORDING_DEADLINE_WORKING_DAYS = 5


# --- R-REGN-1 ------------------------------------------------------------------------------------


def recording_due(received_on: dt.date) -> dt.date:
    """R-REGN-1: the last day for recording a report received on that day."""
    return add_working_days(received_on, RECORDING_DEADLINE_WORKING_DAYS).date


def recorded_in_time(
    received_on: dt.date,
    recorded_on: dt.date,
    *,
    due: Callable[[dt.date], dt.date] = recording_due,
) -> bool:
    """R-REGN-1: recorded within 5 working days of receipt (on the last day is in time).

    `due` is `recording_due` or a cache of it (`Deadlines`), never another rule."""
    return recorded_on <= due(received_on)


class Deadlines:
    """`recorded_in_time` for many rows: the calendar read once per day of receipt."""

    def __init__(self):
        self._due: dict[dt.date, dt.date] = {}

    def due(self, received_on: dt.date) -> dt.date:
        found = self._due.get(received_on)
        if found is None:
            found = self._due[received_on] = recording_due(received_on)
        return found

    def in_time(self, received_on: dt.date, recorded_on: dt.date) -> bool:
        return recorded_in_time(received_on, recorded_on, due=self.due)


# --- sealing (P5) ------------------------------------------------------------------------------


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:]


class Sealer:
    """ID numbers and phones as the registry stores them: (ciphertext, blind index, mask)."""

    def __init__(self):
        self.cipher = field_cipher()
        self.id_index = indexer("id")
        self.phone_index = indexer("phone")

    def id_number(self, value: str) -> tuple[bytes, str, str]:
        return (
            self.cipher.encrypt(value, associated=b"person.id"),
            self.id_index(value),
            idnumbers.mask(value),
        )

    def phone(self, phone: str) -> tuple[bytes | None, str, str]:
        """The stored forms of a phone; (None, "", "") for none."""
        if not phone:
            return None, "", ""
        return (
            self.cipher.encrypt(phone, associated=b"person.phone"),
            self.phone_index(phone),
            mask_phone(phone),
        )


# --- rows ----------------------------------------------------------------------------------------


# fmt: off
def person_row(pk, sealed_id, name, sex, birth_date, sealed_phone, home, residence, marital,
               spouse, created_at, updated_at) -> list:
    """A person in the order of PERSON_FIELDS (a list: the demo fills some values later);
    `sealed_id` and `sealed_phone` as `Sealer` gives them."""
    return [pk, *sealed_id, name, sex, birth_date, *sealed_phone, home, residence, marital,
            spouse, created_at, updated_at]


def registration_row(pk, person, kind, home, residence, dwelling, unit, reason, arrival,
                     received, recorded_at, in_time, *, last_contact_on=None, lost_contact=False,
                     created_by=None) -> list:
    """An active registration in the order of REGISTRATION_FIELDS; `in_time` is R-REGN-1's
    `recorded_in_time`."""
    return [pk, person, kind, RegistrationStatus.ACTIVE, home, residence, dwelling, unit, reason,
            arrival, received, recorded_at, in_time, None, "", last_contact_on, lost_contact,
            created_by]
# fmt: on


def event_row(pk, person, at, kind, actor, unit, data: str) -> tuple:
    """A timeline event in the order of EVENT_FIELDS; `data` is JSON (the builders below)."""
    return (pk, person, at, kind, actor, unit, data)


def _tail(job) -> str:
    return "" if job is None else f', "import": {job}'


def registered_data(registration: int, home: str, residence: str, arrival: dt.date, job=None):
    """`registered_inflow`/`registered_outflow`: as `register` writes it, plus the import job."""
    return (
        f'{{"registration": {registration}, "home": "{home}", "residence": "{residence}", '
        f'"arrival_date": "{arrival.isoformat()}"{_tail(job)}}}'
    )


def linked_data(inflow: int, outflow: int, job=None) -> str:
    """`linked` (R-REGN-2): the two registrations of one person."""
    return f'{{"inflow": {inflow}, "outflow": {outflow}{_tail(job)}}}'


def closed_data(registration: int, reason: str) -> str:
    return f'{{"registration": {registration}, "reason": "{reason}"}}'


def details_changed_data(registration: int, fields: Sequence[str], job=None) -> str:
    """`details_changed` of an import: which of the registration's fields changed."""
    return f'{{"registration": {registration}, "fields": {json.dumps(list(fields))}{_tail(job)}}}'


# Page cache for a run on SQLite: a million persons' random-keyed indexes stay in memory.
SQLITE_CACHE_KIB = 1024 * 1024
# An import that at least doubles the registry (a province's first load of its migrant
# database) and has this many rows builds the secondary indexes once at the end instead of
# keeping them up row by row: a sorted build is 3-5 times cheaper (PostgreSQL's "Populating a
# Database": remove indexes, load, re-create them). Smaller imports keep them.
REBUILD_MIN_ROWS = 50_000
# Kept during a rebuild: matching reads them while the rows go in, and the second enforces
# one active registration per kind while rows are written (the person's unique ID index is a
# table constraint and is never dropped).
_KEEP_INDEXES = frozenset({"registration_one_active_per_kind"})
# Memory for building an index on PostgreSQL (the server's default is 64 MB).
_PG_BUILD_MEMORY = "256MB"


class Table:
    """One model's table: the columns we write, then every other column with its default."""

    def __init__(self, model, fields: Sequence[str]):
        self.model = model
        self.name = model._meta.db_table
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        missing = [name for name in fields if name not in by_attname]
        if missing:
            raise RuntimeError(f"{self.name} has no columns {missing}")
        self.fields = tuple(fields)
        extra = [f for f in model._meta.concrete_fields if f.attname not in fields]
        self.columns = tuple(by_attname[name].column for name in fields) + tuple(
            f.column for f in extra
        )
        self.extra = tuple(_db_default(f) for f in extra)

    def rows(self, rows: Iterable[Sequence]) -> Iterable[Sequence]:
        if not self.extra:
            return rows
        extra = self.extra
        return ((*row, *extra) for row in rows)


def _db_default(field):
    value = field.get_default()
    if isinstance(value, dict | list):
        return json.dumps(value)
    return field.get_db_prep_save(value, connection)


class Writer:
    """The backend-specific part of an import; `for_connection()` picks it."""

    vendor = ""

    def __init__(self):
        connection.ensure_connection()
        self.persons = Table(Person, PERSON_FIELDS)
        self.registrations = Table(Registration, REGISTRATION_FIELDS)
        self.events = Table(PersonEvent, EVENT_FIELDS)
        self.rebuilt: list[str] = []  # the indexes set aside until end_bulk
        self.empty_at_start = False

    @staticmethod
    def for_connection() -> "Writer":
        if connection.vendor == "postgresql":
            return PostgresWriter()
        return SqliteWriter()

    @contextlib.contextmanager
    def session(self):
        yield

    def begin(self, expected_rows: int = 0) -> None:
        """Inside the transaction, before matching: make the registry ours until commit; and
        when the import at least doubles it, set the secondary indexes aside (see
        REBUILD_MIN_ROWS) until `end_bulk`."""
        stored = self.stored_persons()
        # Nobody else adds persons until commit, so an empty registry has nothing to match
        # (the file's own repeats are found before matching).
        self.empty_at_start = stored == 0
        if expected_rows >= REBUILD_MIN_ROWS and expected_rows >= stored:
            self.rebuilt = self.drop_secondary_indexes()

    def datetime(self, value):
        return value

    def end_bulk(self) -> None:
        """After the bulk rows, before statistics, notifications and audit rows: the indexes
        set aside are built again, in this transaction (a failure rolls the import back)."""
        with connection.cursor() as cursor:
            for ddl in self.rebuilt:
                cursor.execute(ddl)
        self.rebuilt = []
        refresh_statistics(self._tables())  # the planner's view of the registry it just grew

    def stored_persons(self) -> int:
        """About how many persons the registry holds (the highest key: no scan)."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {self.persons.name}")  # noqa: S608
            return int(cursor.fetchone()[0])

    def secondary_indexes(self) -> list[tuple[str, str]]:
        """(name, CREATE statement) of the registry tables' indexes that a bulk load may set
        aside: neither a primary key, nor a constraint's, nor one of _KEEP_INDEXES."""
        raise NotImplementedError

    def drop_secondary_indexes(self) -> list[str]:
        indexes = self.secondary_indexes()
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for name, _ddl in indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
        return [ddl for _name, ddl in indexes]

    def _tables(self) -> list[str]:
        return [self.persons.name, self.registrations.name, self.events.name]

    # --- reads -------------------------------------------------------------------------------

    def match_persons(self, indexes: list[str]) -> dict[str, tuple]:
        """{id_number_index: (id, name, home_id, residence_id, marital_status, phone_index)}
        of the persons already stored."""
        if not indexes or self.empty_at_start:
            return {}
        return self._match(indexes)

    def _match(self, indexes: list[str]) -> dict[str, tuple]:
        one_of, values = self._one_of(indexes)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id_number_index, id, name, home_id, residence_id, marital_status, "  # noqa: S608
                f"phone_index FROM {self.persons.name} WHERE id_number_index {one_of}",
                [values],
            )
            return {row[0]: row[1:] for row in cursor.fetchall()}

    def _one_of(self, values: list[str]) -> tuple[str, object]:
        raise NotImplementedError

    def active_registrations(self, person_ids: list[int]) -> list[tuple]:
        """(id, person_id, kind, home_id, residence_id, dwelling_id, reason, arrival_date,
        registered_by_unit_id, received_on, recorded_in_time) of these persons' active
        registrations."""
        found: list[tuple] = []
        table = self.registrations.name
        with connection.cursor() as cursor:
            for start in range(0, len(person_ids), 500):
                chunk = person_ids[start : start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    "SELECT id, person_id, kind, home_id, residence_id, dwelling_id, reason, "  # noqa: S608
                    f"arrival_date, registered_by_unit_id, received_on, recorded_in_time FROM {table} "
                    f"WHERE status = 'active' AND person_id IN ({marks})",
                    chunk,
                )
                found.extend(cursor.fetchall())
        return found

    # --- writes ------------------------------------------------------------------------------

    def next_ids(self, table: Table, count: int) -> list[int]:
        raise NotImplementedError

    def insert(self, table: Table, rows: list[Sequence]) -> None:
        if rows:
            write_rows(table.name, table.columns, table.rows(rows))

    def insert_new_persons(self, rows: list[tuple]) -> None:
        self.insert(self.persons, rows)

    def execute_many(self, sql: str, params: list[tuple]) -> None:
        if params:
            with connection.cursor() as cursor:
                cursor.executemany(sql, params)


class SqliteWriter(Writer):
    vendor = "sqlite"

    def __init__(self):
        super().__init__()
        self._next: dict[str, int] = {}

    @contextlib.contextmanager
    def session(self):
        """A large page cache; and, when no transaction is open yet, no per-row foreign-key
        lookups (every key written was read from its table or assigned here). Inside an
        enclosing transaction SQLite ignores the pragma and keeps checking."""
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            cache_size = int(cursor.fetchone()[0])
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        try:
            if connection.in_atomic_block:
                yield
            else:
                with connection.constraint_checks_disabled():
                    yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {cache_size}")

    def datetime(self, value):
        return connection.ops.adapt_datetimefield_value(value)

    def secondary_indexes(self) -> list[tuple[str, str]]:
        # Constraint indexes (primary keys, UNIQUE in CREATE TABLE) have no SQL of their own.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                "AND tbl_name IN (%s, %s, %s) ORDER BY name",
                self._tables(),
            )
            return [(name, sql) for name, sql in cursor.fetchall() if name not in _KEEP_INDEXES]

    def _one_of(self, values: list[str]) -> tuple[str, object]:
        """`IN` a list of values, as one parameter: (SQL after the column, the parameter)."""
        return "IN (SELECT value FROM json_each(%s))", json.dumps(values)

    def next_ids(self, table: Table, count: int) -> list[int]:
        start = self._next.get(table.name)
        if start is None:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table.name}")  # noqa: S608
                start = cursor.fetchone()[0] + 1
                # AUTOINCREMENT never reuses a key, also one whose row is gone.
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table.name])
                row = cursor.fetchone()
                if row and row[0] is not None:
                    start = max(start, int(row[0]) + 1)
        self._next[table.name] = start + count
        return list(range(start, start + count))


class PostgresWriter(Writer):
    vendor = "postgresql"

    def __init__(self):
        super().__init__()
        self._sequences: dict[str, str] = {}  # table -> its identity sequence

    def begin(self, expected_rows: int = 0) -> None:
        """Lock persons against concurrent writes (reads go on) so that matching holds until
        commit; skip the per-row foreign-key triggers for the bulk rows when the database role
        may (see `trusted_keys`).

        A bulk load that sets the indexes aside (Writer.begin) holds the registry tables
        exclusively until commit: readers wait for it, as they would for any schema change."""
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {self.persons.name} IN SHARE ROW EXCLUSIVE MODE")  # noqa: S608
        self.trusted_keys = self._trust_keys()
        super().begin(expected_rows)
        if self.rebuilt:
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL maintenance_work_mem = '{_PG_BUILD_MEMORY}'")

    def secondary_indexes(self) -> list[tuple[str, str]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid "
                "JOIN pg_class t ON t.oid = x.indrelid "
                "WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace "
                "AND NOT x.indisprimary AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
                "ORDER BY i.relname",
                [self._tables()],
            )
            return [(name, ddl) for name, ddl in cursor.fetchall() if name not in _KEEP_INDEXES]

    def _trust_keys(self) -> bool:
        """The keys the import writes are valid by construction: divisions read from their
        table in this transaction (never deleted: PROTECT), persons and registrations keyed
        here. Deferred to commit, PostgreSQL would still check each of them row by row (a
        third of the time of a large import); a superuser role can skip those checks for
        this transaction only (`session_replication_role`), others keep them."""
        from django.db import DatabaseError

        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:
            return False
        return True

    def end_bulk(self) -> None:
        """The indexes back, then normal triggers before statistics, notifications and audit
        rows."""
        super().end_bulk()
        if getattr(self, "trusted_keys", False):
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")

    def _one_of(self, values: list[str]) -> tuple[str, object]:
        return "= ANY(%s)", values

    def next_ids(self, table: Table, count: int) -> list[int]:
        """Keys from the table's identity sequence, in one array (one row, not one per key)."""
        if count == 0:
            return []
        sequences = self._sequences
        if table.name not in sequences:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table.name])
                sequences[table.name] = cursor.fetchone()[0]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT array_agg(nextval(%s::regclass)) FROM generate_series(1, %s)",
                [sequences[table.name], count],
            )
            return list(cursor.fetchone()[0])

    def insert_new_persons(self, rows: list[tuple]) -> None:
        """COPY straight into the persons table, in blind-index order (the unique index is
        filled left to right). Matching ran under the lock taken in `begin`, so none of these
        IDs can be stored by now; the unique constraint would still refuse one (and with it
        the whole import) rather than store a person twice."""
        if rows:
            self.insert(self.persons, sorted(rows, key=_blind_index_of))


_blind_index_of = operator.itemgetter(PERSON_FIELDS.index("id_number_index"))
