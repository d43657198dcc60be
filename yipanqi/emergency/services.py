"""Break-the-glass (issue 7.4): open one person outside one's scope, with a reason, for a while.

Only casework users may do it (never the three separated administrators); the grant lasts
YIPANQI_BREAK_GLASS_HOURS, is audited with its reason, and is listed for the person's home and
residence jurisdictions. A user may open at most YIPANQI_BREAK_GLASS_PER_DAY persons a day.

Issue 12.2 narrows it to what a demanding reviewer accepts (SECURITY.md §5):
- roles: township operators and county, city and province administrators. Village workers
  never (their township acts for them); the national administrator needs no grant;
- a case from `EmergencyCase` plus a note: a medical emergency, a person who has moved into
  the user's area and is not registered there yet, or an exchange request about the person
  sent to or from the user's subtree, which is checked (no such request, no grant);
- every grant is an item to review for the security administrator and the auditor
  (`list_for_review`, `review_access`; the review is audited).

It is no registry oracle (issue 16 item 5): every look-up of a valid ID number, found or not,
counts against YIPANQI_BREAK_GLASS_LOOKUPS_PER_DAY (counted before the registry is asked) and
writes an audit row with the outcome; the row keeps the number's area code and a keyed hash
(the same number gives the same hash, for the auditor), never the number.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yipanqi.accounts.models import (
    EmergencyAccess,
    EmergencyCase,
    EmergencyReview,
    Role,
    User,
)
from yipanqi.audit.models import Action, Result
from yipanqi.audit.services import Origin, record_event
from yipanqi.core import ratelimit
from yipanqi.core.crypto import blind_index
from yipanqi.core.errors import Rejected
from yipanqi.divisions.scope import Scope
from yipanqi.people import idnumbers
from yipanqi.people.models import Person

MIN_REASON_LENGTH = 6
# Issue 12.2: who may break the glass. Village workers ask their township; the national
# administrator sees every person already; the three separated roles never see persons.
BREAK_GLASS_ROLES = {
    Role.TOWNSHIP_OPERATOR,
    Role.COUNTY_ADMIN,
    Role.CITY_ADMIN,
    Role.PROVINCE_ADMIN,
    Role.NATIONAL_ADMIN,
}
REVIEWER_ROLES = {Role.SECURITY_ADMIN, Role.AUDITOR}


def may_break_glass(user: User) -> bool:
    return bool(getattr(user, "can_see_persons", False)) and user.role in BREAK_GLASS_ROLES


def open_in_emergency(
    id_number: str,
    *,
    case: str,
    reason: str,
    acting_user: User,
    origin: Origin | None = None,
) -> EmergencyAccess | Person:
    """Grant the user time-limited access to the person with this ID number, or say why not.

    Returns the person directly when they are already within the user's scope (no grant).
    """
    reason = " ".join((reason or "").split())
    if not acting_user.can_see_persons:
        raise Rejected.because(_("Your role does not give access to person records."))
    if acting_user.role == Role.VILLAGE_WORKER:
        raise Rejected.because(
            _(
                "Village workers cannot open records outside their village. Ask your "
                "township: it can open the record in an emergency."
            )
        )
    if not may_break_glass(acting_user):
        raise Rejected.because(_("Your role cannot use emergency access."))
    if case not in EmergencyCase.values:
        raise Rejected.because(_("Please choose what the emergency is."))
    if len(reason) < MIN_REASON_LENGTH:
        raise Rejected.because(
            _("Please say why you need this record (at least %(n)s characters).")
            % {"n": MIN_REASON_LENGTH}
        )
    try:
        value = idnumbers.normalize(id_number or "")
        idnumbers.parse(value)
    except idnumbers.InvalidIdNumber:
        raise Rejected.because(_("This ID number is not valid. Please check it.")) from None
    looked_up = {"id_area": value[:6], "id_hash": blind_index(value, domain="audit-id")[:16]}
    attempt = ratelimit.count(f"break-glass-lookup:{acting_user.pk}", window=24 * 3600)
    if attempt.count > settings.BREAK_GLASS_LOOKUPS_PER_DAY:
        _audit_lookup(acting_user, origin, reason, looked_up, "lookup limit", Result.DENIED)
        raise Rejected.because(
            _(
                "You have looked up %(n)s ID numbers for emergency access in the last day; "
                "ask your supervisor."
            )
            % {"n": settings.BREAK_GLASS_LOOKUPS_PER_DAY}
        )
    person = Person.objects.filter(id_number_index=blind_index(value, domain="id")).first()
    if person is None:
        _audit_lookup(acting_user, origin, reason, looked_up, "not registered", Result.DENIED)
        raise Rejected.because(_("No person with this ID number is registered."))
    if Person.objects.visible_to(acting_user).filter(pk=person.pk).exists():
        _audit_lookup(acting_user, origin, reason, looked_up, "in scope", Result.OK, person)
        return person
    looked_up["case"] = case
    if case == EmergencyCase.REQUEST and not _has_request_link(acting_user, person):
        _audit_lookup(acting_user, origin, reason, looked_up, "no request", Result.DENIED, person)
        raise Rejected.because(
            _(
                "No request about this person was sent to or from your unit. Choose another "
                "case, or ask the person's home or residence jurisdiction."
            )
        )
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
            refused = Rejected.because(
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
                case=case,
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


def list_emergency_accesses(user: User):
    """Grants by this user, and grants about persons of this user's jurisdiction (either side)."""
    scope = Scope.of(user)
    condition = Q() if scope.nation else Q(user=user) | scope.q("home_id", "residence_id")
    return EmergencyAccess.objects.filter(condition).select_related(
        "user", "user__jurisdiction", "person", "home", "residence"
    )


