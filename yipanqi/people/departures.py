"""Leaving and losing touch: R-REGN-6 departures and R-REGN-4 lost contact.

A departure closes the residence record (nothing is deleted), writes the person's timeline and
tells the other side with a departure_notice request in the same transaction.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from yipanqi.people.models import (
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
