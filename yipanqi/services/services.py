"""Recording free services, sending service reports home, editing supply points and recording
benefits. Every write is one transaction with its audit row (and its exchange request)."""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yipanqi.accounts.models import Role, User
from yipanqi.audit.models import Action
from yipanqi.audit.services import Origin, record_change, record_event
from yipanqi.core.errors import NotFound, Rejected
from yipanqi.divisions.models import Division, within_q
from yipanqi.divisions.scope import Scope
from yipanqi.exchange import services as exchange
from yipanqi.exchange.models import RequestType
from yipanqi.grievances import services as grievances
from yipanqi.grievances.models import Category, Channel
from yipanqi.ledger import counters
from yipanqi.people.models import Person, Registration, RegistrationKind
from yipanqi.regions.rules import RulesMissing, pick_rules
from yipanqi.services.models import (
    Benefit,
    BenefitKind,
    ServiceRecord,
    ServiceReport,
    ServiceType,
    SupplyPoint,
    SupplyPointKind,
)
from yipanqi.workdays.services import local_date

MAX_CHARGE = Decimal("100000")
_PHONE_RE = re.compile(r"^[0-9\-+ ]{5,30}$")


def _person(user: User, person_id, field_name: str = "person_id") -> Person:
    person = (
        Person.objects.visible_to(user).select_related("home", "residence").filter(pk=person_id)
    ).first()
    if person is None:
        raise Rejected.because(_("No such person in your jurisdiction."), field_name)
    return person


def _amount(raw, field_name: str, errors: dict) -> Decimal | None:
    try:
        value = Decimal(str(raw if raw not in (None, "") else "0"))
    except InvalidOperation:
        errors[field_name] = [_("Please enter an amount in yuan, like 0 or 35.50.")]
        return None
    if (
        not value.is_finite()
        or value < 0
        or value > MAX_CHARGE
        or value != value.quantize(Decimal("0.01"))
    ):
        errors[field_name] = [_("Please enter an amount in yuan, like 0 or 35.50.")]
        return None
    return value


# --- R-SVC-1, R-SVC-3: services given ---------------------------------------------------------


@dataclass
class ServiceInput:
    person_id: int
    service_type: str
    given_on: dt.date
    provider: str
    amount_charged: Decimal | str | int = 0
    note: str = ""


@dataclass(frozen=True)
class CheckupFrequency:
    """Check-ups recorded in the year against the region's parameters (R-SVC-3)."""

    count: int
    minimum: int | None
    maximum: int | None
    rule_reason: str

    @property
    def over_maximum(self) -> bool:
        return self.maximum is not None and self.count > self.maximum

    @property
    def below_minimum(self) -> bool:
        return self.minimum is not None and self.count < self.minimum


@dataclass(frozen=True)
class RecordedService:
    record: ServiceRecord
    warnings: list[str] = field(default_factory=list)


def checkup_frequency(person: Person, year: int, unit_code: str) -> CheckupFrequency:
    """R-SVC-3: the check-ups of the person in the year and the region's minimum and maximum
    for the residence unit (its province's own parameters, else its region, else national)."""
    count = ServiceRecord.objects.checkups_in_year(person, year).count()
    try:
        choice = pick_rules(unit_code, unit_code, on=dt.date(year, 12, 31))
    except RulesMissing:
        # No rule set at all (an empty database): no frequency to hold the count against.
        return CheckupFrequency(count, None, None, _("no rule set"))
    return CheckupFrequency(
        count,
        choice.rule_set.checkups_min_per_year,
        choice.rule_set.checkups_max_per_year,
        choice.reason,
    )


def stay_of(person: Person, day: dt.date, unit_code: str) -> Registration | None:
    """Her stay here on that day: the inflow registration in the unit's area open on `day`
    (the latest, if a move left two), or None. R-STAT-1 service coverage counts by stay."""
    return (
        Registration.objects.filter(
            within_q("residence_id", unit_code),
            person=person,
            kind=RegistrationKind.INFLOW,
            arrival_date__lte=day,
        )
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=day))
        .select_related("person")
        .order_by("-arrival_date", "-pk")
        .first()
    )


def may_record_services(user: User, person: Person) -> bool:
    """The residence side records services (R-SVC-1): a unit covering the person's residence."""
    return bool(user.jurisdiction_id) and Scope.of(user).covers(person.residence_id)


