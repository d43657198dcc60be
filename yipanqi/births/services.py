"""Birth registration (R-BIRTH-1..3) and birth reports (R-BIRTH-4). Each step is one
transaction with its timeline event, its audit row and the exchange requests it sends.

Section 2 of DOMAIN.md: nothing here approves, refuses, counts against a quota or charges; a
file is returned only for missing documents, with the reason stated.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yipanqi.accounts.models import REGISTERING_ROLES, Role, User
from yipanqi.audit.models import Action
from yipanqi.audit.services import Origin, record_event
from yipanqi.births import events
from yipanqi.births.models import (
    ASK_KEY,
    FORWARD_KEY,
    NOTIFY_FIRST_KEY,
    NOTIFY_FURTHER_KEY,
    BirthEventType,
    BirthRegistration,
    BirthReport,
    BirthStatus,
    Document,
    ReportSource,
    Route,
)
from yipanqi.core.errors import NotFound, Rejected
from yipanqi.divisions.models import Division
from yipanqi.divisions.scope import Scope
from yipanqi.exchange import services as exchange
from yipanqi.exchange.models import Request, RequestStatus, RequestType
from yipanqi.ledger import counters
from yipanqi.people.models import Person, Registration, RegistrationKind, Sex
from yipanqi.people.services import access_person, link_spouses
from yipanqi.regions import rules
from yipanqi.workdays.services import local_date

_reject = Rejected.because


# --- scope and roles ---------------------------------------------------------------------------


def access_registration(user: User, registration_id: int) -> BirthRegistration:
    found = (
        BirthRegistration.objects.visible_to(user)
        .select_related(
            "woman", "husband", "woman_home", "husband_home", "unit", "township", "residence"
        )
        .filter(pk=registration_id)
        .first()
    )
    if found is None:
        raise NotFound(_("No such birth registration in your jurisdiction."))
    return found


def _active_inflow(person: Person) -> Registration | None:
    return (
        Registration.objects.active()
        .filter(person=person, kind=RegistrationKind.INFLOW)
        .select_related("residence")
        .first()
    )


def may_apply_at_residence(user: User, woman: Person) -> bool:
    """R-BIRTH-1: the couple applies at her residence village (or township)."""
    if user.role not in REGISTERING_ROLES:
        return False
    registration = _active_inflow(woman)
    return registration is not None and Scope.of(user).meets(registration.residence_id)


def may_register_at_home(user: User, woman: Person, husband_home: str = "") -> bool:
    """R-BIRTH-3: her home township; for a couple from two provinces, either home township."""
    if user.role != Role.TOWNSHIP_OPERATOR:
        return False
    scope = Scope.of(user)
    if scope.covers(woman.home_id):
        return True
    return (
        bool(husband_home) and husband_home[:2] != woman.home_id[:2] and scope.covers(husband_home)
    )


def _took_application(user: User, registration) -> bool:
    """Whether the user works for the village or township that took the application."""
    return user.role in REGISTERING_ROLES and Scope.of(user).covers(registration.unit_id)


def may_ask(user, registration) -> bool:
    return registration.status == BirthStatus.RECEIVED and _took_application(user, registration)


def may_forward(user, registration) -> bool:
    if not _took_application(user, registration):
        return False
    if registration.status == BirthStatus.RETURNED:
        return True
    return registration.status == BirthStatus.CONFIRMING and all_answered(registration)


def may_decide(user, registration) -> bool:
    return (
        registration.status == BirthStatus.FORWARDED
        and user.role == Role.TOWNSHIP_OPERATOR
        and Scope.of(user).covers(registration.township_id)
    )


# --- reads used by the steps -------------------------------------------------------------------


def confirmation_requests(registration) -> list[Request]:
    return list(
        Request.objects.filter(
            birth_events__registration=registration, type=RequestType.BIRTH_CONFIRMATION
        )
        .select_related("receiver", "answered_by")
        .distinct()
        .order_by("pk")
    )


def notice_requests(registration) -> list[Request]:
    return list(
        Request.objects.filter(
            birth_events__registration=registration, type=RequestType.BIRTH_NOTICE
        )
        .select_related("receiver")
        .distinct()
        .order_by("pk")
    )


ANSWERED = (RequestStatus.ANSWERED, RequestStatus.CLOSED)


def all_answered(registration) -> bool:
    """R-BIRTH-2 step 2 is over when every home township asked has answered."""
    requests = confirmation_requests(registration)
    return all(r.status in ANSWERED for r in requests)


def last_answer_at(registration) -> dt.datetime | None:
    requests = confirmation_requests(registration)
    if not requests or not all(r.status in ANSWERED for r in requests):
        return None
    return max(r.answered_at for r in requests)


def forward_started_at(registration) -> dt.datetime | None:
    """When R-BIRTH-2 step 3 starts: the last answer (or the asking, with nobody to ask)."""
    last = last_answer_at(registration)
    if (
        last is None
        and registration.asked_at is not None
        and not confirmation_requests(registration)
    ):
        return registration.asked_at  # nobody outside to ask: due from the asking
    return last


def forward_due_on(registration) -> dt.date | None:
    """R-BIRTH-2 step 3: within the rule set's days (7) of the last answer."""
    start = forward_started_at(registration)
    if start is None:
        return None
    due, _days = rules.due_for(FORWARD_KEY, registration.unit_id, registration.unit_id, start)
    return due.date


