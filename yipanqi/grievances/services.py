"""Filing, finding and answering complaints (R-GRV-1). One transaction per change, with its
timeline event and its audit row."""

import copy
import datetime as dt
import hmac
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from yipanqi.accounts.models import User
from yipanqi.audit.models import Action
from yipanqi.audit.services import Origin, record_event
from yipanqi.core import ratelimit
from yipanqi.core.crypto import blind_index, field_cipher
from yipanqi.core.errors import NotFound, Rejected
from yipanqi.divisions.codes import InvalidCode, level_of
from yipanqi.divisions.models import Division
from yipanqi.divisions.scope import Scope
from yipanqi.exchange import services as exchange
from yipanqi.exchange.models import AWAITING_STATUSES, RequestType
from yipanqi.grievances import events
from yipanqi.grievances.models import Category, Channel, Complaint, ComplaintStatus
from yipanqi.ledger import counters
from yipanqi.people.models import Person
from yipanqi.regions.rules import RulesMissing, deadline_days, pick_rules
from yipanqi.workdays.services import add_working_days, local_date

# A citizen's form takes settings.COMPLAINTS_PER_HOUR complaints per connection per hour (the
# 12356 hotline takes the rest); settings.COMPLAINT_LOOKUP_FAILURES_PER_HOUR status look-ups
# with a wrong secret, then refuses for the rest of the hour. Both shared by every process.
# Nothing that reads as another character (no I, L, O, 0, 1).
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_PHONE_RE = re.compile(r"^(1\d{10}|0\d{9,11})$")
_REFERENCE_RE = re.compile(r"^TS\d{12}$")


@dataclass
class ComplaintInput:
    category: str
    description: str
    place_code: str
    complainant_name: str = ""
    contact: str = ""
    person_id: int | None = None


@dataclass(frozen=True)
class FiledComplaint:
    """The complaint and its secret, which is shown to the complainant once and never stored."""

    complaint: Complaint
    secret: str


def level_above(division: Division) -> Division | None:
    """The next real level up (R-JUR-2: a placeholder city is skipped); None above a province."""
    parent = division.parent
    while parent is not None and parent.is_placeholder:
        parent = parent.parent
    return parent


def responsible_jurisdiction(place: Division) -> Division:
    """Who answers for a complaint about a unit (R-GRV-1): the level above it, never the unit
    itself (a complaint about 潼川镇 goes to 三台县). A province answers for itself: there is no
    level above it in the platform."""
    return level_above(place) or place


def _place(code: str) -> Division:
    code = (code or "").strip()
    if not code:
        raise Rejected.because(_("Please choose the place the complaint is about."), "place_code")
    try:
        level = level_of(code)
    except InvalidCode:
        raise Rejected.because(
            _("%(code)s is not a division code.") % {"code": code[:20]}, "place_code"
        ) from None
    division = Division.objects.filter(pk=code).first()
    if division is None:
        raise Rejected.because(
            _("There is no division with code %(code)s.") % {"code": code}, "place_code"
        )
    if level < 3:
        raise Rejected.because(
            _("Please choose the place down to at least the county or district."), "place_code"
        )
    return division


def _secret_hash(reference: str, secret: str) -> str:
    return blind_index(secret.strip().upper(), domain=f"complaint:{reference}")


def _new_reference(now: dt.datetime) -> str:
    return f"TS{local_date(now):%y%m%d}{secrets.randbelow(10**6):06d}"


