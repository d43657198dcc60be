"""Sending, answering, escalating and closing requests (R-EX-1..5). One transaction per change,
with its timeline event and its audit row; sending joins the caller's transaction."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yipanqi.accounts.models import User
from yipanqi.audit.models import Action
from yipanqi.audit.services import Origin, record_event
from yipanqi.core.errors import NotFound, Rejected
from yipanqi.divisions.codes import InvalidCode, ancestors_of, level_of
from yipanqi.divisions.models import Division
from yipanqi.divisions.scope import Scope
from yipanqi.exchange import counted as request_counts
from yipanqi.exchange import events, hooks
from yipanqi.exchange.answers import CANNED, answers_for, needs_note_texts
from yipanqi.exchange.models import (
    AWAITING_STATUSES,
    OPEN_STATUSES,
    Request,
    RequestEvent,
    RequestStatus,
    RequestType,
)
from yipanqi.ledger import counters
from yipanqi.ledger.families import families_of
from yipanqi.regions.rules import deadline_days, pick_rules
from yipanqi.workdays.services import add_working_days, local_date


def _reject(field: str, message: str) -> Rejected:
    return Rejected({field: [message]})


def _division(code: str, field: str, known: dict) -> Division:
    try:
        level_of(code or "")
    except InvalidCode:
        raise _reject(
            field, _("%(code)s is not a division code.") % {"code": (code or "")[:20]}
        ) from None
    division = known.get(code)
    if division is None:
        raise _reject(field, _("There is no division with code %(code)s.") % {"code": code})
    return division


def access_request(user: User, request_id: int) -> Request:
    """The request if the user may see it (R-EX-3 scope), else NotFound."""
    found = (
        Request.objects.visible_to(user)
        .select_related("sender", "receiver", "escalated_to", "rule_set__region", "answered_by")
        .filter(pk=request_id)
        .first()
    )
    if found is None:
        raise NotFound(_("No such request in your jurisdiction."))
    return found


@dataclass(frozen=True)
class RequestSpec:
    """One request to send: what send_request takes besides the actor, the moment and origin.

    `deadline_key` names the rule-set deadline when it is not the type's own (a further
    child's birth notice, R-BIRTH-3: `rules.STEP_DEADLINES`). `persons` are Person rows or ids.
    """

    type: str
    sender_code: str
    receiver_code: str
    idempotency_key: str
    persons: Sequence = ()
    payload: dict | None = None
    subject: str = ""
    deadline_key: str = ""


def send_request(
    type: str,
    *,
    sender_code: str,
    receiver_code: str,
    acting_user: User | None,
    idempotency_key: str,
    persons: Iterable = (),
    payload: dict | None = None,
    subject: str = "",
    origin: Origin | None = None,
    now: dt.datetime | None = None,
    deadline_key: str = "",
) -> Request:
    """Send a typed request and deliver it at once within the platform (R-EX-1, R-WD-2).

    A one-item send_requests: runs inside the caller's transaction, so a business change and
    the request it causes commit together, and the same idempotency key returns the request
    that exists (R-EX-5). acting_user None means the platform itself (the sweep).
    """
    spec = RequestSpec(
        type=type,
        sender_code=sender_code,
        receiver_code=receiver_code,
        idempotency_key=idempotency_key,
        persons=tuple(persons),
        payload=payload,
        subject=subject,
        deadline_key=deadline_key,
    )
    (request,) = send_requests([spec], acting_user=acting_user, now=now, origin=origin)
    return request


def send_requests(
    specs: Iterable[RequestSpec],
    *,
    acting_user: User | None,
    now: dt.datetime | None = None,
    origin: Origin | None = None,
    bulk: bool | None = None,
) -> list[Request]:
    """Send many typed requests, each delivered at once (R-EX-1, R-WD-2); one per spec, in order.

    Each is checked as one is (type, key, divisions, the sender in the user's jurisdiction, the
    receiver not above or below it; a refusal refuses the lot), gets its rule set (R-REG-2) and
    its working-day deadline from delivery, its sent and delivered events (events.py), its
    statistics counters (R-STAT-1) and its audit row: one per request, or with `bulk` (the
    default for several) one for the call with the count. Runs inside the caller's transaction.
    A key that exists returns the request that has it (R-EX-5), also when two submissions
    race: the unique constraint decides, and the loser re-reads.
    """
    specs = list(specs)
    actor = acting_user if getattr(acting_user, "pk", None) else None
    keys = [_checked_key(spec) for spec in specs]
    existing = {r.idempotency_key: r for r in Request.objects.filter(idempotency_key__in=keys)}
    divisions = Division.objects.in_bulk(
        {c for s in specs for c in (s.sender_code, s.receiver_code) if c}
    )
    now = now or timezone.now()
    on = local_date(now)
    rules: dict[tuple[str, str, str], tuple] = {}
    dues: dict[int, object] = {}
    new: dict[str, tuple[Request, list]] = {}
    for spec, key in zip(specs, keys, strict=True):
        if key in existing:
            _same_or_reject(existing[key], spec.type, spec.sender_code)
            continue
        if key in new:
            _same_or_reject(new[key][0], spec.type, spec.sender_code)
            continue
        sender = _division(spec.sender_code, "sender", divisions)
        receiver = _division(spec.receiver_code, "receiver", divisions)
        if actor is not None and not Scope.of(actor).covers(sender.code):
            raise _reject("sender", _("You can only send requests for your own jurisdiction."))
        if Scope.within(sender.code).meets(receiver.code):
            raise _reject(
                "receiver", _("The receiver must be another jurisdiction, not above or below you.")
            )
        key_for_deadline = spec.deadline_key or spec.type
        # R-REG-2: the choice depends on the two provinces only.
        pair = (sender.code[:2], receiver.code[:2], key_for_deadline)
        if pair not in rules:
            choice = pick_rules(sender.code, receiver.code, on=on, request_type=key_for_deadline)
            rules[pair] = (choice, deadline_days(choice, key_for_deadline, on))
        choice, days = rules[pair]
        if days not in dues:
            # R-WD-2: within the platform a request is delivered the moment it is sent.
            dues[days] = add_working_days(now, days)
        due = dues[days]
        request = Request(
            type=spec.type,
            sender=sender,
            receiver=receiver,
            payload=spec.payload or {},
            subject=spec.subject[:200],
            sent_by=actor,
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
        new[key] = (request, [getattr(p, "pk", p) for p in spec.persons])
    if new:
        try:
            with transaction.atomic():
                _write(new, actor=actor, now=now, origin=origin, bulk=bulk)
        except IntegrityError:
            raced = Request.objects.filter(idempotency_key__in=list(new))
            existing |= {r.idempotency_key: r for r in raced}
            if any(key not in existing for key in new):
                raise
            for spec, key in zip(specs, keys, strict=True):
                _same_or_reject(existing[key], spec.type, spec.sender_code)
            new = {}
    return [new[key][0] if key in new else existing[key] for key in keys]


def _count(requests: list[Request]) -> None:
    """R-STAT-1: the counters change in this transaction; one delta for many requests."""
    families = families_of(Request._meta.label)
    if len(requests) == 1 or any(family.group_by for family in families):
        for request in requests:
            counters.fact_added(request)
        return
    delta: dict = defaultdict(int)
    for request in requests:
        for family in families:
            for cell, n in counters.contributions(family, request).items():
                delta[cell] += n
    counters.apply_delta(delta)


def _checked_key(spec: RequestSpec) -> str:
    if spec.type not in RequestType.values:
        raise _reject("type", _("%(type)s is not a request type.") % {"type": str(spec.type)[:40]})
    key = (spec.idempotency_key or "").strip()
    if not key or len(key) > 100:
        raise _reject("idempotency_key", _("A request needs a key of 1 to 100 characters."))
    return key


def _write(new: dict, *, actor, now: dt.datetime, origin: Origin | None, bulk: bool | None) -> None:
    """The new requests, their persons, counters, sent and delivered events and audit rows."""
    requests = [request for request, _persons in new.values()]
    if len(requests) == 1:
        requests[0].save(force_insert=True)
    else:
        Request.objects.bulk_create(requests, batch_size=1000)
        ids = dict(
            Request.objects.filter(idempotency_key__in=list(new)).values_list(
                "idempotency_key", "pk"
            )
        )
        for request in requests:
            request.pk = ids[request.idempotency_key]
    through = Request.persons.through
    through.objects.bulk_create(
        [
            through(request_id=request.pk, person_id=person)
            for request, persons in new.values()
            for person in dict.fromkeys(persons)  # a person named twice is linked once
        ],
        batch_size=1000,
    )
    _count(requests)
    sending = []
    for request in requests:
        sending += events.sending_events(request, at=now, actor=actor)
    RequestEvent.objects.bulk_create(sending, batch_size=1000)
    if len(requests) > 1 if bulk is None else bulk:
        types = sorted({r.type for r in requests})
        record_event(
            actor=actor,
            action=Action.CHANGE,
            origin=origin,
            object_type="request",
            detail={
                "event": "sent",
                "type": types[0] if len(types) == 1 else types,
                "count": len(requests),
                "bulk": True,
            },
        )
        return
    for request, persons in new.values():
        record_event(
            actor=actor,
            action=Action.CHANGE,
            origin=origin,
            object_type="request",
            object_id=request.pk,
            person_id=persons[0] if len(persons) == 1 else None,
            detail={"event": "sent", "type": request.type, "receiver": request.receiver_id},
        )


def _same_or_reject(existing: Request, type: str, sender_code: str) -> Request:
    if existing.type != type or existing.sender_id != sender_code:
        raise _reject("idempotency_key", _("This key was already used for another request."))
    return existing


def _answer_text(request: Request, answer: str, canned: str, note: str) -> str:
    """The answer as stored: a canned answer (with its note) or the text the user wrote."""
    note = (note or "").strip()
    if canned:
        choice = CANNED.get(canned)
        if choice is None or choice not in answers_for(request.type):
            raise _reject("canned", _("This answer does not fit this kind of request."))
        if choice.needs_note and not note:
            raise _reject(
                "note", _("Please write in the note what is not as stated, so the sender can act.")
            )
        return f"{choice.text}\n{note}" if note else str(choice.text)
    text = (answer or "").strip()
    if not text:
        raise _reject("answer", _("Please write the answer."))
    if text in needs_note_texts():
        # "Not as stated; see the note." typed bare tells the sender nothing.
        raise _reject(
            "answer", _("Please write in the note what is not as stated, so the sender can act.")
        )
    return text


def answer_request(
    request_id: int,
    *,
    answer: str = "",
    canned: str = "",
    note: str = "",
    acting_user: User,
    origin: Origin | None = None,
    now: dt.datetime | None = None,
) -> Request:
    """The receiver side answers (R-EX-1), in words or with a canned answer that fits the
    request's kind (a "not as stated" answer needs its note); a late answer is recorded as
    late, not refused."""
    request = access_request(acting_user, request_id)
    if not Scope.of(acting_user).covers(request.receiver_id):
        raise _reject("__all__", _("Only the receiving jurisdiction answers this request."))
    text = _answer_text(request, answer, canned, note)
    if len(text) > 4000:
        raise _reject("answer", _("The answer can have at most 4000 characters."))
    now = now or timezone.now()
    with transaction.atomic():
        # Claim the row: of two answers sent at the same moment only one lands.
        claimed = Request.objects.filter(pk=request.pk, status__in=AWAITING_STATUSES).update(
            status=RequestStatus.ANSWERED, answer=text, answered_by=acting_user, answered_at=now
        )
        if not claimed:
            raise _reject("__all__", _("This request has already been answered or closed."))
        request.refresh_from_db()
        request_counts.request_answered(request)  # R-STAT-1 timeliness
        late = local_date(now) > request.due_on
        events.request_answered(request, at=now, actor=acting_user, late=late, canned=canned)
        for answered in hooks.answered_handlers(request.type):
            # What the sending domain records with the answer (births: R-BIRTH-2 step 2).
            answered(request, acting_user=acting_user, now=now)
        record_event(
            actor=acting_user,
            action=Action.CHANGE,
            origin=origin,
            object_type="request",
            object_id=request.pk,
            detail={"event": "answered", "late": late, "canned": canned},
        )
    return request


def common_ancestor(first: str, second: str) -> Division | None:
    """The lowest jurisdiction strictly above both codes (上级协调); None means the nation.

    Placeholder cities (R-JUR-2) are no level: two districts of 北京 meet at 北京.
    """
    shared = _shared_levels(first, second)
    if shared:
        found = {d.code: d for d in Division.objects.filter(code__in=shared)}
        for code in reversed(shared):
            division = found.get(code)
            if division is not None and not division.is_placeholder:
                return division
    return None


def _shared_levels(first: str, second: str) -> list[str]:
    """Codes strictly above both sides; empty when they are in different provinces."""
    return [c for c in ancestors_of(first) if second.startswith(c) and len(c) < len(second)]


def escalate_request(
    request_id: int,
    *,
    reason: str,
    acting_user: User,
    origin: Origin | None = None,
    now: dt.datetime | None = None,
) -> Request:
    """Either side takes an overdue request to their lowest common ancestor (R-EX-3)."""
    request = access_request(acting_user, request_id)
    if not Scope.of(acting_user).covers_any(request.sender_id, request.receiver_id):
        raise _reject("__all__", _("Only the two sides of a request can escalate it."))
    text = (reason or "").strip()
    if not text:
        raise _reject("reason", _("Please say why the higher level should step in."))
    if request.status != RequestStatus.OVERDUE:
        raise _reject("__all__", _("Only an overdue request can be escalated."))
    # R-EX-3: the target is computed here from the two sides and nothing else; neither the web
    # form nor the API payload has a field for it (issue 12.3).
    target = common_ancestor(request.sender_id, request.receiver_id)
    if target is None and _shared_levels(request.sender_id, request.receiver_id):
        # Both sides lie in one province (or lower), but that level is missing from the
        # division list: refuse rather than jump over it to the national level.
        raise _reject(
            "__all__",
            _(
                "The common higher level of the two sides is not in the division list, so "
                "this request cannot be escalated now. Please tell the system administrator."
            ),
        )
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Request.objects.filter(pk=request.pk, status=RequestStatus.OVERDUE).update(
            status=RequestStatus.ESCALATED,
            escalated_to=target,
            escalation_reason=text[:2000],
            escalated_at=now,
            escalated_by=acting_user,
        )
        if not claimed:
            raise _reject("__all__", _("This request is no longer overdue."))
        request.refresh_from_db()
        request_counts.request_escalated(request)  # R-STAT-2
        events.request_escalated(request, at=now, actor=acting_user)
        record_event(
            actor=acting_user,
            action=Action.CHANGE,
            origin=origin,
            object_type="request",
            object_id=request.pk,
            detail={"event": "escalated", "to": target.code if target else ""},
        )
    return request


def close_request(
    request_id: int, *, acting_user: User, origin: Origin | None = None, now=None
) -> Request:
    """The sender side closes an answered request (the matter is settled)."""
    request = access_request(acting_user, request_id)
    if not Scope.of(acting_user).covers(request.sender_id):
        raise _reject("__all__", _("Only the sending jurisdiction closes this request."))
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Request.objects.filter(pk=request.pk, status=RequestStatus.ANSWERED).update(
            status=RequestStatus.CLOSED, closed_at=now
        )
        if not claimed:
            raise _reject("__all__", _("Only an answered request can be closed."))
        request.refresh_from_db()
        events.request_closed(request, at=now, actor=acting_user)
        record_event(
            actor=acting_user,
            action=Action.CHANGE,
            origin=origin,
            object_type="request",
            object_id=request.pk,
            detail={"event": "closed"},
        )
    return request


def may_answer(user: User, request: Request) -> bool:
    return request.status in AWAITING_STATUSES and Scope.of(user).covers(request.receiver_id)


def may_escalate(user: User, request: Request) -> bool:
    return request.status == RequestStatus.OVERDUE and Scope.of(user).covers_any(
        request.sender_id, request.receiver_id
    )


def may_close(user: User, request: Request) -> bool:
    return request.status == RequestStatus.ANSWERED and Scope.of(user).covers(request.sender_id)


def open_for_calendar(first: dt.date, last: dt.date):
    """R-WD-4: open requests due on `first` or later, delivered on `last` or earlier, with the
    day their working-day count started (a new year's schedule may move them)."""
    requests = (
        Request.objects.filter(status__in=OPEN_STATUSES, due_on__gte=first)
        .select_related("sender", "receiver")
        .order_by("due_on", "pk")
    )
    for r in requests.iterator(chunk_size=2000):
        start = local_date(r.delivered_at or r.created_at)
        if start <= last:
            yield r, start


def calendar_label(request: Request) -> str:
    return f"{request.get_type_display()} · {request.sender.short_name} → {request.receiver.short_name}"


def move_due_for_calendar(request: Request, new_due: dt.date, fallback: bool) -> bool:
    """R-WD-4: a newly loaded schedule moves an open request's due date, if it is unchanged;
    the counters follow (R-STAT-1). The caller's transaction writes the audit row."""
    return counters.update_if_unchanged(request, "due_on", due_on=new_due, due_fallback=fallback)
