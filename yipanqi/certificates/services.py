"""Issuing, renewing, revoking and verifying certificates; interim certificates; delegations
(R-CERT-1..5). Each change is one transaction with its timeline event, its audit row and the
exchange request it causes."""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yipanqi.accounts.models import REGISTERING_ROLES, Role, User
from yipanqi.audit.models import Action
from yipanqi.audit.services import Origin, record_change, record_event
from yipanqi.certificates import counted as certificate_counts
from yipanqi.certificates import events
from yipanqi.certificates.models import (
    ARRIVAL_VERIFICATION_DAYS,
    INTERIM_WINDOW_DAYS,
    VALIDITY_YEARS,
    Certificate,
    CertificateStatus,
    Delegation,
    InterimCertificate,
    ProxyRelation,
    Verification,
    VerificationKind,
    add_years,
)
from yipanqi.core.errors import NotFound, Rejected
from yipanqi.divisions.models import Division
from yipanqi.divisions.scope import Scope
from yipanqi.exchange import services as exchange
from yipanqi.exchange.models import RequestType
from yipanqi.ledger import counters
from yipanqi.people import idnumbers
from yipanqi.people.models import (
    MaritalStatus,
    Person,
    Registration,
    RegistrationKind,
    Sex,
)
from yipanqi.people.services import access_person, change_marital_status
from yipanqi.regions.models import Region, RegionKind, RuleSet
from yipanqi.regions.rules import current_rule_sets, province_region, revise_rules
from yipanqi.workdays.services import local_date

MAX_CHILDREN = 20


_reject = Rejected.because


# --- who may do what ---------------------------------------------------------------------------


def home_township_code(person: Person) -> str:
    """The home township (9 digits) where known, else the home as recorded."""
    return person.home_id[:9]


def active_inflow(person: Person) -> Registration | None:
    return (
        Registration.objects.active()
        .filter(person=person, kind=RegistrationKind.INFLOW)
        .select_related("residence")
        .first()
    )


def has_delegation(village_code: str) -> bool:
    return Delegation.objects.filter(village_id=village_code, ended_at__isnull=True).exists()


def is_holder(person: Person) -> bool:
    """R-CERT-1: certificates are for women; a man is recorded as her spouse (R-JUR-3) and is
    never owed one, anywhere a certificate is counted or shown as due."""
    return person.sex == Sex.FEMALE


def may_issue(user: User, person: Person) -> bool:
    """R-CERT-1: the home township, or a village it delegated, issues (and renews, revokes)."""
    if not is_holder(person):
        return False
    scope = Scope.of(user)
    if user.role == Role.TOWNSHIP_OPERATOR:
        # A home known only down to the county: any of its townships.
        return scope.meets(person.home_id)
    if user.role == Role.VILLAGE_WORKER:
        return scope.covers(person.home_id) and has_delegation(scope.code)
    return False


def may_verify(user: User, registration: Registration | None) -> bool:
    """R-CERT-3: the residence village or township verifies."""
    return (
        registration is not None
        and user.role in REGISTERING_ROLES
        and Scope.of(user).meets(registration.residence_id)
    )


def may_issue_interim(user: User, registration: Registration | None) -> bool:
    """R-CERT-4: the residence township issues the interim certificate (to a woman, R-CERT-1)."""
    return (
        registration is not None
        and is_holder(registration.person)
        and user.role == Role.TOWNSHIP_OPERATOR
        and Scope.of(user).meets(registration.residence_id)
    )


def long_term_allowed(province_code: str, on: dt.date) -> bool:
    """R-CERT-2: whether the province's own rule set in force grants long-term validity."""
    region = Region.objects.filter(
        kind=RegionKind.PROVINCE, code=f"province-{province_code[:2]}"
    ).first()
    if region is None:
        return False
    current = current_rule_sets([region], on).get(region.pk)
    return bool(current and current.certificate_long_term)


# --- lookups -----------------------------------------------------------------------------------


def access_certificate(user: User, certificate_id: int) -> Certificate:
    """The certificate if the user may see its holder (R-ACC-2), else NotFound."""
    found = (
        Certificate.objects.visible_to(user)
        .select_related("person__home", "person__residence", "issuer", "issued_by", "renewed_from")
        .filter(pk=certificate_id)
        .first()
    )
    if found is None:
        raise NotFound(_("No such certificate in your jurisdiction."))
    return found