def _validate(data: ComplaintInput, *, public: bool) -> dict:
    errors: dict[str, list[str]] = {}
    if data.category not in Category.values:
        errors["category"] = [_("Please choose what the complaint is about.")]
    text = (data.description or "").strip()
    if len(text) < 10:
        errors["description"] = [_("Please describe what happened in at least 10 characters.")]
    elif len(text) > 4000:
        errors["description"] = [_("The description can have at most 4000 characters.")]
    name = (data.complainant_name or "").strip()
    if len(name) > 50:
        errors["complainant_name"] = [_("A name has at most 50 characters.")]
    contact = re.sub(r"[\s\-()（）]", "", data.contact or "")
    if contact.startswith("+86"):
        contact = contact[3:]
    if contact and not _PHONE_RE.match(contact):
        errors["contact"] = [
            _("Please enter a mobile number of 11 digits or a landline with its area code.")
        ]
    place = None
    try:
        place = _place(data.place_code)
    except Rejected as exc:
        errors.update(exc.errors)
    if errors:
        raise Rejected(errors)
    return {"description": text, "name": name, "contact": contact, "place": place}


def _deadline(assigned: Division, now: dt.datetime):
    """R-GRV-1 answer deadline in working days, from the rule set for the jurisdiction."""
    on = local_date(now)
    try:
        choice = pick_rules(
            assigned.code, assigned.code, on=on, request_type=RequestType.COMPLAINT_REFERRAL
        )
        days = deadline_days(choice, RequestType.COMPLAINT_REFERRAL, on)
    except RulesMissing:
        raise Rejected.because(
            _("The answer deadlines are not set up yet. Please call the 12356 hotline.")
        ) from None
    return days, add_working_days(now, days), choice.reason


def _may_file_for_staff(user: User) -> bool:
    return not Scope.of(user).none


def _audit_change(complaint: Complaint, acting_user, origin, detail: dict) -> None:
    """The audit row of a change to a complaint (acting_user None: the daily sweep)."""
    record_event(
        actor=acting_user,
        action=Action.CHANGE,
        origin=origin,
        object_type="complaint",
        object_id=complaint.pk,
        person_id=complaint.person_id,
        detail=detail,
    )


def file_complaint(
    data: ComplaintInput,
    *,
    acting_user: User | None,
    channel: str = Channel.PUBLIC_FORM,
    origin: Origin | None = None,
    now: dt.datetime | None = None,
) -> FiledComplaint:
    """Receive a complaint, assign it to the responsible jurisdiction and set its answer deadline.

    acting_user None is a citizen on the public form (R-ACC-3), limited per connection. Staff
    intake for a jurisdiction outside the staff's own line hands it over with a
    complaint_referral request (R-EX-1), in the same transaction.
    """
    public = acting_user is None
    if public and channel != Channel.PUBLIC_FORM:
        raise Rejected.because(_("Only staff enter complaints from other channels."))
    if not public:
        if channel not in (Channel.STAFF, Channel.HOTLINE, Channel.AUTOMATIC):
            raise Rejected.because(_("Staff enter complaints as staff or from the hotline."))
        if not _may_file_for_staff(acting_user):
            raise Rejected.because(_("Your role does not take complaints."))
    clean = _validate(data, public=public)
    person = None
    if data.person_id is not None:
        if public:
            raise Rejected.because(_("A citizen's complaint does not name a person record."))
        person = Person.objects.visible_to(acting_user).filter(pk=data.person_id).first()
        if person is None:
            raise Rejected.because(_("No such person in your jurisdiction."), "person_id")
    now = now or timezone.now()
    origin = origin or Origin()
    origin_hash = ""
    if public:
        origin_hash = blind_index(origin.ip or "-", domain="complaint-origin")
    place = clean["place"]
    assigned = responsible_jurisdiction(place)
    days, due, reason = _deadline(assigned, now)
    secret = "".join(secrets.choice(_CODE_ALPHABET) for _i in range(8))
    contact = clean["contact"]
    staff_unit = None if public else acting_user.jurisdiction
    for _attempt in range(5):
        reference = _new_reference(now)
        try:
            with transaction.atomic():
                if public:
                    _check_public_limit(origin_hash, now)
                complaint = Complaint.objects.create(
                    reference=reference,
                    secret_hash=_secret_hash(reference, secret),
                    category=data.category,
                    channel=channel,
                    description=clean["description"],
                    place=place,
                    assigned_to=assigned,
                    filed_by_unit=staff_unit,
                    filed_by=acting_user,
                    person=person,
                    complainant_name=clean["name"],
                    contact_cipher=(
                        field_cipher().encrypt(contact, associated=b"complaint.contact")
                        if contact
                        else None
                    ),
                    contact_masked=(contact[:3] + "****" + contact[-4:]) if contact else "",
                    received_at=now,
                    due_on=due.date,
                    deadline_days=days,
                    due_fallback=due.fallback,
                    rule_reason=reason[:300],
                    origin_hash=origin_hash,
                )
                counters.fact_added(complaint)  # R-STAT-2 complaints, same transaction
                events.complaint_filed(complaint, at=now, actor=acting_user)
                events.complaint_assigned(complaint, at=now)
                if staff_unit is not None and _needs_referral(staff_unit.code, assigned.code):
                    complaint.referral = exchange.send_request(
                        RequestType.COMPLAINT_REFERRAL,
                        sender_code=staff_unit.code,
                        receiver_code=assigned.code,
                        acting_user=acting_user,
                        idempotency_key=f"complaint-{reference}",
                        persons=[person] if person else [],
                        payload={"complaint": reference, "category": data.category},
                        subject=str(Category(data.category).label),
                        origin=origin,
                        now=now,
                    )
                    complaint.save(update_fields=["referral"])
                    events.complaint_referred(complaint, at=now, actor=acting_user)
                _audit_change(
                    complaint,
                    acting_user,
                    origin,
                    {
                        "event": "filed",
                        "category": data.category,
                        "channel": channel,
                        "assigned_to": assigned.code,
                    },
                )
        except IntegrityError:
            if Complaint.objects.filter(reference=reference).exists():
                continue  # the random reference was taken: draw another
            raise
        return FiledComplaint(complaint, secret)
    raise Rejected.because(_("Please send the complaint again."))