def _has_request_link(user: User, person: Person) -> bool:
    """An exchange request about the person with its sender or receiver in the user's subtree."""
    from yipanqi.exchange.models import Request

    about = Request.objects.filter(persons=person)
    return Scope.of(user).filter(about, "sender_id", "receiver_id").exists()


def list_for_review(reviewer: User, *, pending_only: bool = False):
    """Every grant, for the security administrator and the auditor; those their role has not
    reviewed yet first, oldest first."""
    if reviewer.role not in REVIEWER_ROLES:
        return EmergencyAccess.objects.none()
    mine = EmergencyReview.objects.filter(access=OuterRef("pk"), reviewer_role=reviewer.role)
    grants = EmergencyAccess.objects.annotate(reviewed=Exists(mine)).select_related(
        "user", "user__jurisdiction", "home", "residence"
    )
    if pending_only:
        grants = grants.filter(reviewed=False)
    return grants.order_by("reviewed", "granted_at", "pk").prefetch_related("reviews__reviewer")


def count_to_review(reviewer: User) -> int:
    return (
        list_for_review(reviewer, pending_only=True).count()
        if reviewer.role in REVIEWER_ROLES
        else 0
    )


def review_access(
    access_id: int, *, note: str = "", acting_user: User, origin: Origin | None = None
) -> EmergencyReview:
    """Mark one grant reviewed by the acting user's role (once per role); audited."""
    if acting_user.role not in REVIEWER_ROLES:
        raise Rejected.because(_("Only the security administrator and the auditor review these."))
    note = " ".join((note or "").split())[:500]
    with transaction.atomic():
        access = EmergencyAccess.objects.select_for_update().filter(pk=access_id).first()
        if access is None:
            raise Rejected.because(_("There is no such emergency access."))
        done = EmergencyReview.objects.filter(access=access, reviewer_role=acting_user.role)
        if done.exists():
            raise Rejected.because(_("Your role has reviewed this emergency access already."))
        review = EmergencyReview.objects.create(
            access=access, reviewer=acting_user, reviewer_role=acting_user.role, note=note
        )
        record_event(
            actor=acting_user,
            action=Action.BREAK_GLASS_REVIEW,
            origin=origin,
            object_type="emergency_access",
            object_id=access.pk,
            person_id=access.person_id,
            reason=note,
            detail={"role": acting_user.role, "grant_by": access.user_id, "case": access.case},
        )
    return review
