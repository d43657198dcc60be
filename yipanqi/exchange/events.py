"""A request's timeline: one function per event type (the detail page and the API read them)."""

from yipanqi.exchange.models import Request, RequestEvent, RequestEventType


def _event(request: Request, type_: str, *, at, actor=None, unit=None, **data) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request, at=at, type=type_, actor=actor, unit=unit, data=data
    )


def sending_steps(
    *, sender: str, receiver: str, rule_reason: str, due_on, deadline_days: int, fallback: bool
) -> list[tuple[str, str, dict]]:
    """The sent and delivered steps of a new request (R-WD-2: delivered the moment it is sent)
    as (type, unit code, data): the one place they are built, for send_requests and for the
    demo, which writes the same rows raw."""
    return [
        (RequestEventType.SENT, sender, {"rule_reason": rule_reason}),
        (
            RequestEventType.DELIVERED,
            receiver,
            {"due_on": due_on.isoformat(), "deadline_days": deadline_days, "fallback": fallback},
        ),
    ]


def sending_events(request: Request, *, at, actor) -> list[RequestEvent]:
    """A new request's sent (by `actor`) and delivered events, unsaved: send_requests writes
    them for one request or many in one INSERT."""
    steps = sending_steps(
        sender=request.sender_id,
        receiver=request.receiver_id,
        rule_reason=request.rule_reason,
        due_on=request.due_on,
        deadline_days=request.deadline_days,
        fallback=request.due_fallback,
    )
    return [
        RequestEvent(
            request=request,
            at=at,
            type=type_,
            actor=actor if type_ == RequestEventType.SENT else None,
            unit_id=unit,
            data=data,
        )
        for type_, unit, data in steps
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