def record_service(
    data: ServiceInput,
    *,
    acting_user: User,
    origin: Origin | None = None,
    now: dt.datetime | None = None,
) -> RecordedService:
    """Record one service given (R-SVC-1). A charge on a basic service is flagged as a rights
    violation and opens a complaint for the responsible jurisdiction in the same transaction;
    a check-up beyond the region's yearly maximum is recorded with a warning (R-SVC-3)."""
    person = _person(acting_user, data.person_id)
    if not may_record_services(acting_user, person):
        raise Rejected.because(_("Services are recorded by the person's place of residence."))
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    service_type = ServiceType.objects.filter(code=data.service_type, active=True).first()
    if service_type is None:
        errors["service_type"] = [_("Please choose a service from the list.")]
    if not isinstance(data.given_on, dt.date):
        errors["given_on"] = [_("Please enter a date like 2026-03-05.")]
    elif data.given_on > local_date(now):
        errors["given_on"] = [_("The date cannot be in the future.")]
    elif data.given_on < person.birth_date or data.given_on.year < 2000:
        errors["given_on"] = [_("Please check the date.")]
    provider = (data.provider or "").strip()
    if not provider:
        errors["provider"] = [_("Please enter who gave the service.")]
    elif len(provider) > 100:
        errors["provider"] = [_("At most 100 characters.")]
    note = (data.note or "").strip()
    if len(note) > 300:
        errors["note"] = [_("At most 300 characters.")]
    amount = _amount(data.amount_charged, "amount_charged", errors)
    if errors:
        raise Rejected(errors)
    unit = acting_user.jurisdiction
    violation = service_type.basic and amount > 0
    warnings = []
    exceeded = None
    if service_type.is_checkup:
        before = checkup_frequency(person, data.given_on.year, unit.code)
        if before.maximum is not None and before.count + 1 > before.maximum:
            exceeded = before.maximum
            warnings.append(
                _(
                    "This is check-up %(n)s in %(year)s; the region's parameters allow at most "
                    "%(max)s a year (%(rule)s)."
                )
                % {
                    "n": before.count + 1,
                    "year": data.given_on.year,
                    "max": before.maximum,
                    "rule": before.rule_reason,
                }
            )
    with transaction.atomic():
        record = ServiceRecord.objects.create(
            person=person,
            service_type=service_type,
            given_on=data.given_on,
            provider=provider,
            unit=unit,
            amount_charged=amount,
            note=note,
            charged_violation=violation,
            checkup_limit_exceeded=exceeded,
            recorded_by=acting_user,
            recorded_at=now,
            registration=stay_of(person, data.given_on, unit.code),
        )
        # R-STAT-1 free-service rate and service coverage, same transaction
        counters.fact_added(record)
        if violation:
            # R-SVC-1: a basic service with a charge is a rights violation; it opens a complaint
            # for the jurisdiction that answers for the provider, so it is followed and counted.
            filed = grievances.file_complaint(
                grievances.ComplaintInput(
                    category=Category.CHARGED_FOR_FREE_SERVICE,
                    description=_(
                        "%(service)s on %(date)s by %(provider)s was charged %(amount)s yuan; "
                        "it is a basic free service."
                    )
                    % {
                        "service": service_type.name,
                        "date": data.given_on.isoformat(),
                        "provider": provider,
                        "amount": amount,
                    },
                    place_code=unit.code,
                    person_id=person.pk,
                ),
                acting_user=acting_user,
                channel=Channel.AUTOMATIC,
                origin=origin,
                now=now,
            )
            record.complaint = filed.complaint
            record.save(update_fields=["complaint"])
            warnings.insert(
                0,
                _(
                    "A basic service must be free: this charge is recorded as a rights violation "
                    "and complaint %(reference)s was opened."
                )
                % {"reference": filed.complaint.reference},
            )
        record_change(
            "service_record",
            record,
            actor=acting_user,
            origin=origin,
            person_id=person.pk,
            event="service_recorded",
            type=service_type.code,
            violation=violation,
            checkup_over_limit=exceeded is not None,
        )
    return RecordedService(record, warnings)