def _check_public_limit(origin_hash: str, now: dt.datetime) -> None:
    """R-GRV-1 / R-ACC-3: a few complaints an hour per connection, counted inside the filing
    transaction under a per-connection lock, so concurrent posts cannot all pass the count."""
    ratelimit.lock(f"complaint-origin:{origin_hash}")
    recent = Complaint.objects.filter(
        origin_hash=origin_hash, received_at__gte=now - dt.timedelta(hours=1)
    ).count()
    if recent >= settings.COMPLAINTS_PER_HOUR:
        raise Rejected.because(
            _(
                "Several complaints were sent from this connection in the last hour. "
                "Please try again later or call the 12356 hotline."
            )
        )


def _needs_referral(staff_code: str, assigned_code: str) -> bool:
    """A hand-over is needed between two lines of the hierarchy, not up or down one line."""
    return not Scope.within(staff_code).meets(assigned_code)


def access_complaint(user: User, complaint_id: int) -> Complaint:
    """The complaint if the user's scope covers it, else NotFound."""
    found = (
        Complaint.objects.visible_to(user)
        .select_related("place", "assigned_to", "filed_by_unit", "person", "answered_by")
        .filter(pk=complaint_id)
        .first()
    )
    if found is None:
        raise NotFound(_("No such complaint in your jurisdiction."))
    return found


def access_complaint_or_none(user: User, complaint_id: int) -> Complaint | None:
    """The complaint if the user still sees it (after handing it away they may not)."""
    try:
        return access_complaint(user, complaint_id)
    except NotFound:
        return None


