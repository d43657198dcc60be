"""The registration import: read, check, match, write, notify; one transaction, in batches.

Nothing lost, nothing doubled (issue 5, R-EX-5):
- All or nothing by default: one transaction for the whole file; any rejected row rolls it
  back and the rejection report says why. `valid_rows_only` commits the valid rows.
- The natural key of a registration is the ID number's blind index, the kind and the own side's
  place (residence for inflow, home for outflow). A row whose key is already active and whose
  data is the same changes nothing; with other data it is an update; a person registered
  elsewhere is moved (the old registration closes as superseded, R-REGN-6).
- A process killed mid-import never commits: the database is as it was.

The rules are the registration service's (see checks.py); what this module adds is doing the
same writes for many rows at once (people.bulk), without an ORM round trip per row.
"""

import contextlib
import copy
import datetime as dt
import gc
import itertools
import time
import types
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yipanqi.core.errors import Rejected
from yipanqi.imports.batches import Reader
from yipanqi.imports.checks import Candidate, RowChecker
from yipanqi.imports.columns import auto_mapping, fields_for, find_header, missing_required
from yipanqi.imports.reading import Layout, Table, open_table
from yipanqi.imports.values import RowError
from yipanqi.people import idnumbers
from yipanqi.people.bulk import (
    REGISTRATION_FIELDS,
    Deadlines,
    details_changed_data,
    event_row,
    linked_data,
    person_row,
    registered_data,
    registration_row,
)
from yipanqi.people.models import (
    CloseReason,
    EventType,
    RegistrationKind,
    RegistrationStatus,
)

# The writer writes a batch in slices of this many rows, reporting progress after each.
WRITE_SLICE = 5_000
# From this many rows the reader runs in a process of its own (a second core: a thread shares
# the interpreter lock with the writer, whose driver takes and gives it back on every row).
PROCESS_MIN_ROWS = 20_000
# Up to this many registrations added or changed, statistics follow row by row (live path).
LIVE_STATS_LIMIT = 2_000
NAME_MISMATCH = (
    "This ID number is already registered under another name. "
    "Please check the name and the ID number."
)


@dataclass
class Outcome:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0
    notified: int = 0
    committed: bool = False
    seconds: float = 0.0
    errors: dict[int, list[str]] = field(default_factory=dict)
    # Filled by notifications: (person id, inflow registration id, home-side unit).
    notices: list[tuple[int, int, str]] = field(default_factory=list, repr=False)
    # Rows written by feeds (leads, outcomes) report their own counts.
    extra: dict = field(default_factory=dict)

    def summary(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "skipped": self.skipped,
            "notified": self.notified,
            "committed": self.committed,
            **self.extra,
        }


def detect_layout(table: Table, kind: str, *, header_row: int | None = None, mapping=None):
    """The header row (given, or found among the top rows) and the column mapping."""
    fields = fields_for(kind)
    head = table.head(40)
    if header_row is None:
        header_row = find_header(head, fields)
        if header_row is None:
            raise Rejected.because(
                _(
                    "No header row was found in the first rows of the file. The header must "
                    "name the columns, for example 姓名, 身份证号, 户籍地, 现居住地."
                ),
                "file",
            )
    if header_row >= len(head):
        raise Rejected.because(_("The file has fewer rows than the header row chosen."), "file")
    headers = list(head[header_row])
    chosen = (
        {str(k): v for k, v in mapping.items() if v} if mapping else auto_mapping(headers, fields)
    )
    known = {f.name for f in fields}
    unknown = sorted(set(chosen.values()) - known)
    if unknown:
        raise Rejected.because(_("Unknown field: %(name)s.") % {"name": unknown[0][:40]}, "file")
    if len(set(chosen.values())) != len(chosen):
        raise Rejected.because(_("Two columns are mapped to the same field."), "file")
    missing = missing_required(chosen, fields)
    if missing:
        raise Rejected.because(
            _("These required columns were not found: %(columns)s.")
            % {"columns": "、".join(str(f.label) for f in missing)},
            "file",
        )
    return Layout(header_row, headers, chosen)


