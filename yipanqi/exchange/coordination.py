"""上级协调 (R-EX-3): what the common higher level does with an escalated request.

Three actions, each one transaction with its timeline event, its audit row and the statistics
counters moved with the row: decide (a decision text that closes the request or returns it to
a side), set a new due date in working days (R-WD-1), and assign the coordination to a side or
a lower unit on the way to one. The escalation itself stays in services.escalate_request.
"""

import copy
import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yipanqi.accounts.models import Role, User
from yipanqi.audit.models import Action
from yipanqi.audit.services import Origin, record_event
from yipanqi.core.errors import Rejected
from yipanqi.divisions.codes import ancestors_of
from yipanqi.divisions.models import Division
from yipanqi.divisions.scope import Scope
from yipanqi.exchange.models import Request, RequestEvent, RequestEventType, RequestStatus
from yipanqi.exchange.services import access_request
from yipanqi.ledger import counters
from yipanqi.workdays.services import add_working_days

# Where a decision sends the request.
OUTCOMES = {
    "close": gettext_lazy("Settled: close the request"),
    "receiver": gettext_lazy("Back to the receiver, to answer by a new due date"),
    "sender": gettext_lazy("Back to the sender, with this decision as the answer"),
}
MAX_DAYS = 60
# Who is shown the coordination list: every unit that can be the common ancestor of two others.
# A township is the one of two of its villages (R-EX-3), so its operators see it too.
COORDINATING_ROLES = {
    Role.TOWNSHIP_OPERATOR,
    Role.COUNTY_ADMIN,
    Role.CITY_ADMIN,
    Role.PROVINCE_ADMIN,
    Role.NATIONAL_ADMIN,
}


def _reject(field: str, message: str) -> Rejected:
    return Rejected({field: [message]})


def may_coordinate(user: User, request: Request) -> bool:
    """The coordinating unit's users and those above it, and the escalation target's."""
    holder = request.coordinating_code
    return holder is not None and Scope.of(user).covers_any(holder, request.escalated_to_id)


def coordinated_by_q(scope: str) -> Q:
    """Escalated requests whose coordination lies with exactly this unit ('' = the nation)."""
    if scope == "":
        mine = Q(coordinator__isnull=True, escalated_to__isnull=True)
    else:
        mine = Q(coordinator_id=scope) | Q(coordinator__isnull=True, escalated_to_id=scope)
    return Q(status=RequestStatus.ESCALATED) & mine


def list_coordination(user: User):
    """Escalated requests the user's own unit coordinates, most urgent (longest overdue) first."""
    scope = Scope.of(user)
    if scope.none:
        return Request.objects.none()
    return (
        Request.objects.filter(coordinated_by_q(scope.code))
        .select_related("sender", "receiver", "escalated_to", "coordinator")
        .order_by("due_on", "escalated_at", "pk")
    )


BADGE_LIMIT = 99


def coordination_count(user: User) -> int:
    """The navigation badge on every page, capped: a few ids are read, no COUNT over requests."""
    ids = list_coordination(user).order_by().values_list("pk", flat=True)[:BADGE_LIMIT]
    return len(list(ids))


def assign_choices(request: Request) -> list[Division]:
    """The units the coordination can go to: each side, and the units between it and the side."""
    holder = request.coordinating_code
    if holder is None:
        return []
    codes = []
    for side in (request.sender_id, request.receiver_id):
        for code in [*ancestors_of(side), side]:
            if code.startswith(holder) and len(code) > len(holder) and code not in codes:
                codes.append(code)
    found = {d.code: d for d in Division.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found and not found[c].is_placeholder]


def _claim(request_id: int, user: User) -> Request:
    request = access_request(user, request_id)
    if request.status != RequestStatus.ESCALATED:
        raise _reject("__all__", _("Only an escalated request is coordinated by the higher level."))
    if not may_coordinate(user, request):
        raise _reject(
            "__all__", _("Only the higher level the request was escalated to can coordinate it.")
        )
    return request


def _days(days, field: str = "working_days") -> int:
    try:
        value = int(days)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= MAX_DAYS:
        raise _reject(
            field,
            _("Give a number of working days from 1 to %(max)s.") % {"max": MAX_DAYS},
        )
    return value


def _text(value: str, field: str, message: str, limit: int = 2000) -> str:
    text = (value or "").strip()
    if not text:
        raise _reject(field, message)
    if len(text) > limit:
        raise _reject(field, _("Please keep it to %(limit)s characters.") % {"limit": limit})
    return text