def lookup_complaint(reference: str, secret: str, *, origin: Origin | None = None) -> Complaint:
    """The complaint whose reference and secret both match (the public status page).

    A wrong pair is NotFound, whichever half is wrong; many wrong pairs from one
    connection are refused for an hour, so references cannot be tried in bulk.
    """
    origin = origin or Origin()
    key = "complaint-lookup:" + blind_index(origin.ip or "-", domain="complaint-lookup")
    # Each look-up is counted before it is checked (one atomic increment), so concurrent guesses
    # cannot all be checked against one stale count; a right pair gives its count back.
    attempt = ratelimit.count(key, window=3600)
    if attempt.count > settings.COMPLAINT_LOOKUP_FAILURES_PER_HOUR:
        raise Rejected.because(
            _("Too many unsuccessful look-ups from this connection. Please try again in an hour.")
        )
    reference = (reference or "").strip().upper()
    secret = (secret or "").strip().upper()
    found = None
    if _REFERENCE_RE.match(reference) and secret:
        found = Complaint.objects.select_related("assigned_to").filter(reference=reference).first()
    if found is None or not hmac.compare_digest(found.secret_hash, _secret_hash(reference, secret)):
        raise NotFound(_("No complaint matches this reference and access code."))
    ratelimit.refund(key)
    return found


def may_answer(user: User, complaint: Complaint) -> bool:
    return complaint.status == ComplaintStatus.OPEN and Scope.of(user).covers(
        complaint.assigned_to_id
    )


