"""Registering, finding and revealing persons. Every write is one transaction with its audit row."""

import copy
import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from yipanqi.accounts.models import User
from yipanqi.audit.models import Action, Result
from yipanqi.audit.services import Origin, record_event
from yipanqi.core.crypto import blind_index
from yipanqi.core.errors import NotFound, Rejected
from yipanqi.divisions.codes import InvalidCode, level_of
from yipanqi.divisions.models import Division
from yipanqi.divisions.scope import Scope
from yipanqi.ledger.counters import fact_added as stats_fact_added
from yipanqi.people import idnumbers
from yipanqi.people.bulk import Sealer, recorded_in_time
from yipanqi.people.counted import person_changed as stats_person_changed
from yipanqi.people.counted import registration_closed as stats_registration_closed
from yipanqi.people.grants import emergency_person
from yipanqi.people.models import (
    CloseReason,
    EventType,
    MaritalStatus,
    Person,
    PersonEvent,
    Registration,
    RegistrationKind,
    RegistrationStatus,
    Sex,
    StayReason,
)

MUNICIPALITIES = {"11", "12", "31", "50"}
_PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}\d{7,8})$")


@dataclass
class RegistrationInput:
    id_number: str
    name: str
    home_code: str
    residence_code: str
    arrival_date: dt.date
    reason: str
    marital_status: str = MaritalStatus.UNMARRIED
    phone: str = ""
    received_on: dt.date | None = None
    dwelling_code: str = ""
    # Optional, as spreadsheets and other systems carry them: cross-checked against the ID.
    sex: str = ""
    birth_date: dt.date | None = None
    # R-JUR-3: a man is registered as the husband of a registered woman (her person id).
    spouse_id: int | None = None
    errors: dict[str, list[str]] = field(default_factory=dict, repr=False)


def id_number_error(error: idnumbers.InvalidIdNumber) -> str:
    """A plain-language message for an ID number that failed a check."""
    messages = {
        "length": _("An ID number has 18 characters; this one has %(n)s.") % {"n": error.detail},
        "characters": _(
            "An ID number is 17 digits followed by a digit or the letter X. Please check it."
        ),
        "area": _("The first two digits of this ID number are not a province. Please check it."),
        "birth_date": _(
            "Digits 7 to 14 of this ID number are not a real date of birth. Please check it."
        ),
        "check_digit": _(
            "This ID number is not valid: its last character does not match the others. "
            "A digit was probably typed wrong."
        ),
    }
    return messages.get(error.code, _("This ID number is not valid."))


def normalize_phone(raw: str) -> str:
    text = re.sub(r"[\s\-()（）]", "", raw.translate(idnumbers._TRANSLATE))
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text


def _division(code: str, errors: dict, key: str, label: str) -> Division | None:
    code = (code or "").strip()
    if not code:
        errors.setdefault(key, []).append(_("Please choose the %(place)s.") % {"place": label})
        return None
    try:
        level = level_of(code)
    except InvalidCode:
        errors.setdefault(key, []).append(
            _("%(code)s is not a division code.") % {"code": code[:20]}
        )
        return None
    division = Division.objects.filter(pk=code).first()
    if division is None:
        errors.setdefault(key, []).append(
            _("There is no division with code %(code)s.") % {"code": code}
        )
        return None
    if level < 3:
        errors.setdefault(key, []).append(
            _("Please choose the %(place)s down to at least the county or district.")
            % {"place": label}
        )
        return None
    return division


def _is_district(division: Division) -> bool:
    return division.name.endswith("区")