def step_days(key: str, registration, receiver_code: str = "", on=None) -> int:
    """The working days of a step of this registration, from the rule set (R-REG-2)."""
    sender = registration.township_id if key.startswith("birth_notice") else registration.unit_id
    return rules.deadline_for(key, sender, receiver_code or sender, on or registration.received_on)


# --- input -------------------------------------------------------------------------------------


@dataclass
class BirthInput:
    woman_id: int
    husband_name: str
    husband_home_code: str
    documents: list[str] = field(default_factory=list)
    idempotency_key: str = ""
    child_order: int = 1
    husband_id: int | None = None


def _township_of(code: str, field_name: str, label: str, errors: dict) -> Division | None:
    code = (code or "").strip()
    if len(code) < 9 or not code.isdigit():
        errors.setdefault(field_name, []).append(
            _("Please choose the %(place)s down to the township.") % {"place": label}
        )
        return None
    found = Division.objects.filter(pk=code[:9]).first()
    if found is None:
        errors.setdefault(field_name, []).append(
            _("There is no township with code %(code)s.") % {"code": code[:9]}
        )
    return found


def _check(data: BirthInput, user: User, origin) -> tuple[Person, Person | None, dict]:
    woman = access_person(user, data.woman_id, origin=origin)
    errors: dict[str, list[str]] = {}
    if woman.sex != Sex.FEMALE:
        errors.setdefault("woman_id", []).append(
            _("A birth registration is made for the woman; her husband is named with her.")
        )
    husband = None
    # R-JUR-3: her husband's record, named or already linked to her, gives his name and home.
    husband_id = data.husband_id or woman.spouse_id
    if husband_id:
        try:
            husband = access_person(user, husband_id, origin=origin)
        except NotFound:
            husband = None
    # R-JUR-3: her husband's record, when named, must be a man's and not another woman's.
    if husband is not None and husband.sex != Sex.MALE:
        errors.setdefault("husband_id", []).append(_("Please choose her husband's record."))
        husband = None
    if husband is not None and (
        (woman.spouse_id and woman.spouse_id != husband.pk)
        or (husband.spouse_id and husband.spouse_id != woman.pk)
    ):
        errors.setdefault("husband_id", []).append(
            _("One of them is recorded as married to someone else; please check.")
        )
    name = (husband.name if husband else data.husband_name or "").strip()
    if not name or len(name) > 50:
        errors.setdefault("husband_name", []).append(_("Please enter her husband's name."))
    home_code = husband.home_id if husband else data.husband_home_code
    clean = {
        "husband_name": name,
        "husband_home": _township_of(home_code, "husband_home_code", _("husband's home"), errors),
        "woman_home": _township_of(woman.home_id, "woman_id", _("her home"), errors),
    }
    unknown = [d for d in data.documents if d not in Document.values]
    if unknown:
        errors.setdefault("documents", []).append(_("Please choose documents from the list."))
    clean["documents"] = [d for d in Document.values if d in data.documents]
    try:
        order = int(data.child_order)
    except (TypeError, ValueError):
        order = 0
    if not 1 <= order <= 20:
        errors.setdefault("child_order", []).append(
            _("Please give which child this is, as a number from 1.")
        )
    clean["child_order"] = order
    key = (data.idempotency_key or "").strip()
    if not key or len(key) > 100:
        errors.setdefault("idempotency_key", []).append(
            _("The form is incomplete; please reload the page and send it again.")
        )
    clean["key"] = key
    if errors:
        raise Rejected(errors)
    return woman, husband, clean