def access_service_record(user: User, record_id: int) -> ServiceRecord:
    found = (
        ServiceRecord.objects.visible_to(user)
        .select_related("person", "service_type", "unit", "complaint")
        .filter(pk=record_id)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def list_violations(user: User, *, origin: Origin | None = None):
    """R-SVC-1: charged basic services in the user's area, for its administrators (the list
    names persons and their services, so reading it is audited like a search)."""
    scope = Scope.of(user)
    if scope.none:
        return ServiceRecord.objects.none()
    if origin is not None:
        record_event(
            actor=user,
            action=Action.PERSON_SEARCH,
            origin=origin,
            object_type="service_record",
            detail={"list": "violations"},
        )
    return (
        ServiceRecord.objects.visible_to(user)
        .violations()
        .given_within(scope.code)
        .select_related("person", "service_type", "unit", "complaint")
        .order_by("-given_on", "-pk")
    )


# --- R-SVC-2: the service report sent home ----------------------------------------------------


@dataclass
class ReportInput:
    person_id: int
    period_from: dt.date
    period_to: dt.date
    contraception: str = ""
    remarks: str = ""
    idempotency_key: str = ""


def home_receiver(person: Person) -> str:
    """The home side that receives the report: the home township (or the home code if coarser)."""
    return person.home_id[:9] if len(person.home_id) >= 9 else person.home_id


def send_service_report(
    data: ReportInput,
    *,
    acting_user: User,
    origin: Origin | None = None,
    now: dt.datetime | None = None,
) -> ServiceReport:
    """Send the person's service report to the home side through the exchange (R-SVC-2, R-EX-2).

    The same idempotency key sends once (R-EX-5): a second submission returns the first report.
    """
    person = _person(acting_user, data.person_id)
    if not may_record_services(acting_user, person):
        raise Rejected.because(_("The service report is sent by the person's place of residence."))
    now = now or timezone.now()
    key = (data.idempotency_key or "").strip()
    if not key or len(key) > 60:
        raise Rejected.because(_("Please send the form again."), "idempotency_key")
    full_key = f"service-report-{acting_user.pk}-{key}"
    existing = ServiceReport.objects.filter(request__idempotency_key=full_key).first()
    if existing is not None:
        return existing
    errors: dict[str, list[str]] = {}
    if not isinstance(data.period_from, dt.date) or not isinstance(data.period_to, dt.date):
        errors["period_from"] = [_("Please enter the period, like 2026-01-01 to 2026-06-30.")]
    elif data.period_from > data.period_to:
        errors["period_to"] = [_("The end of the period is before its start.")]
    elif data.period_to > local_date(now):
        errors["period_to"] = [_("The period cannot end in the future.")]
    contraception = (data.contraception or "").strip()[:100]
    remarks = (data.remarks or "").strip()
    if len(remarks) > 500:
        errors["remarks"] = [_("At most 500 characters.")]
    if errors:
        raise Rejected(errors)
    records = list(
        ServiceRecord.objects.filter(
            person=person, given_on__gte=data.period_from, given_on__lte=data.period_to
        )
        .given_within(acting_user.scope_code)
        .select_related("service_type")
        .order_by("given_on", "pk")
    )
    if not records:
        raise Rejected.because(
            _("No services were recorded for this person in the period; record them first."),
            "period_from",
        )
    receiver = home_receiver(person)
    summary = [
        {
            "date": r.given_on.isoformat(),
            "service": r.service_type.name,
            "provider": r.provider,
            "charged": str(r.amount_charged),
        }
        for r in records
    ]
    try:
        with transaction.atomic():
            request = exchange.send_request(
                RequestType.SERVICE_REPORT,
                sender_code=acting_user.jurisdiction_id,
                receiver_code=receiver,
                acting_user=acting_user,
                idempotency_key=full_key,
                persons=[person],
                payload={
                    "period_from": data.period_from.isoformat(),
                    "period_to": data.period_to.isoformat(),
                    "contraception": contraception,
                    "services": summary,
                },
                subject=_("Service report %(from)s to %(to)s")
                % {"from": data.period_from.isoformat(), "to": data.period_to.isoformat()},
                origin=origin,
                now=now,
            )
            report = ServiceReport.objects.create(
                person=person,
                sender_id=acting_user.jurisdiction_id,
                receiver_id=receiver,
                period_from=data.period_from,
                period_to=data.period_to,
                contraception=contraception,
                remarks=remarks,
                request=request,
                created_by=acting_user,
                created_at=now,
            )
            report.records.set(records)
            record_event(
                actor=acting_user,
                action=Action.CHANGE,
                origin=origin,
                object_type="service_report",
                object_id=report.pk,
                person_id=person.pk,
                detail={"event": "report_sent", "receiver": receiver, "request": request.pk},
            )
    except IntegrityError:
        # The same key raced with another submission: the winner's report is the one.
        existing = ServiceReport.objects.filter(request__idempotency_key=full_key).first()
        if existing is None:
            raise
        return existing
    return report


def access_service_report(
    user: User, report_id: int, *, origin: Origin | None = None, action: str = Action.PERSON_VIEW
) -> ServiceReport:
    """The report if the user's scope covers its person; the read is audited (P5: service
    records are sensitive), as an export when it is printed."""
    found = (
        ServiceReport.objects.visible_to(user)
        .select_related("person", "sender", "receiver", "request", "created_by")
        .filter(pk=report_id)
        .first()
    )
    if found is None:
        raise NotFound(_("No such report in your jurisdiction."))
    record_event(
        actor=user,
        action=action,
        origin=origin,
        object_type="service_report",
        object_id=found.pk,
        person_id=found.person_id,
    )
    return found


# --- R-SVC-4: supply points -------------------------------------------------------------------


@dataclass
class SupplyPointInput:
    division_code: str
    kind: str
    name: str
    address: str
    hours: str
    phone: str = ""
    active: bool = True


def may_edit_supply_points(user: User) -> bool:
    """R-SVC-4: townships keep their supply points."""
    return user.role == Role.TOWNSHIP_OPERATOR and bool(user.jurisdiction_id)


def save_supply_point(
    data: SupplyPointInput,
    *,
    acting_user: User,
    point_id: int | None = None,
    origin: Origin | None = None,
) -> SupplyPoint:
    """Add or change a supply point of the user's township; withdrawn ones are kept, inactive."""
    if not may_edit_supply_points(acting_user):
        raise Rejected.because(_("Supply points are kept by the township."))
    township = Scope.within(acting_user.jurisdiction_id)
    point = None
    if point_id is not None:
        point = SupplyPoint.objects.filter(pk=point_id).first()
        if point is None or not township.covers(point.division_id):
            raise NotFound(_("No such supply point in your township."))
    errors: dict[str, list[str]] = {}
    code = (data.division_code or "").strip() or acting_user.jurisdiction_id
    division = Division.objects.filter(pk=code).first()
    if division is None or not township.covers(code):
        errors["division_code"] = [_("Please choose your township or one of its villages.")]
    if data.kind not in SupplyPointKind.values:
        errors["kind"] = [_("Please choose the kind.")]
    cleaned = {}
    for name, limit, message in (
        ("name", 100, _("Please enter the name.")),
        ("address", 200, _("Please enter the address.")),
        ("hours", 100, _("Please enter the opening hours, e.g. Mon–Fri 8:30–17:30 or 24 hours.")),
    ):
        value = (getattr(data, name) or "").strip()
        if not value:
            errors[name] = [message]
        elif len(value) > limit:
            errors[name] = [_("At most %(n)s characters.") % {"n": limit}]
        cleaned[name] = value
    phone = (data.phone or "").strip()
    if phone and not _PHONE_RE.match(phone):
        errors["phone"] = [_("Please enter a phone number of digits, e.g. 0755-12345678.")]
    if errors:
        raise Rejected(errors)
    with transaction.atomic():
        if point is None:
            point = SupplyPoint(updated_by=acting_user)
        point.division = division
        point.kind = data.kind
        point.name, point.address, point.hours = (
            cleaned["name"],
            cleaned["address"],
            cleaned["hours"],
        )
        point.phone = phone
        point.active = bool(data.active)
        point.updated_by = acting_user
        point.updated_at = timezone.now()
        point.save()
        record_event(
            actor=acting_user,
            action=Action.CHANGE,
            origin=origin,
            object_type="supply_point",
            object_id=point.pk,
            detail={"event": "supply_point_saved", "division": division.code},
        )
    return point


def list_supply_points(code: str, *, include_inactive: bool = False):
    """Supply points and service institutions in a jurisdiction's subtree (public, R-SVC-4)."""
    qs = SupplyPoint.objects.within(code).select_related("division")
    return qs if include_inactive else qs.active()


# --- R-SVC-5: one-child parents' benefits -----------------------------------------------------


@dataclass
class BenefitInput:
    person_id: int
    kind: str
    issued_on: dt.date
    number: str = ""
    year: int | None = None
    amount: Decimal | str | None = None
    note: str = ""


def may_record_benefits(user: User, person: Person) -> bool:
    """R-SVC-5: the home side issues benefits: a unit covering the person's home."""
    return bool(user.jurisdiction_id) and Scope.of(user).covers(person.home_id)


def record_benefit(
    data: BenefitInput,
    *,
    acting_user: User,
    origin: Origin | None = None,
    now: dt.datetime | None = None,
) -> Benefit:
    """Record a certificate or reward issued by the person's home side (R-SVC-5).

    A couple gets one from each home side when their homes are in two provinces, and one in
    all when both homes are in one province: the spouse's record decides.
    """
    person = _person(acting_user, data.person_id)
    if not may_record_benefits(acting_user, person):
        raise Rejected.because(_("Benefits are issued by the person's home side."))
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if data.kind not in BenefitKind.values:
        errors["kind"] = [_("Please choose the kind.")]
    if not isinstance(data.issued_on, dt.date):
        errors["issued_on"] = [_("Please enter a date like 2026-03-05.")]
    elif data.issued_on > local_date(now):
        errors["issued_on"] = [_("The date cannot be in the future.")]
    number = (data.number or "").strip()
    year = data.year
    amount = None
    if data.kind == BenefitKind.HONOUR_CERTIFICATE:
        if not number:
            errors["number"] = [_("Please enter the certificate number.")]
        elif len(number) > 40:
            errors["number"] = [_("At most 40 characters.")]
        year = None
    elif data.kind == BenefitKind.REWARD:
        if year is None or not 1980 <= int(year) <= local_date(now).year:
            errors["year"] = [_("Please enter the year the reward is for.")]
        amount = _amount(data.amount, "amount", errors)
    note = (data.note or "").strip()
    if len(note) > 300:
        errors["note"] = [_("At most 300 characters.")]
    if errors:
        raise Rejected(errors)
    _check_couple(person, data.kind, year)
    try:
        with transaction.atomic():
            benefit = Benefit.objects.create(
                person=person,
                kind=data.kind,
                issuing_unit_id=acting_user.jurisdiction_id,
                number=number,
                issued_on=data.issued_on,
                year=year,
                amount=amount,
                note=note,
                recorded_by=acting_user,
                recorded_at=now,
            )
            record_event(
                actor=acting_user,
                action=Action.CHANGE,
                origin=origin,
                object_type="benefit",
                object_id=benefit.pk,
                person_id=person.pk,
                detail={"event": "benefit_recorded", "kind": data.kind, "year": year},
            )
    except IntegrityError:
        if data.kind == BenefitKind.HONOUR_CERTIFICATE:
            message = _("This person already has an honour certificate.")
        else:
            message = _("This person already has the reward for %(year)s.") % {"year": year}
        raise Rejected.because(message, "kind") from None
    return benefit


def _check_couple(person: Person, kind: str, year: int | None) -> None:
    """R-SVC-5: one from each home side for a two-province couple, one for a one-province one."""
    spouse = person.spouse
    if spouse is None or spouse.home_id[:2] != person.home_id[:2]:
        return
    spouse_has = Benefit.objects.filter(person=spouse, kind=kind)
    if kind == BenefitKind.REWARD:
        spouse_has = spouse_has.filter(year=year)
    if spouse_has.exists():
        raise Rejected.because(
            _(
                "The spouse's home is in the same province and already recorded this for the "
                "couple; a couple from one province gets it once."
            ),
            "kind",
        )


def couple_benefits(user: User, person: Person):
    """The benefits of the person and their spouse that the user may see (R-SVC-5)."""
    people = [person.pk] + ([person.spouse_id] if person.spouse_id else [])
    return (
        Benefit.objects.visible_to(user)
        .filter(person_id__in=people)
        .select_related("person", "issuing_unit")
    )