def current_certificate(person: Person) -> Certificate | None:
    return Certificate.objects.current().filter(person=person).select_related("issuer").first()


def check_token(token: str, *, on: dt.date | None = None) -> str:
    """R-CERT-5: the public state behind a QR code: valid, expired, revoked or unknown."""
    from yipanqi.certificates.models import PublicState

    text = (token or "").strip()
    if not text or len(text) > 32:
        return PublicState.UNKNOWN
    certificate = Certificate.objects.filter(token=text).only("status", "valid_until").first()
    if certificate is None:
        return PublicState.UNKNOWN
    return certificate.public_state(on or timezone.localdate())


# --- numbering ---------------------------------------------------------------------------------


def _next_number(model, prefix: str) -> str:
    last = (
        model.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{sequence:05d}"


def _create_numbered(model, prefix: str, **fields):
    """Create a row with the next number under prefix; a concurrent taker makes us try again."""
    for _attempt in range(5):
        number = _next_number(model, prefix)
        try:
            with transaction.atomic():
                return model.objects.create(number=number, **fields)
        except IntegrityError:
            if not model.objects.filter(number=number).exists():
                raise
    raise _reject(_("The platform is busy; please try again."))


# --- issue -------------------------------------------------------------------------------------


@dataclass
class ProxyInput:
    """R-CERT-1: a family member applying for her with the residence's interim certificate."""

    name: str
    relation: str
    interim_number: str


def _age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _check_holder(person: Person, today: dt.date) -> None:
    if person.sex != Sex.FEMALE:
        raise _reject(_("The certificate is issued to women; a husband is recorded as her spouse."))
    age = _age_on(person.birth_date, today)
    if not 18 <= age <= 49:
        raise _reject(
            _(
                "The certificate is for women of childbearing age (18 to 49); "
                "she is %(age)s years old."
            )
            % {"age": age}
        )


def _check_children(children) -> int:
    try:
        value = int(children)
    except (TypeError, ValueError):
        raise _reject(
            _("Please give the number of children as a whole number."), "children"
        ) from None
    if not 0 <= value <= MAX_CHILDREN:
        raise _reject(_("The number of children must be from 0 to 20."), "children")
    return value


def _check_proxy(proxy: ProxyInput, person: Person) -> InterimCertificate:
    errors: dict[str, list[str]] = {}
    name = (proxy.name or "").strip()
    if not name or len(name) > 50:
        errors["proxy_name"] = [_("Please write the name of the family member who applies.")]
    if proxy.relation not in ProxyRelation.values:
        errors["proxy_relation"] = [_("Please choose how the applicant is related to her.")]
    number = (proxy.interim_number or "").strip().upper()
    interim = InterimCertificate.objects.filter(person=person, number=number).first()
    if interim is None:
        errors["proxy_interim_number"] = [
            _(
                "No interim certificate of marital status with this number was issued to her "
                "by her residence township. A family member applies with that certificate."
            )
        ]
    if errors:
        raise Rejected(errors)
    return interim


def issue_certificate(
    person_id: int,
    *,
    children: int = 0,
    long_term: bool = False,
    proxy: ProxyInput | None = None,
    acting_user: User,
    origin: Origin | None = None,
    now: dt.datetime | None = None,
) -> Certificate:
    """R-CERT-1/2/5: issue a certificate, free and unconditional, numbered, valid three years
    or long-term where her home province grants it."""
    person = access_holder(acting_user, person_id, origin)
    now = now or timezone.now()
    today = local_date(now)
    if not may_issue(acting_user, person):
        raise _reject(
            _("Only her home township, or a village it delegated, issues her certificate.")
        )
    _check_holder(person, today)
    count = _check_children(children)
    existing = current_certificate(person)
    if existing is not None:
        if existing.is_valid_on(today):
            raise _reject(
                _("She already has a valid certificate, number %(number)s.")
                % {"number": existing.number}
            )
        raise _reject(
            _("Her certificate %(number)s has expired: renew it instead.")
            % {"number": existing.number}
        )
    if long_term and not long_term_allowed(person.home_id, today):
        raise _reject(_("Her home province's rules do not grant long-term validity."), "long_term")
    interim = _check_proxy(proxy, person) if proxy is not None else None
    issuer = acting_user.jurisdiction
    with transaction.atomic():
        certificate = _create_certificate(
            person,
            issuer=issuer,
            acting_user=acting_user,
            today=today,
            now=now,
            long_term=long_term,
            marital_status=person.marital_status,
            children=count,
            proxy_name=(proxy.name.strip() if proxy else ""),
            proxy_relation=(proxy.relation if proxy else ""),
            proxy_interim=interim,
        )
        certificate_counts.certificate_issued(
            certificate
        )  # R-STAT-1 issuance rate, same transaction
        events.certificate_issued(certificate, at=now, actor=acting_user, proxy=proxy is not None)
        record_event(
            actor=acting_user,
            action=Action.CHANGE,
            origin=origin,
            object_type="certificate",
            object_id=certificate.pk,
            person_id=person.pk,
            detail={"event": "issued", "number": certificate.number, "proxy": proxy is not None},
        )
        _answer_no_certificate_notices(person, certificate, acting_user, origin, now)
    return certificate


def access_holder(user: User, person_id: int, origin: Origin | None) -> Person:
    return access_person(user, person_id, origin=origin)


def _create_certificate(person, *, issuer, acting_user, today, now, long_term, **fields):
    try:
        return _create_numbered(
            Certificate,
            f"{issuer.code[:6]}{today.year}",
            token=secrets.token_urlsafe(18),
            person=person,
            issuer=issuer,
            issued_by=acting_user,
            issued_on=today,
            valid_until=None if long_term else add_years(today, VALIDITY_YEARS),
            long_term=long_term,
            created_at=now,
            **fields,
        )
    except IntegrityError:
        # The one-valid-certificate constraint: someone issued hers a moment ago.
        raise _reject(_("She already has a valid certificate.")) from None


def _answer_no_certificate_notices(person, certificate, acting_user, origin, now) -> None:
    """R-EX-2: the residence's no-certificate notices are answered by the issue itself."""
    pending = (
        person.requests.filter(type=RequestType.NO_CERTIFICATE_NOTICE).awaiting().order_by("pk")
    )
    for request in pending:
        if exchange.may_answer(acting_user, request):
            exchange.answer_request(
                request.pk,
                answer=_("Certificate %(number)s issued on %(day)s.")
                % {"number": certificate.number, "day": certificate.issued_on.isoformat()},
                acting_user=acting_user,
                origin=origin,
                now=now,
            )


# --- renew and revoke (home side) --------------------------------------------------------------


def _notify_residence(certificate, *, event: str, acting_user, origin, now, key: str):
    """R-CERT-2: tell the residence of a renewal or revocation; None when she has no stay."""
    registration = active_inflow(certificate.person)
    sender = acting_user.jurisdiction_id
    residence = registration.residence_id if registration else None
    if residence is None or Scope.within(sender).meets(residence):
        return None
    payload = {
        "event": event,
        "number": certificate.number,
        "valid_until": certificate.valid_until.isoformat() if certificate.valid_until else "",
        "long_term": certificate.long_term,
    }
    subjects = {
        "renewed": _("Certificate %(number)s renewed"),
        "revoked": _("Certificate %(number)s revoked"),
    }
    return exchange.send_request(
        RequestType.CERTIFICATE_NOTICE,
        sender_code=sender,
        receiver_code=registration.residence_id,
        acting_user=acting_user,
        idempotency_key=key,
        persons=[certificate.person],
        payload=payload,
        subject=subjects[event] % {"number": certificate.number},
        origin=origin,
        now=now,
    )


def renew_certificate(
    certificate_id: int,
    *,
    id_number: str,
    old_number: str,
    long_term: bool = False,
    acting_user: User,
    origin: Origin | None = None,
    now: dt.datetime | None = None,
) -> Certificate:
    """R-CERT-2: on expiry the home township renews on her ID card and the old certificate,
    and notifies the residence."""
    old = access_certificate(acting_user, certificate_id)
    person = old.person
    now = now or timezone.now()
    today = local_date(now)
    if not may_issue(acting_user, person):
        raise _reject(_("Only her home township, or a village it delegated, renews it."))
    errors: dict[str, list[str]] = {}
    presented = idnumbers.normalize(id_number or "")
    if not presented or presented != person.reveal_id_number():
        errors["id_number"] = [_("The ID card number does not match her record.")]
    if (old_number or "").strip() != old.number:
        errors["old_number"] = [_("The old certificate's number does not match.")]
    if errors:
        raise Rejected(errors)
    if not old.can_renew(today):
        if old.status != CertificateStatus.VALID:
            raise _reject(_("This certificate was revoked or already renewed."))
        if old.long_term:
            raise _reject(_("A long-term certificate does not need renewing."))
        raise _reject(
            _("It can be renewed from %(day)s, 90 days before it expires.")
            % {"day": old.renewal_opens_on().isoformat()}
        )
    _check_holder(person, today)
    if long_term and not long_term_allowed(person.home_id, today):
        raise _reject(_("Her home province's rules do not grant long-term validity."), "long_term")
    with transaction.atomic():
        claimed = Certificate.objects.filter(pk=old.pk, status=CertificateStatus.VALID).update(
            status=CertificateStatus.REPLACED
        )
        if not claimed:
            raise _reject(_("This certificate was revoked or already renewed."))
        renewed = _create_certificate(
            person,
            issuer=acting_user.jurisdiction,
            acting_user=acting_user,
            today=today,
            now=now,
            long_term=long_term,
            marital_status=old.marital_status,
            children=old.children,
            renewed_from=old,
        )
        notice = _notify_residence(
            renewed,
            event="renewed",
            acting_user=acting_user,
            origin=origin,
            now=now,
            key=f"certificate-renewed-{renewed.pk}",
        )
        events.certificate_renewed(
            renewed, at=now, actor=acting_user, notice_id=notice.pk if notice else None
        )
        record_event(
            actor=acting_user,
            action=Action.CHANGE,
            origin=origin,
            object_type="certificate",
            object_id=renewed.pk,
            person_id=person.pk,
            detail={"event": "renewed", "number": renewed.number, "old": old.number},
        )
    return renewed


def revoke_certificate(
    certificate_id: int,
    *,
    reason: str,
    acting_user: User,
    origin: Origin | None = None,
    now: dt.datetime | None = None,
) -> Certificate:
    """The home side withdraws a certificate (issued in error, replaced by a new ID...); its QR
    check shows "revoked" from now on, and the residence is told."""
    certificate = access_certificate(acting_user, certificate_id)
    if not may_issue(acting_user, certificate.person):
        raise _reject(_("Only her home township, or a village it delegated, revokes it."))
    text = (reason or "").strip()
    if not text:
        raise _reject(_("Please say why the certificate is revoked."), "reason")
    if len(text) > 300:
        raise _reject(_("The reason can have at most 300 characters."), "reason")
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Certificate.objects.filter(
            pk=certificate.pk, status=CertificateStatus.VALID
        ).update(
            status=CertificateStatus.REVOKED,
            revoked_at=now,
            revoked_by=acting_user,
            revoked_reason=text,
        )
        if not claimed:
            raise _reject(_("This certificate was revoked or already renewed."))
        certificate.refresh_from_db()
        certificate_counts.certificate_revoked(certificate)  # R-STAT-1 issuance rate
        notice = _notify_residence(
            certificate,
            event="revoked",
            acting_user=acting_user,
            origin=origin,
            now=now,
            key=f"certificate-revoked-{certificate.pk}",
        )
        events.certificate_revoked(
            certificate,
            at=now,
            actor=acting_user,
            unit=acting_user.jurisdiction,
            notice_id=notice.pk if notice else None,
        )
        record_event(
            actor=acting_user,
            action=Action.CHANGE,
            origin=origin,
            object_type="certificate",
            object_id=certificate.pk,
            person_id=certificate.person_id,
            reason=text,
            detail={"event": "revoked", "number": certificate.number},
        )
    return certificate


# --- verification (residence side) -------------------------------------------------------------


def verification_due(registration: Registration) -> dt.date:
    """R-CERT-3: the first verification is due within 30 days of arrival."""
    return registration.arrival_date + dt.timedelta(days=ARRIVAL_VERIFICATION_DAYS)


def verify_certificate(
    certificate_id: int,
    *,
    verified_on: dt.date | None = None,
    marital_status: str | None = None,
    children: int | None = None,
    note: str = "",
    acting_user: User,
    origin: Origin | None = None,
    now: dt.datetime | None = None,
) -> Verification:
    """R-CERT-3: the residence checks the certificate, records verifier and date, counts a first
    check after the 30 days as late, and tells the home side of any change of status."""
    certificate = access_certificate(acting_user, certificate_id)
    person = certificate.person
    registration = active_inflow(person)
    if not may_verify(acting_user, registration):
        raise _reject(_("Only her residence village or township verifies the certificate."))
    now = now or timezone.now()
    today = local_date(now)
    day = verified_on or today
    errors: dict[str, list[str]] = {}
    if day > today:
        errors["verified_on"] = [_("The verification date cannot be in the future.")]
    elif day < registration.arrival_date:
        errors["verified_on"] = [_("The verification date cannot be before her arrival.")]
    new_status = marital_status or certificate.marital_status
    if new_status not in MaritalStatus.values:
        errors["marital_status"] = [_("Please choose a marital status from the list.")]
    if len(note or "") > 300:
        errors["note"] = [_("The note can have at most 300 characters.")]
    if errors:
        raise Rejected(errors)
    new_children = certificate.children if children is None else _check_children(children)
    if not certificate.is_valid_on(day):
        raise _reject(
            _(
                "Certificate %(number)s is no longer valid; her home township renews it. "
                "Meanwhile the residence township can issue an interim certificate."
            )
            % {"number": certificate.number}
        )
    earlier = Verification.objects.filter(registration=registration)
    if not earlier.exists():
        kind, due = VerificationKind.ARRIVAL, verification_due(registration)
    elif not earlier.filter(assessment_year=day.year).exists():
        kind, due = VerificationKind.ANNUAL, dt.date(day.year, 12, 31)
    else:
        kind, due = VerificationKind.EXTRA, day
    with transaction.atomic():
        verification = Verification.objects.create(
            certificate=certificate,
            registration=registration,
            unit=acting_user.jurisdiction,
            verified_by=acting_user,
            verified_on=day,
            kind=kind,
            assessment_year=day.year,
            due_on=due,
            # R-CERT-3: later than 30 days after arrival is late and counted.
            late=day > due,
            marital_status_before=certificate.marital_status,
            marital_status_after=new_status,
            children_before=certificate.children,
            children_after=new_children,
            note=(note or "").strip(),
            created_at=now,
        )
        counters.fact_added(verification)  # R-STAT-1 verification rate, same transaction
        events.certificate_verified(verification, at=now)
        if verification.changed:
            _record_change(verification, acting_user=acting_user, origin=origin, now=now)
        record_change(
            "verification",
            verification,
            actor=acting_user,
            origin=origin,
            person_id=person.pk,
            event="verified",
            certificate=certificate.number,
            late=verification.late,
            changed=verification.changed,
        )
    return verification


def _record_change(verification: Verification, *, acting_user, origin, now) -> None:
    """R-CERT-3: a change of marital or childbearing status is recorded and sent home."""
    certificate = verification.certificate
    person = certificate.person
    certificate.marital_status = verification.marital_status_after
    certificate.children = verification.children_after
    certificate.save(update_fields=["marital_status", "children"])
    change_marital_status(
        person,
        verification.marital_status_after,
        acting_user=acting_user,
        source="certificate_verification",
        unit_id=verification.unit_id,
        origin=origin,
        now=now,
    )
    notice = exchange.send_request(
        RequestType.CERTIFICATE_CHANGE,
        sender_code=verification.unit_id,
        receiver_code=certificate.issuer_id[:9],
        acting_user=acting_user,
        idempotency_key=f"certificate-change-{verification.pk}",
        persons=[person],
        payload={
            "certificate": certificate.number,
            "marital_status": [
                verification.marital_status_before,
                verification.marital_status_after,
            ],
            "children": [verification.children_before, verification.children_after],
            "verified_on": verification.verified_on.isoformat(),
        },
        subject=_("Status change recorded at verification of certificate %(number)s")
        % {"number": certificate.number},
        origin=origin,
        now=now,
    )
    verification.change_notice = notice
    verification.save(update_fields=["change_notice"])
    events.status_changed(verification, at=now)


# --- interim certificate (residence township) --------------------------------------------------


def issue_interim_certificate(
    person_id: int,
    *,
    acting_user: User,
    origin: Origin | None = None,
    now: dt.datetime | None = None,
) -> InterimCertificate:
    """R-CERT-4: for a woman without a certificate, the residence township issues an interim
    certificate of marital status and gives her 60 days; R-EX-2: the home side is told."""
    person = access_holder(acting_user, person_id, origin)
    registration = active_inflow(person)
    if not may_issue_interim(acting_user, registration):
        raise _reject(_("Only her residence township issues the interim certificate."))
    now = now or timezone.now()
    today = local_date(now)
    _check_holder(person, today)
    current = current_certificate(person)
    if current is not None and current.is_valid_on(today):
        raise _reject(
            _("She has a valid certificate, number %(number)s: verify it instead.")
            % {"number": current.number}
        )
    open_interim = InterimCertificate.objects.filter(person=person).open_on(today).first()
    if open_interim is not None:
        raise _reject(
            _("Interim certificate %(number)s is valid until %(day)s.")
            % {"number": open_interim.number, "day": open_interim.window_ends_on.isoformat()}
        )
    township = Division.objects.get(pk=acting_user.jurisdiction_id)
    with transaction.atomic():
        interim = _create_numbered(
            InterimCertificate,
            f"L{township.code[:6]}{today.year}",
            person=person,
            registration=registration,
            issuer=township,
            issued_by=acting_user,
            issued_on=today,
            window_ends_on=today + dt.timedelta(days=INTERIM_WINDOW_DAYS),
            marital_status=person.marital_status,
            created_at=now,
        )
        interim.notice = exchange.send_request(
            RequestType.NO_CERTIFICATE_NOTICE,
            sender_code=township.code,
            receiver_code=home_township_code(person),
            acting_user=acting_user,
            idempotency_key=f"no-certificate-{interim.pk}",
            persons=[person],
            payload={
                "interim": interim.number,
                "window_ends_on": interim.window_ends_on.isoformat(),
            },
            subject=_("No certificate: please issue one by %(day)s")
            % {"day": interim.window_ends_on.isoformat()},
            origin=origin,
            now=now,
        )
        interim.save(update_fields=["notice"])
        events.interim_issued(interim, at=now)
        record_event(
            actor=acting_user,
            action=Action.CHANGE,
            origin=origin,
            object_type="interim_certificate",
            object_id=interim.pk,
            person_id=person.pk,
            detail={"event": "interim_issued", "number": interim.number},
        )
    return interim


# --- delegation (home township) ----------------------------------------------------------------


def delegate_issuing(
    village_code: str, *, acting_user: User, origin: Origin | None = None
) -> Delegation:
    """R-CERT-1: a township lets one of its villages issue certificates."""
    if acting_user.role != Role.TOWNSHIP_OPERATOR or not acting_user.jurisdiction_id:
        raise _reject(_("Only a township operator delegates issuing."))
    code = (village_code or "").strip()
    village = Division.objects.filter(pk=code, level=5).first()
    if village is None or not Scope.of(acting_user).covers(code):
        raise _reject(_("Please choose a village of your township."), "village_code")
    if has_delegation(code):
        raise _reject(_("This village already issues certificates."), "village_code")
    with transaction.atomic():
        try:
            with transaction.atomic():
                delegation = Delegation.objects.create(
                    township_id=acting_user.jurisdiction_id,
                    village=village,
                    granted_by=acting_user,
                )
        except IntegrityError:
            raise _reject(_("This village already issues certificates."), "village_code") from None
        record_event(
            actor=acting_user,
            action=Action.CHANGE,
            origin=origin,
            object_type="delegation",
            object_id=delegation.pk,
            detail={"event": "delegated", "village": code},
        )
    return delegation


def end_delegation(
    delegation_id: int, *, acting_user: User, origin: Origin | None = None
) -> Delegation:
    delegation = Delegation.objects.filter(
        pk=delegation_id, township_id=acting_user.jurisdiction_id or "-"
    ).first()
    if delegation is None or acting_user.role != Role.TOWNSHIP_OPERATOR:
        raise _reject(_("Only the township that delegated can end it."))
    now = timezone.now()
    with transaction.atomic():
        claimed = Delegation.objects.filter(pk=delegation.pk, ended_at__isnull=True).update(
            ended_at=now, ended_by=acting_user
        )
        if not claimed:
            raise _reject(_("This delegation has already ended."))
        record_event(
            actor=acting_user,
            action=Action.CHANGE,
            origin=origin,
            object_type="delegation",
            object_id=delegation.pk,
            detail={"event": "delegation_ended", "village": delegation.village_id},
        )
    delegation.refresh_from_db()
    return delegation


# --- long-term validity parameter (province administrators) ------------------------------------


def set_long_term_validity(
    province_code: str,
    *,
    allowed: bool,
    effective_from: dt.date,
    acting_user: User,
    origin: Origin | None = None,
) -> RuleSet:
    """R-CERT-2, R-REG-1: a province grants (or stops granting) long-term validity; a new
    version of the province's rule set, carrying its other parameters over."""
    if acting_user.role != Role.PROVINCE_ADMIN or acting_user.jurisdiction_id != province_code:
        raise _reject(_("Only the province's administrator changes its rules."))
    region = province_region(province_code)
    latest = region.rule_sets.order_by("-effective_from", "-id").first()
    # A refusal of the new version is a Rejected and passes through.
    return revise_rules(
        region,
        effective_from=effective_from,
        deadlines=dict(latest.deadlines) if latest else {},
        checkups_min_per_year=latest.checkups_min_per_year if latest else None,
        checkups_max_per_year=latest.checkups_max_per_year if latest else None,
        targets=dict(latest.targets) if latest else None,
        # R-CERT-2; the note is shown on the rule set's history, so in words, not the id.
        note=(
            _("Long-term validity of certificates granted")
            if allowed
            else _("Long-term validity of certificates withdrawn")
        ),
        certificate_long_term=allowed,
        acting_user=acting_user,
        origin=origin,
    )


def casework(user: User) -> bool:
    return not Scope.of(user).none


def certificate_pdf(
    user: User, certificate_id: int, *, check_url: str, origin: Origin | None = None
) -> tuple[Certificate, bytes]:
    """R-CERT-5: the printable certificate; it carries her whole ID number, so it is audited."""
    from yipanqi.certificates.pdf import render_certificate

    certificate = access_certificate(user, certificate_id)
    verifications = certificate.verifications.select_related("unit", "verified_by").order_by(
        "verified_on", "id"
    )
    content = render_certificate(
        certificate,
        id_number=certificate.person.reveal_id_number(),
        verifications=verifications,
        check_url=check_url,
    )
    record_event(
        actor=user,
        action=Action.EXPORT,
        origin=origin,
        object_type="certificate",
        object_id=certificate.pk,
        person_id=certificate.person_id,
        detail={"event": "printed", "number": certificate.number},
    )
    return certificate, content


def access_interim(user: User, interim_id: int) -> InterimCertificate:
    found = (
        InterimCertificate.objects.visible_to(user)
        .select_related("person__home", "registration__residence", "issuer", "issued_by")
        .filter(pk=interim_id)
        .first()
    )
    if found is None:
        raise NotFound(_("No such interim certificate in your jurisdiction."))
    return found


def interim_pdf(
    user: User, interim_id: int, *, origin: Origin | None = None
) -> tuple[InterimCertificate, bytes]:
    """R-CERT-4: the printable interim certificate of marital status for the period of
    residence; it carries her whole ID number, so printing it is audited like the certificate.
    It has no public check code (none exists for it), so it prints none."""
    from yipanqi.certificates.pdf import place_name, render_document

    interim = access_interim(user, interim_id)
    person = interim.person
    content = render_document(
        title=_("Interim certificate of marital status"),
        number=interim.number,
        rows=[
            (pgettext("person", "Name"), person.name),
            (_("Sex"), person.get_sex_display()),
            (_("Date of birth"), person.birth_date.isoformat()),
            (_("ID number"), person.reveal_id_number()),
            (_("Home place"), place_name(person.home)),
            (_("Place of residence"), place_name(interim.registration.residence)),
            (_("Marital status"), interim.get_marital_status_display()),
            (_("Issued by"), place_name(interim.issuer)),
            (_("Issued on"), interim.issued_on.isoformat()),
            (
                _("Valid"),
                _("%(start)s to %(end)s")
                % {
                    "start": interim.issued_on.isoformat(),
                    "end": interim.window_ends_on.isoformat(),
                },
            ),
        ],
        note=_(
            "Issued free of charge by the residence township for the period of residence. "
            "By %(day)s her home township issues her marriage and childbearing certificate; "
            "this places no other obligation on her."
        )
        % {"day": interim.window_ends_on.isoformat()},
    )
    record_event(
        actor=user,
        action=Action.EXPORT,
        origin=origin,
        object_type="interim_certificate",
        object_id=interim.pk,
        person_id=person.pk,
        detail={"event": "printed", "number": interim.number},
    )
    return interim, content