def _link(woman: Person, husband: Person | None, user, origin) -> None:
    """R-JUR-3: a registration naming her husband's record links the two, if not yet."""
    if husband is not None:
        link_spouses(woman, husband, acting_user=user, origin=origin)


def _existing(key: str, woman: Person) -> BirthRegistration | None:
    found = BirthRegistration.objects.filter(idempotency_key=key).first()
    if found is not None and found.woman_id != woman.pk:
        raise _reject(_("This form was already used for another registration."))
    return found


def _audit(user, origin, registration, event: str, **detail) -> None:
    record_event(
        actor=user,
        action=Action.CHANGE,
        origin=origin,
        object_type="birth_registration",
        object_id=registration.pk,
        person_id=registration.woman_id,
        detail={"event": event, **detail},
    )


# --- R-BIRTH-1/2: first child at the residence -------------------------------------------------


def apply_first_child(
    data: BirthInput,
    *,
    acting_user: User,
    origin: Origin | None = None,
    now: dt.datetime | None = None,
) -> BirthRegistration:
    """R-BIRTH-1: the residence village receives the couple's application for a first child;
    step 1 (ask both home townships) is then due within 7 working days."""
    woman, husband, clean = _check(data, acting_user, origin)
    existing = _existing(clean["key"], woman)
    if existing is not None:
        return existing
    if not may_apply_at_residence(acting_user, woman):
        raise _reject(
            _("The couple applies at her residence village or township: that is not yours.")
        )
    now = now or timezone.now()
    unit = acting_user.jurisdiction
    try:
        with transaction.atomic():
            registration = BirthRegistration.objects.create(
                route=Route.RESIDENCE,
                child_order=1,
                woman=woman,
                husband=husband,
                husband_name=clean["husband_name"],
                woman_home=clean["woman_home"],
                husband_home=clean["husband_home"],
                unit=unit,
                township_id=unit.code[:9],
                residence_id=_active_inflow(woman).residence_id,
                documents=clean["documents"],
                received_on=local_date(now),
                ask_due_on=rules.due_for(ASK_KEY, unit.code, unit.code, now)[0].date,
                created_by=acting_user,
                created_at=now,
                idempotency_key=clean["key"],
            )
            events.received(registration, at=now, actor=acting_user)
            _link(woman, husband, acting_user, origin)
            _audit(acting_user, origin, registration, "received", route="residence")
    except IntegrityError:
        existing = _existing(clean["key"], woman)
        if existing is None:
            raise
        return existing
    return registration


