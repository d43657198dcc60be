"""A birth registration's timeline: one function per event type (STYLE.md)."""

from yipanqi.births.models import BirthEvent, BirthEventType


def _event(registration, type_, *, at, actor, unit, requests=(), **data) -> BirthEvent:
    event = BirthEvent.objects.create(
        registration=registration, at=at, type=type_, actor=actor, unit=unit, data=data
    )
    if requests:
        event.requests.set(requests)
    return event


def received(registration, *, at, actor) -> BirthEvent:
    return _event(
        registration,
        BirthEventType.RECEIVED,
        at=at,
        actor=actor,
        unit=registration.unit,
        documents=list(registration.documents),
    )


def asked(registration, *, at, actor, requests, skipped, late: bool) -> BirthEvent:
    return _event(
        registration,
        BirthEventType.ASKED,
        at=at,
        actor=actor,
        unit=registration.unit,
        requests=requests,
        late=late,
        skipped=skipped,
    )


def confirmed(registration, request, *, at, actor, late: bool) -> BirthEvent:
    """R-BIRTH-2 step 2: a home township answered; who, when, from which unit, and what."""
    return _event(
        registration,
        BirthEventType.CONFIRMED,
        at=at,
        actor=actor,
        unit=request.receiver,
        requests=[request],
        late=late,
        answer=(request.answer or "")[:300],
    )


def forwarded(registration, *, at, actor, late: bool, resubmitted: bool) -> BirthEvent:
    return _event(
        registration,
        BirthEventType.RESUBMITTED if resubmitted else BirthEventType.FORWARDED,
        at=at,
        actor=actor,
        unit=registration.unit,
        late=late,
        opinion=registration.village_opinion[:300],
        documents=list(registration.documents),
    )


def returned(registration, *, at, actor) -> BirthEvent:
    return _event(
        registration,
        BirthEventType.RETURNED,
        at=at,
        actor=actor,
        unit=registration.township,
        missing=list(registration.missing),
        reason=registration.return_reason,
    )


def issued(registration, *, at, actor) -> BirthEvent:
    return _event(
        registration,
        BirthEventType.ISSUED,
        at=at,
        actor=actor,
        unit=registration.township,
        number=registration.number,
    )


def notified(registration, *, at, actor, requests) -> BirthEvent:
    return _event(
        registration,
        BirthEventType.NOTIFIED,
        at=at,
        actor=actor,
        unit=registration.township,
        requests=requests,
        receivers=[r.receiver_id for r in requests],
    )