def scope_violations(home: Division, residence: Division, reason: str) -> list[str]:
    """R-JUR-3: why this stay is not a migrant record, in plain words; empty when it is."""
    problems = []
    home_county, residence_county = home.code[:6], residence.code[:6]
    if home_county == residence_county:
        problems.append(
            _(
                "The home place and the residence are in the same county or district, "
                "so this person is not a migrant."
            )
        )
    elif home.code[:2] == residence.code[:2] and home.code[:2] in MUNICIPALITIES:
        problems.append(
            _(
                "Moving between districts of the same municipality is not migration "
                "and is not registered here."
            )
        )
    elif home.code[:4] == residence.code[:4]:
        home_c = Division.objects.filter(pk=home_county).first()
        res_c = Division.objects.filter(pk=residence_county).first()
        if home_c and res_c and _is_district(home_c) and _is_district(res_c):
            problems.append(
                _(
                    "Moving between districts of the same city is not migration "
                    "and is not registered here."
                )
            )
    if reason not in StayReason.in_scope():
        label = StayReason(reason).label if reason in StayReason.values else reason
        problems.append(
            _(
                "People staying for %(reason)s are expected to return home and are not "
                "registered as migrants."
            )
            % {"reason": label}
        )
    return problems


def is_valid_phone(phone: str) -> bool:
    """A normalised mobile number or a landline with its area code."""
    return bool(_PHONE_RE.match(phone))


LONE_MAN = _lazy(
    "A man is registered as the husband of a registered woman, not on his own: open her "
    "record and choose 'Register her husband'."
)


def person_rule_errors(
    ident: idnumbers.IdNumber,
    marital_status: str,
    arrival_date: dt.date,
    today: dt.date,
    *,
    as_spouse: bool = False,
) -> dict[str, list[str]]:
    """R-JUR-3: adults of childbearing age; women 18-49, men only as married husbands, and
    only as the spouse of a registered woman (`as_spouse`: the caller links him to her).

    Public so that bulk imports apply the very same rules row by row (a file row has no
    wife to link, so a man's row is refused with the reason).
    """
    errors: dict[str, list[str]] = {}
    if arrival_date < ident.birth_date:
        errors.setdefault("arrival_date", []).append(
            _("The date of arrival is before the date of birth in the ID number.")
        )
    age = ident.age_on(today)
    if age < 18:
        errors.setdefault("id_number", []).append(
            _("This person is under 18 and is not registered as a migrant of childbearing age.")
        )
    elif ident.sex == Sex.FEMALE and age > 49:
        errors.setdefault("id_number", []).append(
            _("Women are registered from 18 to 49 years of age; this person is %(age)s.")
            % {"age": age}
        )
    elif ident.sex == Sex.MALE and marital_status not in MaritalStatus.married():
        errors.setdefault("marital_status", []).append(
            _(
                "Men are registered as the husband of a woman of childbearing age; "
                "this man is not recorded as married."
            )
        )
    elif ident.sex == Sex.MALE and not as_spouse:
        errors.setdefault("__all__", []).append(str(LONE_MAN))
    return errors


@dataclass(frozen=True)
class _Checked:
    ident: idnumbers.IdNumber
    home: Division
    residence: Division
    dwelling: Division | None
    phone: str
    received_on: dt.date


def _validate(data: RegistrationInput, today: dt.date) -> _Checked:
    errors: dict[str, list[str]] = {}
    ident = None
    try:
        ident = idnumbers.parse(data.id_number or "", today=today)
    except idnumbers.InvalidIdNumber as exc:
        errors.setdefault("id_number", []).append(id_number_error(exc))
    if ident and data.sex and data.sex != ident.sex:
        errors.setdefault("sex", []).append(
            _(
                "The sex does not match the ID number (its 17th digit is odd for men and "
                "even for women). Please check both."
            )
        )
    if ident and data.birth_date and data.birth_date != ident.birth_date:
        errors.setdefault("birth_date", []).append(
            _("The date of birth does not match digits 7 to 14 of the ID number.")
        )
    name = (data.name or "").strip()
    if not name:
        errors.setdefault("name", []).append(_("Please enter the person's name."))
    elif len(name) > 50:
        errors.setdefault("name", []).append(_("The name is too long (50 characters at most)."))
    phone = normalize_phone(data.phone or "")
    if phone and not is_valid_phone(phone):
        errors.setdefault("phone", []).append(
            _("Please enter an 11-digit mobile number or a landline with its area code.")
        )
    home = _division(data.home_code, errors, "home_code", _("home place (household registration)"))
    residence = _division(data.residence_code, errors, "residence_code", _("place of residence"))
    dwelling = None
    if data.dwelling_code:
        dwelling = _division(data.dwelling_code, errors, "dwelling_code", _("dwelling place"))
    if data.reason not in StayReason.values:
        errors.setdefault("reason", []).append(_("Please choose why the person stays here."))
    if data.marital_status not in MaritalStatus.values:
        errors.setdefault("marital_status", []).append(_("Please choose the marital status."))
    if data.arrival_date is None:
        errors.setdefault("arrival_date", []).append(_("Please enter the date of arrival."))
    elif data.arrival_date > today:
        errors.setdefault("arrival_date", []).append(
            _("The date of arrival cannot be in the future.")
        )
    received_on = data.received_on or today
    if received_on > today:
        errors.setdefault("received_on", []).append(
            _("The date of receipt cannot be in the future.")
        )
    if home and residence and data.reason in StayReason.values:
        for problem in scope_violations(home, residence, data.reason):
            errors.setdefault("__all__", []).append(problem)
    if ident and data.arrival_date:
        # The husband's link to his wife is checked by `_wife_of` (it needs the registry).
        for key, messages in person_rule_errors(
            ident, data.marital_status, data.arrival_date, today, as_spouse=True
        ).items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise Rejected(errors)
    return _Checked(ident, home, residence, dwelling, phone, received_on)


