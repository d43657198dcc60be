"""Notifications an import owes the other side, sent set-based and exactly once (R-EX-2, R-EX-5).

When an inflow registration links to the person's active outflow registration (R-REGN-2), the
residence tells the home side that registered the outflow, as `send_request` would: the rule set
of R-REG-2, the working-day deadline counted from delivery (R-WD-2), the sent and delivered
events. One rule choice per province pair and one deadline per number of days, instead of one
per row; the idempotency key is derived from the inflow registration (the natural key's row),
so a re-import or a retried job never sends twice.
"""

import datetime as dt
from collections import defaultdict

from django.db.models import Q

from yipanqi.audit.models import Action
from yipanqi.audit.services import record_event
from yipanqi.exchange.models import (
    Request,
    RequestEvent,
    RequestEventType,
    RequestStatus,
    RequestType,
)
from yipanqi.regions.rules import deadline_days, pick_rules
from yipanqi.workdays.services import add_working_days, local_date

NOTICE_TYPE = RequestType.NOTIFICATION


def notice_key(inflow_registration_id: int) -> str:
    return f"inflow-linked-{inflow_registration_id}"


def send_linked_notices(
    notices: list[tuple[int, int, str]], *, sender: str, acting_user, now: dt.datetime
) -> int:
    """Send one notification per (person id, inflow registration id, home-side unit); returns
    how many were new. Runs inside the import's transaction."""
    on = local_date(now)
    pending = [
        (person, registration, receiver)
        for person, registration, receiver in notices
        if not (sender.startswith(receiver) or receiver.startswith(sender))
    ]
    if not pending:
        return 0
    keys = [notice_key(registration) for _p, registration, _r in pending]
    existing = set(
        Request.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True)
    )
    choices: dict[tuple[str, str], tuple] = {}
    due_by_days: dict[int, object] = {}
    requests: list[Request] = []
    persons: dict[str, int] = {}
    for person, registration, receiver in pending:
        key = notice_key(registration)
        if key in existing:
            continue
        pair = (sender[:2], receiver[:2])
        if pair not in choices:
            choice = pick_rules(sender, receiver, on=on, request_type=NOTICE_TYPE)
            choices[pair] = (choice, deadline_days(choice, NOTICE_TYPE, on))
        choice, days = choices[pair]
        if days not in due_by_days:
            due_by_days[days] = add_working_days(now, days)
        due = due_by_days[days]
        requests.append(
            Request(
                type=NOTICE_TYPE,
                sender_id=sender,
                receiver_id=receiver,
                payload={"event": "inflow_registered", "registration": registration},
                subject="流入登记通报",
                sent_by=acting_user if getattr(acting_user, "pk", None) else None,
                created_at=now,
                delivered_at=now,
                due_on=due.date,
                deadline_days=days,
                due_fallback=due.fallback,
                rule_set=choice.rule_set,
                rule_reason=choice.reason[:300],
                status=RequestStatus.DELIVERED,
                idempotency_key=key,
            )
        )
        persons[key] = person
    if not requests:
        return 0
    Request.objects.bulk_create(requests, batch_size=1000)
    stored = list(
        Request.objects.filter(Q(idempotency_key__in=list(persons))).only(
            "pk", "idempotency_key", "sender_id", "receiver_id", "rule_reason", "due_on",
            "deadline_days", "due_fallback",
        )
    )  # fmt: skip
    through = Request.persons.through
    through.objects.bulk_create(
        [through(request_id=r.pk, person_id=persons[r.idempotency_key]) for r in stored],
        batch_size=1000,
    )
    events = []
    actor = acting_user if getattr(acting_user, "pk", None) else None
    for r in stored:
        events.append(
            RequestEvent(
                request_id=r.pk,
                at=now,
                type=RequestEventType.SENT,
                actor=actor,
                unit_id=r.sender_id,
                data={"rule_reason": r.rule_reason},
            )
        )
        events.append(
            RequestEvent(
                request_id=r.pk,
                at=now,
                type=RequestEventType.DELIVERED,
                unit_id=r.receiver_id,
                data={
                    "due_on": r.due_on.isoformat(),
                    "deadline_days": r.deadline_days,
                    "fallback": r.due_fallback,
                },
            )
        )
    RequestEvent.objects.bulk_create(events, batch_size=1000)
    _count_in_stats(stored)
    record_event(
        actor=actor,
        action=Action.CHANGE,
        object_type="request",
        detail={"event": "sent", "type": NOTICE_TYPE, "count": len(stored), "bulk": True},
    )
    return len(stored)


def _count_in_stats(requests: list[Request]) -> None:
    """R-STAT-1: the statistics counters change in this transaction, as send_request does."""
    from yipanqi.ledger.counters import apply_delta, contributions
    from yipanqi.ledger.families import families_of

    delta: dict = defaultdict(int)
    families = families_of(Request._meta.label)
    ids = [r.pk for r in requests]
    for start in range(0, len(ids), 500):
        for request in Request.objects.filter(pk__in=ids[start : start + 500]):
            for family in families:
                for cell, n in contributions(family, request).items():
                    delta[cell] += n
    apply_delta(delta)