def _event(request, type_, *, at, actor, unit=None, **data) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request, at=at, type=type_, actor=actor, unit=unit or actor.jurisdiction, data=data
    )


def _update(request: Request, *, claim_status, **fields) -> Request:
    """Claim the escalated row (two coordinators at once: one wins), then move the counters."""
    before = copy.copy(request)
    claimed = Request.objects.filter(pk=request.pk, status=claim_status).update(**fields)
    if not claimed:
        raise _reject("__all__", _("Someone else has just acted on this request; please reload."))
    request.refresh_from_db()
    counters.fact_changed(before, request)  # R-STAT-1/2, same transaction
    return request


def _audit(request, user, origin, **detail) -> None:
    record_event(
        actor=user,
        action=Action.CHANGE,
        origin=origin,
        object_type="request",
        object_id=request.pk,
        detail=detail,
    )


def decide_request(
    request_id: int,
    *,
    decision: str,
    outcome: str,
    working_days: int | None = None,
    acting_user: User,
    origin: Origin | None = None,
    now: dt.datetime | None = None,
) -> Request:
    """The higher level decides: the request is closed, or goes back to the receiver (to answer
    within working_days, R-WD-1), or to the sender with the decision as its answer."""
    request = _claim(request_id, acting_user)
    text = _text(decision, "decision", _("Please write the decision, so both sides know it."))
    if outcome not in OUTCOMES:
        raise _reject("outcome", _("Please choose what happens to the request."))
    days = _days(working_days) if outcome == "receiver" else None
    now = now or timezone.now()
    fields = {"decision": text, "decided_at": now, "decided_by": acting_user}
    if outcome == "close":
        fields.update(status=RequestStatus.CLOSED, closed_at=now)
    elif outcome == "sender":
        fields.update(
            status=RequestStatus.ANSWERED, answer=text, answered_by=acting_user, answered_at=now
        )
    else:
        due = add_working_days(now, days)
        fields.update(status=RequestStatus.DELIVERED, due_on=due.date, due_fallback=due.fallback)
    with transaction.atomic():
        request = _update(request, claim_status=RequestStatus.ESCALATED, **fields)
        data = {"decision": text, "outcome": outcome}
        if days:
            data.update(due_on=request.due_on.isoformat(), deadline_days=days)
        _event(request, RequestEventType.DECIDED, at=now, actor=acting_user, **data)
        _audit(request, acting_user, origin, event="decided", outcome=outcome)
    return request


def reschedule_request(
    request_id: int,
    *,
    working_days: int,
    reason: str,
    acting_user: User,
    origin: Origin | None = None,
    now: dt.datetime | None = None,
) -> Request:
    """A new due date, working days from now (R-WD-1): the receiver answers by it."""
    request = _claim(request_id, acting_user)
    days = _days(working_days)
    text = _text(reason, "reason", _("Please say why the receiver gets more time."))
    now = now or timezone.now()
    due = add_working_days(now, days)
    with transaction.atomic():
        request = _update(
            request,
            claim_status=RequestStatus.ESCALATED,
            status=RequestStatus.DELIVERED,
            due_on=due.date,
            due_fallback=due.fallback,
        )
        _event(
            request,
            RequestEventType.RESCHEDULED,
            at=now,
            actor=acting_user,
            due_on=due.date.isoformat(),
            deadline_days=days,
            fallback=due.fallback,
            reason=text,
        )
        _audit(request, acting_user, origin, event="rescheduled", due_on=due.date.isoformat())
    return request


def assign_request(
    request_id: int,
    *,
    unit_code: str,
    note: str = "",
    acting_user: User,
    origin: Origin | None = None,
    now: dt.datetime | None = None,
) -> Request:
    """Hand the coordination to a side or to a unit between the coordinator and a side."""
    request = _claim(request_id, acting_user)
    allowed = {d.code: d for d in assign_choices(request)}
    unit = allowed.get((unit_code or "").strip())
    if unit is None:
        raise _reject(
            "unit_code",
            _("Choose one of the two sides, or a unit above one of them and below you."),
        )
    text = (note or "").strip()[:2000]
    now = now or timezone.now()
    with transaction.atomic():
        request = _update(request, claim_status=RequestStatus.ESCALATED, coordinator=unit)
        _event(
            request, RequestEventType.ASSIGNED, at=now, actor=acting_user, unit=unit, reason=text
        )
        _audit(request, acting_user, origin, event="assigned", to=unit.code)
    return request