def _unit_allowed(user: User, kind: str, checked: _Checked) -> bool:
    """Inflow is registered by the residence side, outflow by the home side (R-REGN-1)."""
    if not user.can_register:
        return False
    place = checked.residence if kind == RegistrationKind.INFLOW else checked.home
    return Scope.of(user).covers(place.code)


def _encrypt_person_fields(person: Person, ident: idnumbers.IdNumber, phone: str) -> None:
    """P5: sealed as the bulk writer seals many (people.bulk.Sealer)."""
    sealer = Sealer()
    person.id_number_cipher, person.id_number_index, person.id_number_masked = sealer.id_number(
        ident.value
    )
    if phone:
        person.phone_cipher, person.phone_index, person.phone_masked = sealer.phone(phone)


def register(
    data: RegistrationInput,
    *,
    kind: str,
    acting_user: User,
    origin: Origin | None = None,
    today: dt.date | None = None,
) -> Registration:
    """Register an inflow or outflow person (R-REGN-1..3, R-JUR-3) and link the two sides."""
    today = today or timezone.localdate()
    checked = _validate(data, today)
    wife = _wife_of(data, checked, acting_user)
    if not _unit_allowed(acting_user, kind, checked):
        side = _("the residence") if kind == RegistrationKind.INFLOW else _("the home place")
        raise Rejected(
            {
                "__all__": [
                    _("You can only register persons whose %(side)s is in your jurisdiction.")
                    % {"side": side}
                ]
            }
        )
    try:
        with transaction.atomic():
            return _register_locked(data, kind, acting_user, origin, checked, today, wife)
    except IntegrityError:
        # Two clerks registered the same person at the same moment: the other one won.
        raise Rejected(
            {"__all__": [_("This person was just registered by someone else. Please search.")]}
        ) from None


def _wife_of(data: RegistrationInput, checked: _Checked, user: User) -> Person | None:
    """R-JUR-3, R-CERT-1: men are registered as spouses. A man is registered only as the
    husband of a registered woman the user may see (or is already linked to one); returns the
    wife to link, or None when there is nothing to link."""
    index = blind_index(checked.ident.value, domain="id")
    existing = Person.objects.filter(id_number_index=index).only("pk", "spouse_id").first()
    if checked.ident.sex != Sex.MALE:
        if data.spouse_id:
            raise Rejected({"__all__": [_("Only a husband is registered with his wife's record.")]})
        return None
    if not data.spouse_id:
        if existing is not None and existing.spouse_id:
            return None  # already her husband: a new stay of a linked man
        raise Rejected({"__all__": [str(LONE_MAN)]})
    wife = Person.objects.visible_to(user).filter(pk=data.spouse_id).first()
    if wife is None or wife.sex != Sex.FEMALE:
        raise Rejected(
            {"__all__": [_("His wife's record was not found among the persons you can see.")]}
        )
    if existing is not None and existing.spouse_id and existing.spouse_id != wife.pk:
        raise Rejected(
            {"__all__": [_("This man is already recorded as the husband of another woman.")]}
        )
    if wife.spouse_id and (existing is None or wife.spouse_id != existing.pk):
        raise Rejected({"__all__": [_("She is already recorded with another husband.")]})
    if wife.marital_status not in MaritalStatus.married():
        raise Rejected(
            {
                "__all__": [
                    _(
                        "She is not recorded as married. Correct her marital status first, "
                        "then register her husband."
                    )
                ]
            }
        )
    return wife