def count_rows(table: Table) -> int:
    """About how many rows the file has, for the progress bar (CSV: line breaks)."""
    return table.height()


@dataclass
class ImportRequest:
    """What to import and on whose behalf; `unit` is the own side (residence or home)."""

    path: object
    kind: str
    unit: str
    acting_user: object = None
    valid_rows_only: bool = False
    dry_run: bool = False
    header_row: int | None = None
    mapping: dict | None = None
    sheet: str = ""
    today: dt.date | None = None
    job_id: int | None = None
    # progress(done, total, *, checked=, written=, phase=): rows read and checked, rows
    # written, and the phase (reading, writing, finishing); done is their mean.
    progress: Callable[..., None] | None = None
    # When the file arrived (a feed's timeliness, R-FEED-1); now unless the demo replays a year.
    now: dt.datetime | None = None
    # Feeds: a DivisionResolver of this unit to reuse (it reads the divisions when built).
    resolver: object = None


class _Rollback(Exception):
    pass


def import_registrations(request: ImportRequest) -> Outcome:
    """Import inflow or outflow registrations (R-REGN-1..3, R-JUR-3); see the module doc.

    Reading, checking and encrypting run one batch ahead of the writer: in a reader process
    for a large file, in a reader thread for a small one; inside an enclosing transaction
    (tests, nested calls) everything runs in this thread instead.
    """
    from yipanqi.people.bulk import Writer

    started = time.perf_counter()
    table = open_table(request.path, sheet=request.sheet)
    layout = detect_layout(
        table, request.kind, header_row=request.header_row, mapping=request.mapping
    )
    total = max(count_rows(table) - layout.header_row - 1, 0)
    today = request.today or timezone.localdate()
    writer = Writer.for_connection()
    run = _Run(request, writer, today)
    reader = Reader(table, layout, RowChecker(kind=request.kind, unit=request.unit, today=today))
    mode = "inline"
    if not transaction.get_connection().in_atomic_block:
        mode = "process" if total >= PROCESS_MIN_ROWS else "thread"
    outcome = run.outcome

    data_start = layout.header_row + 1
    written = 0

    def beat(phase: str) -> None:
        """Progress, and the job's heartbeat between long steps (services.read_progress):
        the rows read and checked and the rows written both move the bar (issue 12.16)."""
        if request.progress:
            checked = reader.read
            whole = max(total, checked)
            done = whole if phase == "finishing" else written
            request.progress(
                (checked + done) // 2, whole, checked=checked, written=done, phase=phase
            )

    with (
        writer.session(),
        _without_cyclic_gc(),
        contextlib.closing(reader.batches(mode=mode)) as batches,
    ):
        try:
            # Reading and checking hold no write lock (issue 16.2): the transaction, which on
            # SQLite takes the database's write lock at BEGIN, starts once the reader has
            # opened the file and checked a first batch; from then on it stays ahead.
            beat("reading")
            first = None
            for item in batches:
                if item is None:  # a tick: rows read and checked, none ready yet
                    beat("reading")
                    continue
                first = item
                break
            with transaction.atomic():
                writer.begin(expected_rows=total)
                for batch in itertools.chain([first] if first else [], batches):
                    if batch is None:
                        beat("writing")
                        continue
                    for start in range(0, len(batch), WRITE_SLICE):
                        part = batch[start : start + WRITE_SLICE]
                        run.write(part)
                        written = max(written, part[-1].row - data_start)
                        beat("writing")
                outcome.rows, outcome.skipped = reader.rows, reader.skipped
                for number, messages in reader.errors.items():
                    run.reject(number, messages)
                writer.end_bulk()
                beat("finishing")
                run.count_in_stats()
                run.finish_notices()
                if request.dry_run or (outcome.rejected and not request.valid_rows_only):
                    raise _Rollback
                beat("finishing")  # the last word: a job given up for dead is not committed now
                outcome.committed = True
        except _Rollback:
            outcome.committed = False
    if not outcome.committed:
        outcome.notified = 0
    outcome.seconds = time.perf_counter() - started
    return outcome


