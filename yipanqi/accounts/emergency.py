"""Break-the-glass (issue 7.4): open one person outside one's scope, with a reason, for a while.

Only casework users may do it (never the three separated administrators); the grant lasts
YIPANQI_BREAK_GLASS_HOURS, is audited with its reason, and is listed for the person's home and
residence jurisdictions. A user may open at most YIPANQI_BREAK_GLASS_PER_DAY persons a day.

It is no registry oracle (issue 16 item 5): every look-up of a valid ID number, found or not,
counts against YIPANQI_BREAK_GLASS_LOOKUPS_PER_DAY (counted before the registry is asked) and
writes an audit row with the outcome; the row keeps the number's area code and a keyed hash
(the same number gives the same hash, for the auditor), never the number.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yipanqi.accounts.models import EmergencyAccess, User
from yipanqi.audit.models import Action, Result
from yipanqi.audit.services import Origin, record_event
from yipanqi.core import ratelimit
from yipanqi.core.crypto import blind_index
from yipanqi.divisions.models import within_q
from yipanqi.people import idnumbers
from yipanqi.people.models import Person

MIN_REASON_LENGTH = 6


class EmergencyRefused(Exception):
    """Why emergency access was not given, in plain words."""


def open_in_emergency(
    id_number: str, *, reason: str, acting_user: User, origin: Origin | None = None
) -> EmergencyAccess | Person:
    """Grant the user time-limited access to the person with this ID number, or say why not.

    Returns the person directly when they are already within the user's scope (no grant).
    """
    reason = " ".join((reason or "").split())
    if not acting_user.can_see_persons:
        raise EmergencyRefused(_("Your role does not give access to person records."))
    if len(reason) < MIN_REASON_LENGTH:
        raise EmergencyRefused(
            _("Please say why you need this record (at least %(n)s characters).")
            % {"n": MIN_REASON_LENGTH}
        )
    try:
        value = idnumbers.normalize(id_number or "")
        idnumbers.parse(value)
    except idnumbers.InvalidIdNumber:
        raise EmergencyRefused(_("This ID number is not valid. Please check it.")) from None
    looked_up = {"id_area": value[:6], "id_hash": blind_index(value, domain="audit-id")[:16]}
    attempt = ratelimit.count(f"break-glass-lookup:{acting_user.pk}", window=24 * 3600)
    if attempt.count > settings.BREAK_GLASS_LOOKUPS_PER_DAY:
        _audit_lookup(acting_user, origin, reason, looked_up, "lookup limit", Result.DENIED)
        raise EmergencyRefused(
            _(
                "You have looked up %(n)s ID numbers for emergency access in the last day; "
                "ask your supervisor."
            )
            % {"n": settings.BREAK_GLASS_LOOKUPS_PER_DAY}
        )
    person = Person.objects.filter(id_number_index=blind_index(value, domain="id")).first()
    if person is None:
        _audit_lookup(acting_user, origin, reason, looked_up, "not registered", Result.DENIED)
        raise EmergencyRefused(_("No person with this ID number is registered."))
    if Person.objects.visible_to(acting_user).filter(pk=person.pk).exists():
        _audit_lookup(acting_user, origin, reason, looked_up, "in scope", Result.OK, person)
        return person
    now = timezone.now()
    with transaction.atomic():
        # Serializes this user's grants, so two at once cannot both pass the daily count.
        ratelimit.lock(f"break-glass-grant:{acting_user.pk}")
        today = EmergencyAccess.objects.filter(
            user=acting_user, granted_at__gte=now - dt.timedelta(days=1)
        ).count()
        if today >= settings.BREAK_GLASS_PER_DAY:
            record_event(
                actor=acting_user,
                action=Action.BREAK_GLASS,
                origin=origin,
                result=Result.DENIED,
                object_type="person",
                object_id=person.pk,
                person_id=person.pk,
                reason=reason,
                detail={"rule": "daily limit", **looked_up},
            )
            refused = EmergencyRefused(
                _(
                    "You have used emergency access %(n)s times in the last day; ask your supervisor."
                )
                % {"n": today}
            )
        else:
            refused = None
            grant = EmergencyAccess.objects.create(
                user=acting_user,
                person=person,
                reason=reason,
                granted_at=now,
                expires_at=now + dt.timedelta(hours=settings.BREAK_GLASS_HOURS),
                home_id=person.home_id,
                residence_id=person.residence_id,
            )
            record_event(
                actor=acting_user,
                action=Action.BREAK_GLASS,
                origin=origin,
                object_type="emergency_access",
                object_id=grant.pk,
                person_id=person.pk,
                reason=reason,
                detail={
                    "home": person.home_id,
                    "residence": person.residence_id,
                    "expires_at": grant.expires_at.isoformat(),
                    **looked_up,
                },
            )
    if refused is not None:
        raise refused
    return grant


def _audit_lookup(user, origin, reason, looked_up, outcome, result, person=None) -> None:
    record_event(
        actor=user,
        action=Action.BREAK_GLASS,
        origin=origin,
        result=result,
        object_type="person" if person else "id_number",
        object_id=person.pk if person else looked_up["id_hash"],
        person_id=person.pk if person else None,
        reason=reason,
        detail={"lookup": outcome, **looked_up},
    )


def emergency_person(user: User, person_id: int, now=None) -> Person | None:
    """The person, if the user holds an unexpired emergency grant for them."""
    if not getattr(user, "can_see_persons", False):
        return None
    has_grant = EmergencyAccess.objects.filter(
        user=user, person_id=person_id, expires_at__gt=now or timezone.now()
    ).exists()
    if not has_grant:
        return None
    return Person.objects.select_related("home", "residence").filter(pk=person_id).first()


def list_emergency_accesses(user: User):
    """Grants by this user, and grants about persons of this user's jurisdiction (either side)."""
    scope = user.scope_code
    mine = Q(user=user)
    if scope is None:
        condition = mine
    elif scope == "":
        condition = Q()
    else:
        condition = mine | within_q("home_id", scope) | within_q("residence_id", scope)
    return EmergencyAccess.objects.filter(condition).select_related(
        "user", "user__jurisdiction", "person", "home", "residence"
    )