def husband_form_initial(user: User, wife: Person) -> dict | None:
    """R-JUR-3: where this user may register her husband, the registration form's starting
    values (his wife linked, her stay's places); None when not (she is not a married woman
    without a husband on record, or neither of her stays is in the user's jurisdiction)."""
    if (
        wife.sex != Sex.FEMALE
        or wife.spouse_id
        or wife.marital_status not in MaritalStatus.married()
        or not user.can_register
    ):
        return None
    scope = Scope.of(user)
    if scope.none:
        return None
    common = {"spouse_id": wife.pk, "marital_status": wife.marital_status}
    for stay in wife.registrations.active().order_by("-recorded_at"):
        if stay.kind == RegistrationKind.INFLOW and scope.covers(stay.residence_id):
            return {
                **common,
                "kind": RegistrationKind.INFLOW,
                "residence_code": stay.residence_id,
                "arrival_date": stay.arrival_date,
                "reason": stay.reason,
            }
        if stay.kind == RegistrationKind.OUTFLOW and scope.covers(stay.home_id):
            return {
                **common,
                "kind": RegistrationKind.OUTFLOW,
                "home_code": stay.home_id,
                "residence_code": stay.residence_id,
                "arrival_date": stay.arrival_date,
                "reason": stay.reason,
            }
    return None


def link_spouses(wife: Person, husband: Person, *, acting_user: User, origin=None) -> bool:
    """R-JUR-3: record the marriage link both ways, when neither has another spouse on record.
    Joins the caller's transaction; True when the link was made now."""
    if wife.sex != Sex.FEMALE or husband.sex != Sex.MALE:
        return False
    if wife.spouse_id or husband.spouse_id:
        return False
    now = timezone.now()
    claimed = Person.objects.filter(pk=wife.pk, spouse__isnull=True).update(
        spouse=husband, updated_at=now
    )
    if not claimed:
        return False
    Person.objects.filter(pk=husband.pk).update(spouse=wife, updated_at=now)
    wife.spouse, husband.spouse = husband, wife
    _audit_person(
        wife, Action.CHANGE, acting_user, origin, event="spouse_linked", spouse=husband.pk
    )
    return True


def change_marital_status(
    person: Person,
    status: str,
    *,
    acting_user: User | None,
    source: str,
    unit_id: str | None = None,
    origin: Origin | None = None,
    now: dt.datetime | None = None,
    data: dict | None = None,
) -> bool:
    """Record a new marital status (a verification, a civil-affairs feed): the person, a
    `details_changed` event (with `source` and the caller's `data`), the statistics counters
    (R-STAT-1: service coverage counts the married) and the audit row. Joins the caller's
    transaction; False, and nothing written, when she already has that status."""
    before = person.marital_status
    if status == before:
        return False
    now = now or timezone.now()
    counted = copy.copy(person)  # as the statistics counted her
    Person.objects.filter(pk=person.pk).update(marital_status=status, updated_at=now)
    person.marital_status, person.updated_at = status, now
    stats_person_changed(counted, person)  # R-STAT-1, same transaction
    change = {"from": before, "to": status}
    PersonEvent.objects.create(
        person=person,
        at=now,
        type=EventType.DETAILS_CHANGED,
        actor=acting_user if getattr(acting_user, "pk", None) else None,
        unit_id=unit_id,
        data={"fields": ["marital_status"], "marital_status": change, "source": source,
              **(data or {})},
    )  # fmt: skip
    _audit_person(person, Action.PERSON_UPDATE, acting_user, origin,
                  event="marital_status_changed", source=source, marital_status=change)  # fmt: skip
    return True