def ask_home_townships(
    registration_id: int,
    *,
    acting_user: User,
    origin: Origin | None = None,
    now: dt.datetime | None = None,
) -> BirthRegistration:
    """R-BIRTH-2 step 1: the residence village asks both spouses' home townships to confirm;
    each answers within its deadline (step 2, 15 working days, from the rule set)."""
    registration = access_registration(acting_user, registration_id)
    if not _took_application(acting_user, registration):
        raise _reject(_("Only the unit that received the application asks the home side."))
    now = now or timezone.now()
    with transaction.atomic():
        claimed = BirthRegistration.objects.filter(
            pk=registration.pk, status=BirthStatus.RECEIVED
        ).update(status=BirthStatus.CONFIRMING, asked_at=now)
        if not claimed:
            raise _reject(_("The home townships have already been asked."))
        registration.refresh_from_db()
        sent, skipped = [], []
        for code in registration.home_townships():
            sender = registration.unit_id
            if Scope.within(sender).meets(code):
                skipped.append(code)  # the applying unit is itself her home side
                continue
            sent.append(
                exchange.send_request(
                    RequestType.BIRTH_CONFIRMATION,
                    sender_code=sender,
                    receiver_code=code,
                    acting_user=acting_user,
                    idempotency_key=f"birth-{registration.pk}-confirm-{code}",
                    persons=[registration.woman]
                    + ([registration.husband] if registration.husband else []),
                    payload={
                        "registration": registration.pk,
                        "question": _(
                            "Please confirm the marital and childbearing status of %(woman)s "
                            "and %(husband)s for a first-child registration."
                        )
                        % {"woman": registration.woman.name, "husband": registration.husband_name},
                    },
                    subject=_("First-child registration: please confirm"),
                    origin=origin,
                    now=now,
                )
            )
        late = local_date(now) > registration.ask_due_on
        events.asked(
            registration, at=now, actor=acting_user, requests=sent, skipped=skipped, late=late
        )
        _audit(acting_user, origin, registration, "asked", requests=[r.pk for r in sent])
    return registration


def record_confirmation(request: Request, *, acting_user: User, now: dt.datetime) -> None:
    """R-BIRTH-2 step 2 on the timeline: the home township's answer to a confirmation request,
    with who answered and when. Called by exchange.answer_request in its transaction, however
    the answer was given (this page, the inbox, the API); once per request."""
    registration = (
        BirthRegistration.objects.filter(
            events__requests=request, events__type=BirthEventType.ASKED
        )
        .distinct()
        .first()
    )
    if registration is None:
        return
    if registration.events.filter(type=BirthEventType.CONFIRMED, requests=request).exists():
        return
    late = request.due_on is not None and local_date(now) > request.due_on
    events.confirmed(registration, request, at=now, actor=acting_user, late=late)


def forward_to_township(
    registration_id: int,
    *,
    opinion: str,
    documents: list[str] | None = None,
    acting_user: User,
    origin: Origin | None = None,
    now: dt.datetime | None = None,
) -> BirthRegistration:
    """R-BIRTH-2 step 3: the village forwards the file with its opinion within 7 working days
    of the last answer; after a return, it resubmits with the missing documents."""
    registration = access_registration(acting_user, registration_id)
    if not _took_application(acting_user, registration):
        raise _reject(_("Only the unit that received the application forwards it."))
    text = (opinion or "").strip()
    if not text:
        raise _reject(_("Please write the village's opinion."), "opinion")
    if len(text) > 1000:
        raise _reject(_("The opinion can have at most 1000 characters."), "opinion")
    if documents is not None and any(d not in Document.values for d in documents):
        raise _reject(_("Please choose documents from the list."), "documents")
    resubmitted = registration.status == BirthStatus.RETURNED
    if not resubmitted:
        if registration.status != BirthStatus.CONFIRMING:
            raise _reject(_("The file cannot be forwarded at this step."))
        if not all_answered(registration):
            raise _reject(_("Wait for every home township to answer before forwarding."))
    now = now or timezone.now()
    due = forward_due_on(registration)
    fields = {"status": BirthStatus.FORWARDED, "forwarded_at": now, "village_opinion": text}
    if documents is not None:
        fields["documents"] = [d for d in Document.values if d in documents]
    with transaction.atomic():
        claimed = BirthRegistration.objects.filter(
            pk=registration.pk, status=registration.status
        ).update(**fields)
        if not claimed:
            raise _reject(_("Someone changed this file a moment ago; please reload."))
        registration.refresh_from_db()
        late = not resubmitted and due is not None and local_date(now) > due
        events.forwarded(
            registration, at=now, actor=acting_user, late=late, resubmitted=resubmitted
        )
        _audit(acting_user, origin, registration, "resubmitted" if resubmitted else "forwarded")
    return registration


