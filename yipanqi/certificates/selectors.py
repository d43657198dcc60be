"""Reads for pages and the API: a person's certificate state and what is due next, and the
counts of a jurisdiction (verifications late, renewals due)."""

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yipanqi.certificates.models import (
    RENEWAL_WINDOW_DAYS,
    Certificate,
    CertificateEvent,
    CertificateStatus,
    InterimCertificate,
    PublicState,
    Verification,
)
from yipanqi.certificates.services import (
    ARRIVAL_VERIFICATION_DAYS,
    active_inflow,
    is_holder,
    verification_due,
)
from yipanqi.core.paging import by_urgency
from yipanqi.divisions.models import Division
from yipanqi.divisions.scope import Scope
from yipanqi.people.models import Person, Registration, RegistrationKind, Sex


@dataclass(frozen=True)
class DueItem:
    """What is due next, which unit owes it (P2) and by when."""

    what: str
    owner: Division | None
    due_on: dt.date | None
    overdue: bool = False


@dataclass
class CertificateOverview:
    person: Person
    certificate: Certificate | None
    state: str | None
    registration: Registration | None
    interim: InterimCertificate | None
    verifications: list[Verification] = field(default_factory=list)
    history: list[Certificate] = field(default_factory=list)
    events: list[CertificateEvent] = field(default_factory=list)
    next_due: list[DueItem] = field(default_factory=list)


def _division(code: str) -> Division | None:
    found = Division.objects.filter(pk=code).first()
    return found or Division.objects.filter(pk=code[:6]).first()


def certificate_overview(person: Person, today: dt.date) -> CertificateOverview:
    """The certificate she holds, its state, its verifications and what is due next."""
    history = list(
        Certificate.objects.filter(person=person)
        .select_related("issuer", "issued_by")
        .order_by("-issued_on", "-id")
    )
    certificate = next((c for c in history if c.status == CertificateStatus.VALID), None)
    latest = certificate or (history[0] if history else None)
    registration = active_inflow(person)
    interim = InterimCertificate.objects.filter(person=person).select_related("issuer").first()
    overview = CertificateOverview(
        person=person,
        certificate=latest,
        state=latest.public_state(today) if latest else None,
        registration=registration,
        interim=interim,
        verifications=list(
            Verification.objects.filter(certificate__person=person)
            .select_related("unit", "verified_by", "certificate")
            .order_by("-verified_on", "-id")
        ),
        history=history,
        events=list(CertificateEvent.objects.filter(person=person).select_related("actor", "unit")),
    )
    overview.next_due = _next_due(overview, today)
    return overview


def _next_due(o: CertificateOverview, today: dt.date) -> list[DueItem]:
    if not is_holder(o.person):
        # R-CERT-1, R-JUR-3: a man is her spouse; nothing is owed to him or by anyone for him.
        return [
            DueItem(
                _("Certificates are issued to women; he is recorded as her husband."), None, None
            )
        ]
    items: list[DueItem] = []
    home = _division(o.person.home_id[:9])
    residence = o.registration.residence if o.registration else None
    if o.state != PublicState.VALID:
        if o.certificate is not None and o.state == PublicState.EXPIRED:
            items.append(
                DueItem(
                    _("Home township renews certificate %(number)s")
                    % {"number": o.certificate.number},
                    _division(o.certificate.issuer_id[:9]),
                    o.certificate.valid_until,
                    overdue=True,
                )
            )
        elif o.interim is not None:
            # R-CERT-4: she has 60 days to obtain a certificate.
            items.append(
                DueItem(
                    _("Home township issues her certificate (interim certificate %(number)s)")
                    % {"number": o.interim.number},
                    home,
                    o.interim.window_ends_on,
                    overdue=today > o.interim.window_ends_on,
                )
            )
        elif o.registration is not None:
            items.append(
                DueItem(
                    _(
                        "No certificate: the residence township issues an interim certificate "
                        "and tells the home side"
                    ),
                    _division(o.registration.residence_id[:9]),
                    verification_due(o.registration),
                    overdue=today > verification_due(o.registration),
                )
            )
        else:
            items.append(DueItem(_("Home township issues her certificate"), home, None))
        return items
    certificate = o.certificate
    if certificate.can_renew(today):
        items.append(
            DueItem(
                _("Home township renews certificate %(number)s") % {"number": certificate.number},
                _division(certificate.issuer_id[:9]),
                certificate.valid_until,
                overdue=certificate.valid_until < today,
            )
        )
    if o.registration is not None:
        stay = [v for v in o.verifications if v.registration_id == o.registration.pk]
        if not stay:
            due = verification_due(o.registration)
            items.append(
                DueItem(
                    _("Residence verifies the certificate within 30 days of arrival"),
                    residence,
                    due,
                    overdue=today > due,
                )
            )
        elif not any(v.assessment_year == today.year for v in stay):
            items.append(
                DueItem(
                    _("Residence verifies the certificate for %(year)s") % {"year": today.year},
                    residence,
                    dt.date(today.year, 12, 31),
                )
            )
        else:
            items.append(
                DueItem(
                    _("Residence verifies the certificate for %(year)s") % {"year": today.year + 1},
                    residence,
                    dt.date(today.year + 1, 12, 31),
                )
            )
    if not items and certificate.long_term:
        items.append(DueItem(_("Nothing due: the certificate is valid long-term."), None, None))
    elif not items:
        items.append(
            DueItem(
                _("Home township renews certificate %(number)s") % {"number": certificate.number},
                _division(certificate.issuer_id[:9]),
                certificate.valid_until,
            )
        )
    return items