def _audit_person(person: Person, action: str, acting_user, origin, **detail) -> None:
    """The audit row of a change to a person (never an ID or phone number in `detail`)."""
    record_event(actor=acting_user, action=action, origin=origin, object_type="person",
                 object_id=person.pk, person_id=person.pk, detail=detail)  # fmt: skip


def _register_locked(
    data, kind, acting_user, origin, checked: _Checked, today, wife: Person | None = None
) -> Registration:
    now = timezone.now()
    index = blind_index(checked.ident.value, domain="id")
    person = Person.objects.select_for_update().filter(id_number_index=index).first()
    name = data.name.strip()
    if person is None:
        person = Person(
            name=name,
            sex=checked.ident.sex,
            birth_date=checked.ident.birth_date,
            home=checked.home,
            residence=checked.residence,
            marital_status=data.marital_status,
            created_at=now,
            updated_at=now,
        )
        _encrypt_person_fields(person, checked.ident, checked.phone)
        person.save()
    else:
        if person.name != name:
            raise Rejected(
                {
                    "name": [
                        _(
                            "This ID number is already registered under another name. "
                            "Please check the name and the ID number."
                        )
                    ]
                }
            )
        _check_duplicate(person, kind, checked)
        before = copy.copy(person)  # as the statistics counted her
        person.home = checked.home if kind == RegistrationKind.OUTFLOW else person.home
        person.residence = checked.residence
        person.marital_status = data.marital_status
        if checked.phone:
            _encrypt_person_fields(person, checked.ident, checked.phone)
        person.updated_at = now
        person.save()
        if before.marital_status != person.marital_status:
            stats_person_changed(before, person)  # R-STAT-1: service coverage counts the married
    registration = Registration.objects.create(
        person=person,
        kind=kind,
        home=checked.home,
        residence=checked.residence,
        dwelling=checked.dwelling,
        registered_by_unit=acting_user.jurisdiction,
        reason=data.reason,
        arrival_date=data.arrival_date,
        received_on=checked.received_on,
        recorded_at=now,
        recorded_in_time=recorded_in_time(checked.received_on, today),
        last_contact_on=data.arrival_date if kind == RegistrationKind.OUTFLOW else None,
        created_by=acting_user,
    )
    stats_fact_added(registration)  # R-STAT-1: counters change in this transaction
    if wife is not None:
        # R-JUR-3: the spouses are linked both ways, in the registration's transaction.
        Person.objects.filter(pk=person.pk).update(spouse=wife)
        Person.objects.filter(pk=wife.pk).update(spouse=person, updated_at=now)
        person.spouse = wife
    event_type = (
        EventType.REGISTERED_INFLOW
        if kind == RegistrationKind.INFLOW
        else EventType.REGISTERED_OUTFLOW
    )
    PersonEvent.objects.create(
        person=person,
        at=now,
        type=event_type,
        actor=acting_user,
        unit=acting_user.jurisdiction,
        data={
            "registration": registration.pk,
            "home": checked.home.code,
            "residence": checked.residence.code,
            "arrival_date": data.arrival_date.isoformat(),
        },
    )
    other_kind = (
        RegistrationKind.OUTFLOW if kind == RegistrationKind.INFLOW else RegistrationKind.INFLOW
    )
    counterpart = person.registrations.active().filter(kind=other_kind).first()
    if counterpart is not None:
        # R-REGN-2: the same ID on both sides links the records; each side sees the other's.
        PersonEvent.objects.create(
            person=person,
            at=now,
            type=EventType.LINKED,
            actor=acting_user,
            unit=acting_user.jurisdiction,
            data={
                "inflow": registration.pk if kind == RegistrationKind.INFLOW else counterpart.pk,
                "outflow": registration.pk if kind == RegistrationKind.OUTFLOW else counterpart.pk,
            },
        )
        if kind == RegistrationKind.INFLOW:
            # R-REGN-4: the residence registering her is news of an outflow person.
            Registration.objects.filter(pk=counterpart.pk).update(
                last_contact_on=today, lost_contact=False
            )
    record_event(
        actor=acting_user,
        action=Action.PERSON_CREATE,
        origin=origin,
        object_type="registration",
        object_id=registration.pk,
        person_id=person.pk,
        detail={"kind": kind, **({"spouse": wife.pk} if wife is not None else {})},
    )
    return registration