def answer_complaint(
    complaint_id: int,
    *,
    answer: str,
    acting_user: User,
    origin: Origin | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """The responsible jurisdiction answers (R-GRV-1); a late answer is recorded as late.

    A referral request still awaiting its answer is answered with the same text.
    """
    complaint = access_complaint(acting_user, complaint_id)
    text = (answer or "").strip()
    if not may_answer(acting_user, complaint) and complaint.status == ComplaintStatus.OPEN:
        raise Rejected.because(_("Only the responsible jurisdiction answers this complaint."))
    if not text:
        raise Rejected.because(_("Please write the answer."), "answer")
    if len(text) > 4000:
        raise Rejected.because(_("The answer can have at most 4000 characters."), "answer")
    now = now or timezone.now()
    # Escalated for lateness, it stays late however new its due date at the level above.
    late = local_date(now) > complaint.due_on or complaint.escalations > 0
    with transaction.atomic():
        claimed = Complaint.objects.filter(pk=complaint.pk, status=ComplaintStatus.OPEN).update(
            status=ComplaintStatus.ANSWERED,
            answer=text,
            answered_by=acting_user,
            answered_at=now,
            answered_late=late,
        )
        if not claimed:
            raise Rejected.because(_("This complaint has already been answered."))
        complaint.refresh_from_db()
        events.complaint_answered(complaint, at=now, actor=acting_user, late=late)
        if _may_answer_referral(acting_user, complaint):
            exchange.answer_request(
                complaint.referral_id, answer=text, acting_user=acting_user, origin=origin, now=now
            )
        _audit_change(complaint, acting_user, origin, {"event": "answered", "late": late})
    return complaint


def _may_answer_referral(user: User, complaint: Complaint) -> bool:
    """The hand-over request is answered with the complaint while it awaits and the user's unit
    is its receiver's line (after a transfer the receiver may no longer be the user's)."""
    referral = complaint.referral if complaint.referral_id else None
    return (
        referral is not None
        and referral.status in AWAITING_STATUSES
        and Scope.of(user).covers(referral.receiver_id)
    )


def may_transfer(user: User, complaint: Complaint) -> bool:
    """The responsible unit, or a level above it, may hand an open complaint to another unit."""
    return complaint.status == ComplaintStatus.OPEN and Scope.of(user).covers(
        complaint.assigned_to_id
    )


def may_escalate(user: User, complaint: Complaint, today: dt.date | None = None) -> bool:
    """A late open complaint may be sent up by anyone on the case: the responsible side and its
    superiors, or the unit that filed it (R-GRV-1)."""
    today = today or timezone.localdate()
    if complaint.status != ComplaintStatus.OPEN or complaint.due_on >= today:
        return False
    on_the_case = Scope.of(user).covers_any(complaint.filed_by_unit_id, complaint.assigned_to_id)
    return on_the_case and level_above(complaint.assigned_to) is not None


def _target(code: str) -> Division:
    code = (code or "").strip()
    if not code:
        raise Rejected.because(_("Please choose the unit to transfer the complaint to."), "to_code")
    division = Division.objects.filter(pk=code).first()
    if division is None:
        raise Rejected.because(
            _("There is no division with code %(code)s.") % {"code": code[:20]}, "to_code"
        )
    if division.is_placeholder or division.level > 4:
        raise Rejected.because(
            _("Please choose a township, county, city or province office to answer it."),
            "to_code",
        )
    return division


def _move(complaint: Complaint, *, to: Division, due, days: int | None, today, **claim) -> bool:
    """Move an open complaint to another unit with one conditional UPDATE (two clicks, or the
    sweep and a person, cannot both move it), and move its count with it (R-STAT-2)."""
    before = copy.copy(complaint)
    fields = {"assigned_to": to, **claim}
    if due is not None:
        fields.update(due_on=due.date, due_fallback=due.fallback, deadline_days=days)
    claimed = Complaint.objects.filter(
        pk=complaint.pk, status=ComplaintStatus.OPEN, assigned_to_id=complaint.assigned_to_id
    )
    if today is not None:
        claimed = claimed.filter(due_on__lt=today)
    if not claimed.update(**fields):
        return False
    complaint.refresh_from_db()
    counters.fact_changed(before, complaint)  # the complaint counts for its new unit
    return True


def _log_move(complaint, write_event, *, acting_user, origin, now, from_code, reason, detail):
    """A claimed move's timeline event and audit row, inside the move's transaction."""
    write_event(complaint, at=now, actor=acting_user, from_code=from_code, reason=reason)
    _audit_change(complaint, acting_user, origin, detail)


def transfer_complaint(
    complaint_id: int,
    *,
    to_code: str,
    reason: str,
    acting_user: User,
    origin: Origin | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """Hand a complaint to another unit with a reason (R-GRV-1): on its timeline and audited.

    The due date stays: the complainant was promised an answer by then. The new unit may not be
    the unit the complaint is about, nor one under it (nobody answers a complaint about itself).
    """
    complaint = access_complaint(acting_user, complaint_id)
    if not may_transfer(acting_user, complaint):
        if complaint.status != ComplaintStatus.OPEN:
            raise Rejected.because(_("This complaint has already been answered."))
        raise Rejected.because(_("Only the responsible jurisdiction transfers this complaint."))
    errors: dict[str, list[str]] = {}
    target = None
    try:
        target = _target(to_code)
    except Rejected as exc:
        errors.update(exc.errors)
    text = (reason or "").strip()
    if len(text) < 4:
        errors["reason"] = [_("Please say in a few words why it goes to that unit.")]
    elif len(text) > 500:
        errors["reason"] = [_("The reason can have at most 500 characters.")]
    if target is not None and "to_code" not in errors:
        if target.code == complaint.assigned_to_id:
            errors["to_code"] = [_("The complaint is already with this unit.")]
        elif Scope.within(complaint.place_id).covers(target.code):
            errors["to_code"] = [
                _(
                    "The complaint is about this unit or a unit under it, so it cannot answer "
                    "it. Please choose the level above or another office."
                )
            ]
    if errors:
        raise Rejected(errors)
    now = now or timezone.now()
    from_code = complaint.assigned_to_id
    with transaction.atomic():
        if not _move(complaint, to=target, due=None, days=None, today=None):
            raise Rejected.because(_("Someone else changed this complaint. Please look again."))
        _log_move(
            complaint,
            events.complaint_transferred,
            acting_user=acting_user,
            origin=origin,
            now=now,
            from_code=from_code,
            reason=text,
            detail={"event": "transferred", "from": from_code, "to": target.code, "reason": text},
        )
    return complaint


def escalate_complaint(
    complaint_id: int,
    *,
    acting_user: User | None,
    reason: str = "",
    origin: Origin | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """Send a late complaint to the next level up (R-GRV-1), with a fresh answer deadline there.

    acting_user None is the daily sweep. Only an open complaint past its due date goes up; it
    stays marked late when answered.
    """
    now = now or timezone.now()
    today = local_date(now)
    if acting_user is None:
        complaint = Complaint.objects.select_related("assigned_to").get(pk=complaint_id)
    else:
        complaint = access_complaint(acting_user, complaint_id)
        if not may_escalate(acting_user, complaint, today):
            if complaint.status != ComplaintStatus.OPEN:
                raise Rejected.because(_("This complaint has already been answered."))
            if complaint.due_on >= today:
                raise Rejected.because(
                    _("The complaint is not late yet: it can be escalated after %(day)s.")
                    % {"day": complaint.due_on.isoformat()}
                )
            if level_above(complaint.assigned_to) is None:
                raise Rejected.because(
                    _("The complaint is already with the province: there is no level above.")
                )
            raise Rejected.because(_("Your unit is not on this complaint's case."))
    text = (reason or "").strip()
    if len(text) > 500:
        raise Rejected.because(_("The reason can have at most 500 characters."), "reason")
    above = level_above(complaint.assigned_to)
    if above is None:
        raise Rejected.because(
            _("The complaint is already with the province: there is no level above.")
        )
    days, due, _reason = _deadline(above, now)
    from_code = complaint.assigned_to_id
    with transaction.atomic():
        moved = _move(
            complaint,
            to=above,
            due=due,
            days=days,
            today=today,
            escalations=F("escalations") + 1,
        )
        if not moved:
            raise Rejected.because(_("Someone else changed this complaint. Please look again."))
        _log_move(
            complaint,
            events.complaint_escalated,
            acting_user=acting_user,
            origin=origin,
            now=now,
            from_code=from_code,
            reason=text,
            detail={
                "event": "escalated",
                "from": from_code,
                "to": above.code,
                "by": "sweep" if acting_user is None else "hand",
            },
        )
    return complaint


def escalate_overdue_complaints(today: dt.date, *, now: dt.datetime | None = None) -> int:
    """The daily sweep (R-GRV-1): every open complaint past its due date goes one level up.

    Safe to repeat: an escalated complaint has a new due date, and each move is claimed with a
    conditional UPDATE, so a person escalating at the same moment does not move it twice.
    """
    now = now or timezone.now()
    moved = 0
    late = (
        Complaint.objects.overdue(on=today)
        .exclude(assigned_to__level=1)
        .order_by("due_on", "pk")
        .values_list("pk", flat=True)
    )
    for pk in list(late):
        try:
            escalate_complaint(pk, acting_user=None, now=now)
        except Rejected:
            continue  # answered or moved meanwhile
        moved += 1
    return moved


def open_for_calendar(first: dt.date, last: dt.date):
    """R-WD-4: open complaints due on `first` or later, received on `last` or earlier, with the
    day their working-day count started (a new year's schedule may move them)."""
    complaints = Complaint.objects.open().filter(due_on__gte=first).select_related("assigned_to")
    for c in complaints.order_by("due_on", "pk").iterator(chunk_size=2000):
        start = local_date(c.received_at)
        if start <= last:
            yield c, start


def calendar_label(complaint: Complaint) -> str:
    return f"{complaint.reference} · {complaint.assigned_to.short_name}"


def move_due_for_calendar(complaint: Complaint, new_due: dt.date, fallback: bool) -> bool:
    """R-WD-4: a newly loaded schedule moves an open complaint's due date, if it is unchanged;
    the counters follow (R-STAT-1). The caller's transaction writes the audit row."""
    return counters.update_if_unchanged(complaint, "due_on", due_on=new_due, due_fallback=fallback)