@dataclass(frozen=True)
class ScopeCounts:
    """A jurisdiction's certificate work in one assessment year (R-CERT-3, R-STAT-1 inputs)."""

    year: int
    valid: int
    renewals_due: int
    revoked: int
    verifications: int
    verifications_late: int
    awaiting_verification: int


def _issued(user):
    """Certificates issued in the user's scope; none for a user without one, never the nation's."""
    return Scope.of(user).filter(Certificate.objects.all(), "issuer_id")


def _made(user):
    """Verifications made in the user's scope; none for a user without one."""
    return Scope.of(user).filter(Verification.objects.all(), "unit_id")


def scope_counts(user, *, year: int, today: dt.date) -> ScopeCounts:
    issued = _issued(user)
    current = issued.filter(status=CertificateStatus.VALID)
    made = _made(user).filter(assessment_year=year)
    return ScopeCounts(
        year=year,
        valid=current.exclude(valid_until__lt=today).count(),
        renewals_due=current.filter(
            valid_until__lte=today + dt.timedelta(days=RENEWAL_WINDOW_DAYS)
        ).count(),
        revoked=issued.filter(status=CertificateStatus.REVOKED).count(),
        verifications=made.count(),
        verifications_late=made.filter(late=True).count(),
        awaiting_verification=awaiting_verification(user).count(),
    )


def awaiting_verification(user, *, today: dt.date | None = None):
    """Inflow women in scope whose stay has no verification yet (R-CERT-3): with `today`, by
    urgency (still within the 30 days of arrival, soonest due first, then the overdue ones,
    most recently due first: a new arrival is never buried); else oldest arrival first."""
    registrations = Registration.objects.active().filter(
        kind=RegistrationKind.INFLOW, person__sex=Sex.FEMALE
    )
    registrations = Scope.of(user).filter(registrations, "residence_id")
    verified = Verification.objects.values("registration_id")
    rows = registrations.exclude(pk__in=verified).select_related("person", "residence")
    if today is None:
        return rows.order_by("arrival_date", "pk")
    # R-CERT-3: due 30 days after arrival, so "on time" is an arrival on or after today - 30.
    return by_urgency(rows, "arrival_date", today - dt.timedelta(days=ARRIVAL_VERIFICATION_DAYS))


def late_verifications(user, *, year: int):
    return (
        _made(user)
        .filter(assessment_year=year, late=True)
        .select_related("certificate__person", "unit", "verified_by", "registration")
        .order_by("-verified_on", "-pk")
    )


def renewals_due(user, *, today: dt.date):
    due = (
        _issued(user)
        .filter(
            status=CertificateStatus.VALID,
            valid_until__lte=today + dt.timedelta(days=RENEWAL_WINDOW_DAYS),
        )
        .select_related("person", "issuer")
    )
    # R-CERT-2: the ones still valid first, the soonest to expire first; then the expired.
    return by_urgency(due, "valid_until", today)


CERTIFICATES = gettext_lazy("Certificates")


def export_certificates(user, params: dict, *, full: bool, origin=None):
    """The certificates the user can see as an export (issue 5; written out by core.exports)."""
    from django.utils.translation import pgettext

    from yipanqi.certificates.models import Certificate
    from yipanqi.core.exports import Export, cell_date

    qs = Certificate.objects.visible_to(user).select_related("person", "issuer")
    header = [_("Number"), pgettext("person", "Name"), _("ID number"), _("Issued by"), _("Issued on"),
              _("Valid until"), _("Status")]  # fmt: skip

    def rows():
        for c in qs.order_by("pk").iterator(chunk_size=2000):
            yield [
                c.number,
                c.person.name,
                c.person.reveal_id_number() if full else c.person.id_number_masked,
                c.issuer.path_name,
                cell_date(c.issued_on),
                _("long-term") if c.long_term else cell_date(c.valid_until),
                c.get_status_display(),
            ]

    return Export("certificates", CERTIFICATES, header, rows(), "certificates")