def _check_duplicate(person: Person, kind: str, checked: _Checked) -> None:
    existing = person.registrations.active().filter(kind=kind).first()
    if existing is None:
        return
    same_place = (
        existing.residence_id == checked.residence.code
        if kind == RegistrationKind.INFLOW
        else existing.home_id == checked.home.code
    )
    if same_place:
        raise Rejected({"__all__": [_("This person is already registered here.")]})
    # The person moved on: the old registration closes, history stays (R-REGN-6).
    existing.status = RegistrationStatus.CLOSED
    existing.close_reason = CloseReason.SUPERSEDED
    existing.closed_on = timezone.localdate()
    existing.save(update_fields=["status", "close_reason", "closed_on"])
    stats_registration_closed(existing)  # R-STAT-1: her stay there stops counting


def access_person(user: User, person_id: int, *, origin: Origin | None = None) -> Person:
    """The person with this id if the user's scope covers them (R-ACC-2), else NotFound.

    A refused attempt on a person that exists is audited.
    """
    person = (
        Person.objects.visible_to(user)
        .select_related("home", "residence")
        .filter(pk=person_id)
        .first()
    )
    if person is None:
        # Break-the-glass (issue 7.4): an unexpired, audited emergency grant opens one person.
        person = emergency_person(user, person_id)
    if person is None:
        if Person.objects.filter(pk=person_id).exists():
            record_event(
                actor=user,
                action=Action.PERSON_DENIED,
                origin=origin,
                result=Result.DENIED,
                object_type="person",
                object_id=person_id,
                person_id=person_id,
            )
        raise NotFound(_("No such person in your jurisdiction."))
    return person


@dataclass(frozen=True)
class RevealedPerson:
    person: Person
    id_number: str
    phone: str


def reveal_person(
    user: User, person_id: int, *, origin: Origin | None = None, reason: str = ""
) -> RevealedPerson:
    """A person's whole ID and phone number for their page, audited in the same transaction."""
    # Outside the transaction: a refusal's audit row must survive the NotFound it raises.
    person = access_person(user, person_id, origin=origin)
    with transaction.atomic():
        revealed = RevealedPerson(person, person.reveal_id_number(), person.reveal_phone())
        record_event(
            actor=user,
            action=Action.PERSON_VIEW,
            origin=origin,
            object_type="person",
            object_id=person.pk,
            person_id=person.pk,
            reason=reason,
        )
    return revealed


def search_persons(
    user: User,
    *,
    id_number: str = "",
    name: str = "",
    within: str = "",
    kind: str = "",
    origin: Origin | None = None,
):
    """Persons in the user's scope matching the criteria; the search itself is audited."""
    qs = Person.objects.visible_to(user).select_related("home", "residence")
    criteria = {}
    if id_number:
        normalized = idnumbers.normalize(id_number)
        qs = qs.filter(id_number_index=blind_index(normalized, domain="id"))
        criteria["id_number"] = idnumbers.mask(normalized)
    if name:
        qs = qs.filter(name__contains=name.strip())
        criteria["name"] = name.strip()[:20]
    if within:
        from yipanqi.divisions.models import within_q

        try:
            qs = qs.filter(within_q("home_id", within) | within_q("residence_id", within))
        except InvalidCode:
            qs = qs.none()
        criteria["within"] = within[:12]
    if kind in RegistrationKind.values:
        qs = qs.filter(registrations__kind=kind, registrations__status=RegistrationStatus.ACTIVE)
        criteria["kind"] = kind
    record_event(
        actor=user,
        action=Action.PERSON_SEARCH,
        origin=origin,
        object_type="person",
        detail=criteria,
    )
    return qs.order_by("-updated_at", "-pk")
