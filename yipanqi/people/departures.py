"""Leaving and losing touch: R-REGN-6 departures and R-REGN-4 lost contact.

A departure closes the residence record (nothing is deleted), writes the person's timeline and
tells the other side with a departure_notice request in the same transaction.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yipanqi.core.errors import Rejected
from yipanqi.divisions.scope import Scope
from yipanqi.people import counted as people_counts
from yipanqi.people.models import (
    CloseReason,
    EventType,
    PersonEvent,
    Registration,
    RegistrationKind,
    RegistrationStatus,
)

# R-REGN-4: no information 60 days after outflow registration.
LOST_CONTACT_DAYS = 60
_CHUNK = 500


def lost_contact_due(today: dt.date):
    """Active outflow registrations with no news for more than 60 days, not yet flagged."""
    cutoff = today - dt.timedelta(days=LOST_CONTACT_DAYS)
    return Registration.objects.filter(
        kind=RegistrationKind.OUTFLOW,
        status=RegistrationStatus.ACTIVE,
        lost_contact=False,
        last_contact_on__lt=cutoff,
    )


def flag_lost_contact(today: dt.date, *, now: dt.datetime | None = None) -> int:
    """R-REGN-4: flag them for the home village (the flag and a timeline event it sees)."""
    now = now or timezone.now()
    flagged = 0
    with transaction.atomic():
        rows = list(
            lost_contact_due(today).values_list("pk", "person_id", "home_id", "last_contact_on")
        )
        for start in range(0, len(rows), _CHUNK):
            chunk = rows[start : start + _CHUNK]
            ids = [pk for pk, *_rest in chunk]
            Registration.objects.filter(pk__in=ids, lost_contact=False).update(lost_contact=True)
            PersonEvent.objects.bulk_create(
                PersonEvent(
                    person_id=person_id,
                    at=now,
                    type=EventType.LOST_CONTACT,
                    unit_id=home_id,
                    data={"registration": pk, "last_contact_on": last.isoformat()},
                )
                for pk, person_id, home_id, last in chunk
            )
            flagged += len(chunk)
    return flagged


DEPARTURE_REASONS = [
    CloseReason.RETURNED_HOME,
    CloseReason.MOVED_ON,
    CloseReason.DECEASED,
    CloseReason.AGED_OUT,
]


def can_record_departure(user, registration: Registration) -> bool:
    """The residence side (its village or township, R-REGN-1) closes an active inflow record."""
    return (
        Scope.of(user).covers(registration.residence_id)
        and user.can_register
        and registration.kind == RegistrationKind.INFLOW
        and registration.status == RegistrationStatus.ACTIVE
    )


def record_departure(
    registration: Registration,
    *,
    reason: str,
    on: dt.date,
    acting_user,
    origin=None,
    today: dt.date | None = None,
) -> Registration:
    """R-REGN-6: close the residence record and notify the home side, in one transaction.

    Nothing is deleted: the registration keeps its history and the person's timeline gains a
    departure event. The departure_notice request is keyed by the registration, so recording
    the same departure twice notifies once (R-EX-5).
    """
    today = today or timezone.localdate()
    if not can_record_departure(acting_user, registration):
        raise Rejected(
            {"__all__": [_("Only the residence side closes an active residence record.")]}
        )
    errors: dict[str, list[str]] = {}
    if reason not in DEPARTURE_REASONS:
        errors["reason"] = [_("Please choose why the person left.")]
    if on is None or on > today:
        errors["on"] = [_("The date of departure cannot be in the future.")]
    elif on < registration.arrival_date:
        errors["on"] = [_("The date of departure is before the date of arrival.")]
    if errors:
        raise Rejected(errors)
    with transaction.atomic():
        close_departed(
            registration,
            reason=reason,
            on=on,
            sender_code=acting_user.jurisdiction_id,
            acting_user=acting_user,
            origin=origin,
        )
    return registration


def close_departed(
    registration: Registration,
    *,
    reason: str,
    on: dt.date,
    sender_code: str,
    acting_user=None,
    origin=None,
    now: dt.datetime | None = None,
    platform_sends: bool = False,
) -> Registration:
    """R-REGN-6: the steps of a departure, for a caller that has checked who may record it.

    Closes the active inflow record, counts it (R-STAT-1), writes the departure event and the
    departure_notice to the home side (keyed by the registration, R-EX-5) and the audit row.
    A department feed (a death, feeds.services) sets `platform_sends`: the platform sends the
    notice on the department's behalf (feeders are not caseworkers). Runs in the caller's
    transaction.
    """
    from yipanqi.audit.models import Action
    from yipanqi.audit.services import record_event
    from yipanqi.exchange.models import RequestType
    from yipanqi.exchange.services import send_request

    now = now or timezone.now()
    closed = Registration.objects.filter(
        pk=registration.pk, status=RegistrationStatus.ACTIVE
    ).update(status=RegistrationStatus.CLOSED, closed_on=on, close_reason=reason)
    if not closed:
        raise Rejected({"__all__": [_("This record is already closed.")]})
    registration.refresh_from_db()
    # R-STAT-1: her stay stops counting (service coverage) after the day she left.
    people_counts.registration_closed(registration)
    PersonEvent.objects.create(
        person_id=registration.person_id,
        at=now,
        type=EventType.DEPARTED,
        actor=acting_user,
        unit_id=sender_code,
        data={"registration": registration.pk, "reason": reason, "on": on.isoformat()},
    )
    home = registration.home_id
    if not Scope.within(sender_code).meets(home):
        send_request(
            RequestType.DEPARTURE_NOTICE,
            sender_code=sender_code,
            receiver_code=home,
            acting_user=None if platform_sends else acting_user,
            idempotency_key=f"departure-{registration.pk}",
            persons=[registration.person],
            payload={"registration": registration.pk, "reason": reason, "on": on.isoformat()},
            subject=str(CloseReason(reason).label),
            origin=origin,
            now=now,
        )
    record_event(
        actor=acting_user,
        action=Action.PERSON_UPDATE,
        origin=origin,
        object_type="registration",
        object_id=registration.pk,
        person_id=registration.person_id,
        detail={"event": "departed", "reason": reason},
    )
    return registration


def can_record_contact(user, registration: Registration) -> bool:
    """The home side (its village or township) keeps in touch with an outflow person."""
    return (
        Scope.of(user).covers(registration.home_id)
        and user.can_register
        and registration.kind == RegistrationKind.OUTFLOW
        and registration.status == RegistrationStatus.ACTIVE
    )


def record_contact(
    registration: Registration,
    *,
    on: dt.date,
    acting_user,
    note: str = "",
    origin=None,
    today: dt.date | None = None,
) -> Registration:
    """R-REGN-4: news of an outflow person received; clears the lost-contact flag."""
    from yipanqi.audit.models import Action
    from yipanqi.audit.services import record_event

    today = today or timezone.localdate()
    if not can_record_contact(acting_user, registration):
        raise Rejected({"__all__": [_("Only the home side records news of an outflow person.")]})
    if on is None or on > today:
        raise Rejected({"on": [_("The date of the news cannot be in the future.")]})
    if on < registration.arrival_date:
        raise Rejected({"on": [_("The date of the news is before the person left home.")]})
    with transaction.atomic():
        Registration.objects.filter(pk=registration.pk).update(
            last_contact_on=on, lost_contact=False
        )
        PersonEvent.objects.create(
            person_id=registration.person_id,
            type=EventType.CONTACT_RECORDED,
            actor=acting_user,
            unit=acting_user.jurisdiction,
            data={"registration": registration.pk, "on": on.isoformat(), "note": note[:200]},
        )
        record_event(
            actor=acting_user,
            action=Action.PERSON_UPDATE,
            origin=origin,
            object_type="registration",
            object_id=registration.pk,
            person_id=registration.person_id,
            detail={"contact_on": on.isoformat()},
        )
    registration.refresh_from_db()
    return registration