def _next_number(township_code: str, year: int) -> str:
    prefix = f"B{township_code[:6]}{year}"
    last = (
        BirthRegistration.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return f"{prefix}{(int(last[len(prefix) :]) + 1 if last else 1):05d}"


def _claim_number(registration, now) -> str:
    """Give the registration the next number of its township; retry on a concurrent taker."""
    for _attempt in range(5):
        number = _next_number(registration.township_id, local_date(now).year)
        try:
            with transaction.atomic():
                BirthRegistration.objects.filter(pk=registration.pk).update(number=number)
            return number
        except IntegrityError:
            continue
    raise _reject(_("The platform is busy; please try again."))


def _notify(registration, *, receivers, key: str, acting_user, origin, now) -> list[Request]:
    sent = []
    sender = registration.township_id
    for code in receivers:
        if not code or Scope.within(sender).meets(code):
            continue
        sent.append(
            exchange.send_request(
                RequestType.BIRTH_NOTICE,
                sender_code=sender,
                receiver_code=code,
                acting_user=acting_user,
                idempotency_key=f"birth-{registration.pk}-notice-{code}",
                persons=[registration.woman],
                payload={
                    "registration": registration.pk,
                    "number": registration.number,
                    "child_order": registration.child_order,
                    "issued_on": local_date(now).isoformat(),
                },
                subject=_("Birth registration %(number)s issued") % {"number": registration.number},
                origin=origin,
                now=now,
                deadline_key=key,
            )
        )
    # Issue 12.4: the step's due date is the due date of the notices it sent (one rule set).
    BirthRegistration.objects.filter(pk=registration.pk).update(
        notify_due_on=max(r.due_on for r in sent) if sent else None,
        notified_at=now if sent else None,
    )
    registration.refresh_from_db()
    if sent:
        events.notified(registration, at=now, actor=acting_user, requests=sent)
    return sent


def issue_registration(
    registration_id: int,
    *,
    acting_user: User,
    origin: Origin | None = None,
    now: dt.datetime | None = None,
) -> BirthRegistration:
    """R-BIRTH-2 steps 4-5: the township issues at once if the file is complete and notifies
    both home townships (within 15 working days: at once, here)."""
    registration = access_registration(acting_user, registration_id)
    if not may_decide(acting_user, registration):
        raise _reject(_("Only the residence township issues, once the file is forwarded."))
    missing = registration.missing_documents()
    if missing:
        raise _reject(
            _("The file lacks: %(missing)s. Return it stating what is missing.")
            % {"missing": "; ".join(str(Document(d).label) for d in missing)}
        )
    now = now or timezone.now()
    with transaction.atomic():
        claimed = BirthRegistration.objects.filter(
            pk=registration.pk, status=BirthStatus.FORWARDED
        ).update(status=BirthStatus.ISSUED, issued_at=now, issued_by=acting_user)
        if not claimed:
            raise _reject(_("Someone changed this file a moment ago; please reload."))
        _claim_number(registration, now)
        registration.refresh_from_db()
        events.issued(registration, at=now, actor=acting_user)
        _notify(
            registration,
            receivers=registration.home_townships(),
            key=NOTIFY_FIRST_KEY,
            acting_user=acting_user,
            origin=origin,
            now=now,
        )
        _audit(acting_user, origin, registration, "issued", number=registration.number)
    return registration


def return_registration(
    registration_id: int,
    *,
    missing: list[str],
    note: str = "",
    acting_user: User,
    origin: Origin | None = None,
    now: dt.datetime | None = None,
) -> BirthRegistration:
    """R-BIRTH-2 step 4: the township returns the file, stating which documents are missing.
    Section 2: missing documents are the only reason a file can be returned."""
    registration = access_registration(acting_user, registration_id)
    if not may_decide(acting_user, registration):
        raise _reject(_("Only the residence township returns a forwarded file."))
    chosen = [d for d in Document.values if d in (missing or [])]
    if not chosen or len(chosen) != len(set(missing or [])):
        raise _reject(
            _("A file can only be returned for missing documents: choose which are missing."),
            "missing",
        )
    text = (note or "").strip()
    if len(text) > 300:
        raise _reject(_("The note can have at most 300 characters."), "note")
    labels = "; ".join(str(Document(d).label) for d in chosen)
    reason = _("Missing: %(documents)s.") % {"documents": labels}
    if text:
        reason = f"{reason} {text}"
    now = now or timezone.now()
    with transaction.atomic():
        claimed = BirthRegistration.objects.filter(
            pk=registration.pk, status=BirthStatus.FORWARDED
        ).update(
            status=BirthStatus.RETURNED,
            returned_at=now,
            missing=chosen,
            return_reason=reason[:300],
        )
        if not claimed:
            raise _reject(_("Someone changed this file a moment ago; please reload."))
        registration.refresh_from_db()
        events.returned(registration, at=now, actor=acting_user)
        _audit(acting_user, origin, registration, "returned", missing=chosen)
    return registration


# --- R-BIRTH-3: registered at the home side ----------------------------------------------------


def register_at_home(
    data: BirthInput,
    *,
    acting_user: User,
    origin: Origin | None = None,
    now: dt.datetime | None = None,
) -> BirthRegistration:
    """R-BIRTH-3: a further child is registered by her home township (for a couple from two
    provinces, either home) and the residence is notified within 7 working days; a first child
    registered at home notifies within 15 (R-BIRTH-2 step 5). Issued at once, nothing approved."""
    woman, husband, clean = _check(data, acting_user, origin)
    existing = _existing(clean["key"], woman)
    if existing is not None:
        return existing
    husband_home = clean["husband_home"].code
    if not may_register_at_home(acting_user, woman, husband_home):
        raise _reject(
            _(
                "Her home township registers it (either home township for a couple from two "
                "provinces): that is not yours."
            )
        )
    missing = [d for d in Document.values if d not in clean["documents"]]
    if missing:
        raise _reject(
            _("Please bring: %(missing)s.")
            % {"missing": "; ".join(str(Document(d).label) for d in missing)},
            "documents",
        )
    now = now or timezone.now()
    township = Division.objects.get(pk=acting_user.jurisdiction_id)
    stay = _active_inflow(woman)
    residence = stay.residence_id if stay else (woman.residence_id or None)
    try:
        with transaction.atomic():
            registration = BirthRegistration.objects.create(
                route=Route.HOME,
                child_order=clean["child_order"],
                woman=woman,
                husband=husband,
                husband_name=clean["husband_name"],
                woman_home=clean["woman_home"],
                husband_home=clean["husband_home"],
                unit=township,
                township=township,
                residence_id=residence,
                documents=clean["documents"],
                received_on=local_date(now),
                status=BirthStatus.ISSUED,
                issued_at=now,
                issued_by=acting_user,
                created_by=acting_user,
                created_at=now,
                idempotency_key=clean["key"],
            )
            _claim_number(registration, now)
            registration.refresh_from_db()
            events.received(registration, at=now, actor=acting_user)
            events.issued(registration, at=now, actor=acting_user)
            _link(woman, husband, acting_user, origin)
            key = NOTIFY_FURTHER_KEY if registration.child_order > 1 else NOTIFY_FIRST_KEY
            _notify(
                registration,
                receivers=[residence] if residence else [],
                key=key,
                acting_user=acting_user,
                origin=origin,
                now=now,
            )
            _audit(acting_user, origin, registration, "issued", route="home")
    except IntegrityError:
        existing = _existing(clean["key"], woman)
        if existing is None:
            raise
        return existing
    return registration


# --- R-BIRTH-4: birth reports ------------------------------------------------------------------


@dataclass
class BirthReportInput:
    mother_id: int
    birth_date: dt.date
    child_sex: str
    source: str = ReportSource.RESIDENCE
    child_name: str = ""
    registration_id: int | None = None
    idempotency_key: str = ""
    birth_order: int = 1


def already_reported(mother_id: int, birth_date, birth_order: int) -> BirthReport | None:
    """The counted report of this child (same mother, date and child of the delivery), if any."""
    return BirthReport.objects.filter(
        mother_id=mother_id,
        birth_date=birth_date,
        birth_order=birth_order,
        duplicate_of__isnull=True,
    ).first()


def _duplicate_rejection(existing: BirthReport) -> Rejected:
    return Rejected(
        {
            "birth_date": [
                _(
                    "This birth is already reported (%(day)s, %(sex)s); it is counted once. "
                    "If she had twins, choose the second child."
                )
                % {"day": existing.birth_date.isoformat(), "sex": Sex(existing.child_sex).label}
            ]
        }
    )


def report_birth(
    data: BirthReportInput,
    *,
    acting_user: User,
    origin: Origin | None = None,
    now: dt.datetime | None = None,
) -> BirthReport:
    """R-BIRTH-4: a birth is recorded with the child's sex and notified to the home side."""
    mother = access_person(acting_user, data.mother_id, origin=origin)
    key = (data.idempotency_key or "").strip()
    if key:
        existing = BirthReport.objects.filter(idempotency_key=key).first()
        if existing is not None:
            if existing.mother_id != mother.pk:
                raise _reject(_("This form was already used for another report."))
            return existing
    now = now or timezone.now()
    today = local_date(now)
    errors: dict[str, list[str]] = {}
    if not (acting_user.jurisdiction_id and acting_user.role in (
        Role.VILLAGE_WORKER, Role.TOWNSHIP_OPERATOR
    )):  # fmt: skip
        errors["__all__"] = [_("Births are reported by a village or township.")]
    if mother.sex != Sex.FEMALE:
        errors.setdefault("mother_id", []).append(_("Please choose the mother."))
    if data.child_sex not in Sex.values:
        errors.setdefault("child_sex", []).append(_("Please choose the child's sex."))
    if data.source not in ReportSource.values:
        errors.setdefault("source", []).append(_("Please choose who reports the birth."))
    if not isinstance(data.birth_date, dt.date):
        errors.setdefault("birth_date", []).append(_("Please enter the date of birth."))
    elif data.birth_date > today:
        errors.setdefault("birth_date", []).append(_("The date of birth cannot be in the future."))
    elif data.birth_date <= mother.birth_date:
        errors.setdefault("birth_date", []).append(
            _("The date of birth must be after the mother's.")
        )
    name = (data.child_name or "").strip()
    if len(name) > 50:
        errors.setdefault("child_name", []).append(_("A name has at most 50 characters."))
    if not isinstance(data.birth_order, int) or not 1 <= data.birth_order <= 9:
        errors.setdefault("birth_order", []).append(
            _("Choose which child of the delivery this is (1 for a single birth).")
        )
    if not key or len(key) > 100:
        errors.setdefault("idempotency_key", []).append(
            _("The form is incomplete; please reload the page and send it again.")
        )
    registration = None
    if data.registration_id:
        registration = BirthRegistration.objects.filter(
            pk=data.registration_id, woman=mother
        ).first()
        if registration is None:
            errors.setdefault("registration_id", []).append(
                _("That birth registration is not hers.")
            )
    if errors:
        raise Rejected(errors)
    # Issue 16.11: a second report of the same birth (the hospital feed's, another form's) would
    # count it twice in the sex ratio (R-STAT-5); the constraint backs this check under races.
    existing = already_reported(mother.pk, data.birth_date, data.birth_order)
    if existing is not None:
        raise _duplicate_rejection(existing)
    unit = acting_user.jurisdiction_id
    home = mother.home_id[:9]
    try:
        with transaction.atomic():
            report = BirthReport.objects.create(
                mother=mother,
                birth_date=data.birth_date,
                child_sex=data.child_sex,
                child_name=name,
                birth_order=data.birth_order,
                source=data.source,
                unit_id=unit,
                registration=registration,
                reported_by=acting_user,
                created_at=now,
                idempotency_key=key,
            )
            counters.fact_added(report)  # R-STAT-5 sex ratio at birth, same transaction
            if not Scope.within(unit).meets(home):
                report.notice = exchange.send_request(
                    RequestType.BIRTH_REPORT,
                    sender_code=unit,
                    receiver_code=home,
                    acting_user=acting_user,
                    idempotency_key=f"birth-report-{report.pk}",
                    persons=[mother],
                    payload={
                        "birth_date": report.birth_date.isoformat(),
                        "child_sex": report.child_sex,
                        "source": report.source,
                    },
                    subject=_("Birth on %(day)s: %(sex)s")
                    % {"day": report.birth_date.isoformat(), "sex": Sex(report.child_sex).label},
                    origin=origin,
                    now=now,
                )
                report.save(update_fields=["notice"])
            record_event(
                actor=acting_user,
                action=Action.CHANGE,
                origin=origin,
                object_type="birth_report",
                object_id=report.pk,
                person_id=mother.pk,
                detail={"event": "birth_reported", "notice": report.notice_id},
            )
    except IntegrityError:
        existing = BirthReport.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
        existing = already_reported(mother.pk, data.birth_date, data.birth_order)
        if existing is not None:
            raise _duplicate_rejection(existing) from None
        raise
    return report


# --- the family's printable record -------------------------------------------------------------


def registration_pdf(
    user: User,
    registration_id: int,
    *,
    certificate_check_url=None,
    origin: Origin | None = None,
) -> tuple[BirthRegistration, bytes]:
    """The printable birth registration for the family, in the certificate's layout, with its
    steps (the home townships' confirmations among them). It carries her whole ID number, so it
    is audited as an export. Her valid certificate's check code is printed when she has one
    (`certificate_check_url(certificate)` gives its public check address)."""
    from reportlab.lib.units import mm

    from yipanqi.certificates.pdf import place_name, render_document
    from yipanqi.certificates.services import current_certificate
    from yipanqi.divisions.models import PATH_SEPARATOR

    registration = access_registration(user, registration_id)
    if registration.status != BirthStatus.ISSUED:
        raise _reject(_("The registration can be printed once it is issued."))
    woman = registration.woman
    issued_on = local_date(registration.issued_at)
    rows = [
        (_("Woman"), woman.name),
        (_("ID number"), woman.reveal_id_number()),
        (_("Date of birth"), woman.birth_date.isoformat()),
        (_("Home place"), place_name(registration.woman_home)),
        (_("Husband"), registration.husband_name),
        (_("Husband's home"), place_name(registration.husband_home)),
        (_("Which child"), str(registration.child_order)),
        (_("Registered by"), place_name(registration.township)),
        (_("Registered on"), issued_on.isoformat()),
        (_("Documents presented"), "; ".join(registration.document_labels()) or "—"),
    ]
    certificate = current_certificate(woman)
    qr_url = ""
    if certificate is not None and certificate.is_valid_on(issued_on):
        rows.append((_("Her certificate"), certificate.number))
        qr_url = certificate_check_url(certificate) if certificate_check_url else ""
    timeline = registration.events.select_related("unit", "actor").order_by("at", "id")
    table = [
        [
            local_date(event.at).isoformat(),
            str(event.get_type_display())[:24],
            "".join(event.unit.path_name.split(PATH_SEPARATOR)[-2:])[:18] if event.unit else "",
            str(event.actor)[:10] if event.actor else "",
        ]
        for event in timeline
    ]
    content = render_document(
        title=_("Birth service registration"),
        number=registration.number,
        rows=rows,
        note=_(
            "Registered free of charge. This record is issued to the family; it approves "
            "nothing and places no obligation on them."
        ),
        table_title=_("Steps of the registration"),
        table_columns=[
            (pgettext("table column: when", "Date"), 0),
            (_("What was done"), 24 * mm),
            (pgettext("table column: jurisdiction", "Unit"), 90 * mm),
            (_("Handled by"), 140 * mm),
        ],
        table_rows=table,
        empty_table="—",
        qr_url=qr_url,
        qr_caption=_("Scan to check her certificate"),
    )
    record_event(
        actor=user,
        action=Action.EXPORT,
        origin=origin,
        object_type="birth_registration",
        object_id=registration.pk,
        person_id=woman.pk,
        detail={"event": "printed", "number": registration.number},
    )
    return registration, content
