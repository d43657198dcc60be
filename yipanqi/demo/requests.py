"""Demo requests: a verification request (R-EX-4) for every third inflow registration, so that
inboxes, deadlines and the timeliness rate (R-STAT-1) show real figures in a demo of any size.

Each goes from her residence village to her home township the day after her registration was
received, under the rule set and deadline `regions.rules` picks for the two provinces, due on
the working day `workdays` computes (R-WD-2). Of those due before today, a quarter each was
answered on time, answered late (after the sweep marked it overdue), is still overdue, or was
answered within two days; the others are open. The timeline (sent, delivered, overdue,
answered) is written with them, the sent and delivered steps as exchange builds them for every
request (`exchange.events.sending_steps`).

Written once per demo database (nothing is added when demo requests exist), raw in batches
(COPY on PostgreSQL, executemany on SQLite) with keys assigned here, in one transaction, then
counted set-based like the rest of the demo (`ledger.counters.recount`).
"""

import datetime as dt
import json
from collections.abc import Iterator

from django.db import connection, transaction
from django.utils import timezone

from yipanqi.core.planner import refresh_statistics
from yipanqi.demo.generate import continue_identity, write_rows

KEY_PREFIX = "demo-verification-"
QUESTION = "请核实其户籍地址和婚姻状况是否与登记一致。"
ANSWER = "已核实，与登记一致。"
# One registration in this many gets a request (by its key, so a rerun picks the same ones).
EVERY = 3
_BATCH = 20_000

REQUEST_COLUMNS = (
    "id", "type", "sender_id", "receiver_id", "payload", "subject", "created_at",
    "delivered_at", "due_on", "deadline_days", "due_fallback", "rule_set_id", "rule_reason",
    "status", "overdue_at", "answer", "answered_at", "escalation_reason", "idempotency_key",
    "decision",
)  # fmt: skip
PERSON_COLUMNS = ("request_id", "person_id")
EVENT_COLUMNS = ("request_id", "at", "type", "unit_id", "data")


def add_demo_requests(*, today: dt.date | None = None) -> int:
    """Add the demo's requests; the number added (0 when demo requests exist already)."""
    from yipanqi.exchange.models import Request, RequestEvent
    from yipanqi.ledger.counters import recount

    if Request.objects.filter(idempotency_key__startswith=KEY_PREFIX).exists():
        return 0
    today = today or timezone.localdate()
    tables = (
        Request._meta.db_table,
        Request.persons.through._meta.db_table,
        RequestEvent._meta.db_table,
    )
    added = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {tables[0]}, {tables[2]} IN SHARE ROW EXCLUSIVE MODE")  # noqa: S608
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {tables[0]}")  # noqa: S608
        next_id = cursor.fetchone()[0] + 1
        builder = _Builder(today, next_id)
        for requests, persons, events in builder.batches():
            for table, columns, rows in zip(
                tables, (REQUEST_COLUMNS, PERSON_COLUMNS, EVENT_COLUMNS), (requests, persons, events),
                strict=True,
            ):  # fmt: skip
                write_rows(table, columns, rows)
            added += len(requests)
        if added:
            continue_identity(tables[0], builder.next_id - 1)
            # R-STAT-1: the request families counted again from the rows, set-based.
            recount("req.due")
            recount("req.sent")
            refresh_statistics(tables)
    return added