@contextlib.contextmanager
def _without_cyclic_gc():
    """No cyclic garbage collection while a file goes in: its millions of tuples, candidates
    and counted rows hold no cycles (reference counting frees them), but every collection
    would walk all those still alive, a third of a large import's time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Run:
    """The state of one import: caches, counters and the keys handed out."""

    def __init__(self, request: ImportRequest, writer, today: dt.date):
        self.request = request
        self.kind = request.kind
        self.unit = request.unit
        self.writer = writer
        self.today = today
        self.now = timezone.now()
        self.outcome = Outcome()
        self.seen: dict[str, int] = {}
        self.user_id = getattr(request.acting_user, "pk", None)
        self.job = "null" if request.job_id is None else str(int(request.job_id))
        self.deadlines = Deadlines()
        self._now_db = writer.datetime(self.now)
        self.inflow = request.kind == RegistrationKind.INFLOW
        self.event_type = (
            EventType.REGISTERED_INFLOW if self.inflow else EventType.REGISTERED_OUTFLOW
        )
        # R-STAT-1: what changed, for the statistics counters at the end.
        self.created_ids: list[int] = []
        # The registrations created, as the statistics' in-memory predicates read them.
        self.created_facts: list[types.SimpleNamespace] = []
        self.changed: list[tuple[int, dict]] = []  # (registration id, fields before)
        self.closed: list[int] = []  # registrations closed as superseded (R-REGN-6)
        self.marital_before: dict[int, str] = {}  # person id -> marital status before

    def reject(self, row: int, messages: list[str]) -> None:
        self.outcome.rejected += 1
        self.outcome.errors[row] = messages

    def _event_data(self, registration: int, c: Candidate) -> str:
        return registered_data(registration, c.home, c.residence, c.arrival, self.job)

    def _registration_row(self, rid: int, pid: int, c: Candidate) -> list:
        return registration_row(
            rid, pid, self.kind, c.home, c.residence, c.dwelling, self.unit, c.reason,
            c.arrival, c.received, self._now_db, self.deadlines.in_time(c.received, self.today),
            last_contact_on=None if self.inflow else c.arrival, created_by=self.user_id,
        )  # fmt: skip

    def _remember(self, registration: list, pid: int, c: Candidate) -> None:
        """The registration as written, with its person as she is after this import (sex and
        birth from the ID, the file's marital status), for counting it in memory."""
        fact = types.SimpleNamespace(**dict(zip(REGISTRATION_FIELDS, registration, strict=True)))
        fact.pk = fact.id
        fact.recorded_at = self.now
        fact.person = types.SimpleNamespace(
            pk=pid, id=pid, name=c.name, sex=c.ident.sex, birth_date=c.ident.birth_date,
            marital_status=c.marital, home_id=c.home, residence_id=c.residence,
        )  # fmt: skip
        self.created_facts.append(fact)

    def write(self, batch: list[Candidate]) -> None:
        if not batch:
            return
        fresh: list[tuple[str, Candidate]] = []
        for c in batch:
            first = self.seen.get(c.ident.value)
            if first is not None:
                self.reject(
                    c.row,
                    [
                        RowError(
                            _("This ID number is already in row %(row)s of this file.")
                            % {"row": first},
                            "id_number",
                        )
                    ],
                )
                continue
            self.seen[c.ident.value] = c.row
            fresh.append((c.index, c))
        stored = self.writer.match_persons([index for index, _c in fresh])
        new = [(index, c) for index, c in fresh if index not in stored]
        known = [(stored[index], c) for index, c in fresh if index in stored]
        self._write_new(new)
        if known:
            self._write_known(known)

    def _write_new(self, new: list[tuple[str, Candidate]]) -> None:
        if not new:
            return
        writer = self.writer
        count = len(new)
        person_ids = writer.next_ids(writer.persons, count)
        registration_ids = writer.next_ids(writer.registrations, count)
        event_ids = writer.next_ids(writer.events, count)
        now = self._now_db
        mask = idnumbers.mask
        persons, registrations, events = [], [], []
        for (index, c), pid, rid, eid in zip(
            new, person_ids, registration_ids, event_ids, strict=True
        ):
            persons.append(
                person_row(
                    pid, (c.id_cipher, index, mask(c.ident.value)), c.name, c.ident.sex,
                    c.ident.birth_date, (c.phone_cipher, c.phone_index, c.phone_masked), c.home,
                    c.residence, c.marital, None, now, now,
                )
            )  # fmt: skip
            registration = self._registration_row(rid, pid, c)
            registrations.append(registration)
            self._remember(registration, pid, c)
            data = self._event_data(rid, c)
            events.append(event_row(eid, pid, now, self.event_type, self.user_id, self.unit, data))
        writer.insert_new_persons(persons)
        writer.insert(writer.registrations, registrations)
        self.created_ids.extend(registration_ids)
        writer.insert(writer.events, events)
        self.outcome.created += count

    def _write_known(self, known: list[tuple[tuple, Candidate]]) -> None:
        """Persons already in the registry: same key unchanged or updated, else a new
        registration (moving them: the old one closes), linked to the other side's."""
        writer = self.writer
        active: dict[int, dict[str, tuple]] = {}
        for reg in writer.active_registrations([state[0] for state, _c in known]):
            active.setdefault(reg[1], {})[reg[2]] = reg
        own = "residence" if self.inflow else "home"
        other_kind = RegistrationKind.OUTFLOW if self.inflow else RegistrationKind.INFLOW
        person_updates, registration_updates, closes, created = [], [], [], []
        events: list[tuple] = []  # (person id, type, data) — keys assigned below
        contact_updates: list[tuple] = []
        for state, c in known:
            pid, name, home, residence, marital, phone_index = state
            if name != c.name:
                self.reject(c.row, [RowError(_(NAME_MISMATCH), "name")])
                continue
            regs = active.get(pid, {})
            reg = regs.get(self.kind)
            new_phone = c.phone_index or None
            if reg is not None and (reg[4] if own == "residence" else reg[3]) == (
                c.residence if own == "residence" else c.home
            ):
                changed = []
                if c.marital != marital:
                    changed.append("marital_status")
                    self.marital_before[pid] = marital
                if new_phone and new_phone != phone_index:
                    changed.append("phone")
                reg_changed = []
                other_place = reg[3] if own == "residence" else reg[4]
                if other_place != (c.home if own == "residence" else c.residence):
                    reg_changed.append("home" if own == "residence" else "residence")
                if _as_date(reg[7]) != c.arrival:
                    reg_changed.append("arrival_date")
                if reg[6] != c.reason:
                    reg_changed.append("reason")
                if (reg[5] or None) != c.dwelling:
                    reg_changed.append("dwelling")
                if not changed and not reg_changed:
                    self.outcome.unchanged += 1
                    continue
                if changed:
                    person_updates.append((pid, c, bool(new_phone and "phone" in changed), home))
                if reg_changed:
                    registration_updates.append((c.home, c.residence, c.arrival, c.reason,
                                                 c.dwelling, reg[0]))  # fmt: skip
                    self.changed.append(
                        (reg[0], {"home_id": reg[3], "residence_id": reg[4],
                                  "dwelling_id": reg[5], "reason": reg[6],
                                  "arrival_date": _as_date(reg[7])})
                    )  # fmt: skip
                events.append(
                    (pid, EventType.DETAILS_CHANGED,
                     details_changed_data(reg[0], changed + reg_changed, self.job))
                )  # fmt: skip
                self.outcome.updated += 1
                continue
            if reg is not None:
                closes.append(reg[0])  # moved on: R-REGN-6, history kept
            if c.marital != marital:
                self.marital_before[pid] = marital
            new_home = c.home if not self.inflow else home
            person_updates.append((pid, c, bool(c.phone), new_home))
            created.append((pid, c, regs.get(other_kind)))
        if closes:
            writer.execute_many(
                f"UPDATE {writer.registrations.name} SET status = %s, close_reason = %s, "  # noqa: S608
                "closed_on = %s WHERE id = %s",
                [(RegistrationStatus.CLOSED, CloseReason.SUPERSEDED, self.today, rid)
                 for rid in closes],
            )  # fmt: skip
            self.closed.extend(closes)
        self._update_persons(person_updates)
        if registration_updates:
            writer.execute_many(
                f"UPDATE {writer.registrations.name} SET home_id = %s, residence_id = %s, "  # noqa: S608
                "arrival_date = %s, reason = %s, dwelling_id = %s WHERE id = %s",
                registration_updates,
            )
        registration_ids = writer.next_ids(writer.registrations, len(created))
        rows = []
        for (pid, c, counterpart), rid in zip(created, registration_ids, strict=True):
            registration = self._registration_row(rid, pid, c)
            rows.append(registration)
            self._remember(registration, pid, c)
            events.append((pid, self.event_type, self._event_data(rid, c)))
            if counterpart is not None:
                # R-REGN-2: the same ID on both sides links the records.
                inflow, outflow = (rid, counterpart[0]) if self.inflow else (counterpart[0], rid)
                events.append((pid, EventType.LINKED, linked_data(inflow, outflow, self.job)))
                if self.inflow:
                    # R-REGN-4: the residence registering her is news of an outflow person.
                    contact_updates.append((self.today, counterpart[0]))
                    self.outcome.notices.append((pid, rid, counterpart[8]))
        writer.insert(writer.registrations, rows)
        self.created_ids.extend(registration_ids)
        if contact_updates:
            writer.execute_many(
                f"UPDATE {writer.registrations.name} SET last_contact_on = %s, "  # noqa: S608
                "lost_contact = FALSE WHERE id = %s",
                contact_updates,
            )
        event_ids = writer.next_ids(writer.events, len(events))
        writer.insert(
            writer.events,
            [
                event_row(eid, pid, self._now_db, kind, self.user_id, self.unit, data)
                for eid, (pid, kind, data) in zip(event_ids, events, strict=True)
            ],
        )
        self.outcome.created += len(created)

    def _update_persons(self, updates: list[tuple]) -> None:
        if not updates:
            return
        table = self.writer.persons.name
        with_phone, without_phone = [], []
        for pid, c, phone, home in updates:
            if phone:
                with_phone.append(
                    (home, c.residence, c.marital, c.phone_cipher, c.phone_index,
                     c.phone_masked, self._now_db, pid)
                )  # fmt: skip
            else:
                without_phone.append((home, c.residence, c.marital, self._now_db, pid))
        self.writer.execute_many(
            f"UPDATE {table} SET home_id = %s, residence_id = %s, marital_status = %s, "  # noqa: S608
            "phone_cipher = %s, phone_index = %s, phone_masked = %s, updated_at = %s "
            "WHERE id = %s",
            with_phone,
        )
        self.writer.execute_many(
            f"UPDATE {table} SET home_id = %s, residence_id = %s, marital_status = %s, "  # noqa: S608
            "updated_at = %s WHERE id = %s",
            without_phone,
        )

    def count_in_stats(self) -> None:
        """R-STAT-1: the statistics counters change in this transaction, as register() does.

        A few rows go through the counters' live path row by row. A bulk load counts the rows
        it added with the families' own in-memory predicates (those of the live path) on the
        rows as written, or for a family whose in-memory predicate reads another table
        (`Family.reads_other_tables`) with its SQL predicate (the one
        `recount` uses) restricted to this import's rows, then applies the difference to each
        division and its ancestors in one upsert. `counters.check()` after a bulk import
        proves the two agree (test_registration_import).
        """
        from yipanqi.ledger import counters
        from yipanqi.people.models import Registration

        rows = Registration.objects.select_related("person")
        if len(self.created_ids) + len(self.changed) <= LIVE_STATS_LIMIT:
            for start in range(0, len(self.created_ids), 500):
                for registration in rows.filter(pk__in=self.created_ids[start : start + 500]):
                    counters.fact_added(registration)
        elif self.created_ids:
            counters.apply_delta(self._bulk_delta())
        self._count_changes(rows)

    def _count_changes(self, rows) -> None:
        """Registrations that were there before this import and changed: their own fields
        (updated, or closed as superseded) or their person's marital status (R-STAT-1 service
        coverage). Each is counted once, from its state before this import to its state now."""
        from yipanqi.ledger import counters
        from yipanqi.people.models import Registration

        reverted: dict[int, dict] = defaultdict(dict)
        for pk, before_fields in self.changed:
            reverted[pk].update(before_fields)
        for pk in self.closed:
            reverted[pk].update(status=RegistrationStatus.ACTIVE, closed_on=None, close_reason="")
        if self.marital_before:
            created = set(self.created_ids)
            persons = list(self.marital_before)
            for start in range(0, len(persons), 500):
                for pk in Registration.objects.filter(
                    person_id__in=persons[start : start + 500]
                ).values_list("pk", flat=True):
                    if pk not in created:  # a new one is counted as she is now
                        reverted.setdefault(pk, {})
        pks = sorted(reverted)
        for start in range(0, len(pks), 500):
            for after in rows.filter(pk__in=pks[start : start + 500]):
                before = copy.copy(after)
                for name, value in reverted[after.pk].items():
                    setattr(before, name, value)
                marital = self.marital_before.get(after.person_id)
                if marital is not None:
                    before.person = copy.copy(after.person)
                    before.person.marital_status = marital
                counters.fact_changed(before, after)

    def _bulk_delta(self) -> dict:
        from yipanqi.ledger.counters import contributions
        from yipanqi.ledger.families import families_of
        from yipanqi.people.models import Registration

        delta: dict = defaultdict(int)
        in_memory = []
        for family in families_of(Registration._meta.label):
            if family.reads_other_tables:  # one query for all rows, not a lookup per row
                self._sql_delta(family, delta)
            else:
                in_memory.append(family)
        for fact in self.created_facts:
            for family in in_memory:
                for cell, n in contributions(family, fact).items():
                    delta[cell] += n
        return delta

    def _sql_delta(self, family, delta: dict) -> None:
        """The family's counts of this import's rows, grouped by day in SQL (months are cut
        in Python)."""
        from django.db.models import Count

        mine = {
            "pk__gte": min(self.created_ids),
            "pk__lte": max(self.created_ids),
            "recorded_at": self.now,
            "registered_by_unit_id": self.unit,
        }
        fields = [family.division, family.month_field]
        if family.key_field:
            fields.append(family.key_field)
        counts = {f"c{i}": Count("pk", filter=c.q) for i, c in enumerate(family.counts)}
        groups = family.queryset().filter(**mine).values(*fields).annotate(**counts)
        for group in groups.order_by():
            code = group[family.division]
            month = family.month_of(types.SimpleNamespace(**group))
            if not code or month is None:
                continue
            key = str(group[family.key_field] or "") if family.key_field else ""
            for i, count in enumerate(family.counts):
                if group[f"c{i}"]:
                    delta[(count.metric, key, code, month)] += group[f"c{i}"]

    def finish_notices(self) -> None:
        """R-EX-2 / R-REGN-2: tell the home side of each linked inflow, exactly once."""
        if not self.outcome.notices:
            return
        from yipanqi.imports.notices import send_linked_notices

        self.outcome.notified = send_linked_notices(
            self.outcome.notices,
            sender=self.unit,
            acting_user=self.request.acting_user,
            now=self.now,
        )


def _as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
