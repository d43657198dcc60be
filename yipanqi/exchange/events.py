"""A request's timeline: one function per event type (the detail page and the API read them)."""

from yipanqi.exchange.models import Request, RequestEvent, RequestEventType


def _event(request: Request, type_: str, *, at, actor=None, unit=None, **data) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request, at=at, type=type_, actor=actor, unit=unit, data=data
    )


def sending_events(request: Request, *, at, actor) -> list[RequestEvent]:
    """The sent and delivered steps of a new request (R-WD-2: delivered the moment it is sent),
    unsaved: send_requests writes them for one request or many in one INSERT; the demo writes
    the same rows raw."""
    return [
        RequestEvent(
            request=request,
            at=at,
            type=RequestEventType.SENT,
            actor=actor,
            unit_id=request.sender_id,
            data={"rule_reason": request.rule_reason},
        ),
        RequestEvent(
            request=request,
            at=at,
            type=RequestEventType.DELIVERED,
            unit_id=request.receiver_id,
            data={
                "due_on": request.due_on.isoformat(),
                "deadline_days": request.deadline_days,
                "fallback": request.due_fallback,
            },
        ),
    ]


def request_answered(request: Request, *, at, actor, late: bool, canned: str = "") -> RequestEvent:
    data = {"late": late, **({"canned": canned} if canned else {})}
    return _event(
        request, RequestEventType.ANSWERED, at=at, actor=actor, unit=actor.jurisdiction, **data
    )


def request_escalated(request: Request, *, at, actor) -> RequestEvent:
    return _event(
        request,
        RequestEventType.ESCALATED,
        at=at,
        actor=actor,
        unit=request.escalated_to,
        reason=request.escalation_reason,
    )


def request_closed(request: Request, *, at, actor) -> RequestEvent:
    return _event(request, RequestEventType.CLOSED, at=at, actor=actor, unit=actor.jurisdiction)


# The overdue event is written in bulk by the sweep (sweep.py), one INSERT ... SELECT.