class _Builder:
    """The rows of each batch of requests: the request, its person, its timeline."""

    def __init__(self, today: dt.date, next_id: int):
        from yipanqi.workdays.services import CHINA_TZ

        self.today = today
        self.now = timezone.now()
        self.next_id = next_id
        self.tz = CHINA_TZ
        self.rules: dict = {}
        self.dues: dict = {}
        self.aware = connection.vendor == "postgresql"
        self.payload = json.dumps({"question": QUESTION}, ensure_ascii=False)

    def batches(self) -> Iterator[tuple[list, list, list]]:
        from yipanqi.people.models import Registration

        stays = (
            Registration.objects.filter(kind="inflow")
            .values_list("pk", "person_id", "residence_id", "home_id", "received_on")
            .order_by("pk")
        )
        requests: list = []
        persons: list = []
        events: list = []
        for pk, person_id, residence, home, received in stays.iterator(chunk_size=_BATCH):
            if pk % EVERY:
                continue
            self._add(pk, person_id, residence, home, received, requests, persons, events)
            if len(requests) >= _BATCH:
                yield requests, persons, events
                requests, persons, events = [], [], []
        if requests:
            yield requests, persons, events

    def _add(self, pk, person_id, residence, home, received, requests, persons, events) -> None:
        from yipanqi.exchange.events import sending_steps
        from yipanqi.exchange.models import RequestEventType, RequestStatus, RequestType

        receiver = home[:9]
        if not residence or not receiver or residence.startswith(receiver):
            return  # within her own township: nothing to ask another jurisdiction
        created = dt.datetime.combine(received + dt.timedelta(days=1), dt.time(10), tzinfo=self.tz)
        if created > self.now:
            return
        rule_set, reason, days = self._rules(residence, receiver, created.date())
        due, fallback = self._due(created.date(), days)
        request_id = self.next_id
        self.next_id += 1
        answered = overdue = None
        status = RequestStatus.DELIVERED
        if due < self.today:
            outcome = pk % 4
            late_stamp = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(1), tzinfo=self.tz)
            if outcome == 0:
                answered = created + dt.timedelta(days=(due - created.date()).days // 2)
            elif outcome == 1:
                overdue = late_stamp
                answered = dt.datetime.combine(
                    due + dt.timedelta(days=3), dt.time(9), tzinfo=self.tz
                )
            elif outcome == 2:
                overdue = late_stamp
            else:
                answered = created + dt.timedelta(days=2)
            status = RequestStatus.ANSWERED if answered else RequestStatus.OVERDUE
        at = self._moment
        requests.append((
            request_id, RequestType.VERIFICATION.value, residence, receiver, self.payload,
            QUESTION, at(created), at(created), due, days, fallback, rule_set, reason,
            status.value, at(overdue), ANSWER if answered else "", at(answered), "",
            f"{KEY_PREFIX}{pk}", "",
        ))  # fmt: skip
        persons.append((request_id, person_id))
        sending = sending_steps(
            sender=residence, receiver=receiver, rule_reason=reason, due_on=due,
            deadline_days=days, fallback=fallback,
        )  # fmt: skip
        for type_, unit, data in sending:
            events.append(
                (request_id, at(created), type_.value, unit, json.dumps(data, ensure_ascii=False))
            )
        if overdue:
            events.append((request_id, at(overdue), RequestEventType.OVERDUE.value, None, "{}"))
        if answered:
            late = json.dumps({"late": answered.date() > due})
            events.append(
                (request_id, at(answered), RequestEventType.ANSWERED.value, receiver, late)
            )

    def _rules(self, sender: str, receiver: str, on: dt.date) -> tuple[int, str, int]:
        """The rule set, its reason and the deadline for the two provinces (R-REG-2), per month."""
        from yipanqi.exchange.models import RequestType
        from yipanqi.regions.rules import deadline_days, pick_rules

        key = (sender[:2], receiver[:2], on.year, on.month)
        if key not in self.rules:
            choice = pick_rules(sender, receiver, on=on, request_type=RequestType.VERIFICATION)
            days = deadline_days(choice, RequestType.VERIFICATION, on)
            self.rules[key] = (choice.rule_set.pk, str(choice.reason)[:300], days)
        return self.rules[key]

    def _due(self, sent: dt.date, days: int) -> tuple[dt.date, bool]:
        from yipanqi.workdays.services import add_working_days

        key = (sent, days)
        if key not in self.dues:
            answer = add_working_days(sent, days)
            self.dues[key] = (answer.date, answer.fallback)
        return self.dues[key]

    def _moment(self, value: dt.datetime | None):
        if value is None or self.aware:
            return value
        return connection.ops.adapt_datetimefield_value(value)
