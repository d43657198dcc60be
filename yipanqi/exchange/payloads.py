"""A request's payload in words (R-EX-1): what is asked, the facts, the services and the dates,
and links to its subject for the user reading it, rendered only where that user may open them.

One function per request kind; the detail page and the API's request detail both read
`describe`, so the receiver sees the same content in the browser and through the API.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from django.utils.translation import pgettext

from yipanqi.exchange.models import Request, RequestType


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass
class Described:
    asks: str
    facts: list[Fact] = field(default_factory=list)
    services: list[dict] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


def _day(value) -> str:
    """An ISO date from a payload as it is shown (YYYY-MM-DD); anything else as it is."""
    if not value:
        return ""
    try:
        return dt.date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        return str(value)


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def _facts(*pairs) -> list[Fact]:
    return [Fact(str(label), str(value)) for label, value in pairs if value not in (None, "")]


def _question(request: Request, user, described: Described) -> None:
    described.facts += _facts((_("Question"), request.payload.get("question")))


def _birth_registration(request: Request, user, described: Described) -> None:
    from yipanqi.births.models import BirthRegistration

    payload = request.payload
    registration = (
        BirthRegistration.objects.filter(pk=payload.get("registration"))
        .select_related("woman_home", "husband_home", "township")
        .first()
        if payload.get("registration")
        else None
    )
    if request.type == RequestType.BIRTH_CONFIRMATION:
        described.facts += _facts((_("Question"), payload.get("question")))
    else:
        described.facts += _facts(
            (_("Registration number"), payload.get("number")),
            (_("Child order"), payload.get("child_order")),
            (_("Issued on"), _day(payload.get("issued_on"))),
        )
    if registration is not None:
        described.facts += _facts(
            (_("Woman"), registration.woman.name),
            (_("Her home"), registration.woman_home),
            (_("Husband"), registration.husband_name),
            (_("His home"), registration.husband_home),
            (_("Child order"), registration.child_order if "child_order" not in payload else ""),
            (_("Application received on"), _day(registration.received_on)),
        )
        visible = BirthRegistration.objects.visible_to(user).filter(pk=registration.pk).exists()
        if visible:
            described.links.append(
                Link(
                    _("Open the birth registration"),
                    reverse("births:detail", args=[registration.pk]),
                )
            )


def _birth_report(request: Request, user, described: Described) -> None:
    from yipanqi.births.models import ReportSource
    from yipanqi.people.models import Sex

    payload = request.payload
    described.facts += _facts(
        (_("Date of birth"), _day(payload.get("birth_date"))),
        (_("Child's sex"), _label(Sex, payload.get("child_sex"))),
        (_("Reported by"), _label(ReportSource, payload.get("source"))),
    )


def _service_report(request: Request, user, described: Described) -> None:
    from yipanqi.services.models import ServiceReport

    payload = request.payload
    described.facts += _facts(
        (_("Services from"), _day(payload.get("period_from"))),
        (_("Services until"), _day(payload.get("period_to"))),
        (_("Contraceptive method"), payload.get("contraception")),
    )
    report = ServiceReport.objects.filter(request=request).first()
    if report is not None and report.remarks:
        described.facts += _facts((_("Remarks"), report.remarks))
    described.services = [
        {
            "date": _day(row.get("date")),
            "service": str(row.get("service", "")),
            "provider": str(row.get("provider", "")),
            "charged": str(row.get("charged", "")),
        }
        for row in payload.get("services", [])
        if isinstance(row, dict)
    ]
    if report is not None and ServiceReport.objects.visible_to(user).filter(pk=report.pk).exists():
        described.links.append(
            Link(
                _("Open the service report (printable)"),
                reverse("services:report", args=[report.pk]),
            )
        )


def _certificate_link(number: str, user, described: Described) -> None:
    from yipanqi.certificates.models import Certificate

    if not number:
        return
    found = Certificate.objects.visible_to(user).filter(number=number).first()
    if found is not None:
        described.links.append(
            Link(_("Open the certificate"), reverse("certificates:detail", args=[found.pk]))
        )


def _certificate_notice(request: Request, user, described: Described) -> None:
    payload = request.payload
    events = {"renewed": _("Renewed"), "revoked": _("Revoked")}
    valid = _("Long-term") if payload.get("long_term") else _day(payload.get("valid_until"))
    described.facts += _facts(
        (_("Certificate number"), payload.get("number")),
        (
            pgettext("certificate notice", "What happened"),
            events.get(payload.get("event"), payload.get("event")),
        ),
        (_("Valid until"), valid if payload.get("event") != "revoked" else ""),
    )
    _certificate_link(payload.get("number", ""), user, described)


def _certificate_change(request: Request, user, described: Described) -> None:
    from yipanqi.people.models import MaritalStatus

    payload = request.payload
    marital = payload.get("marital_status") or ["", ""]
    children = payload.get("children") or ["", ""]
    arrow = "{} → {}"
    described.facts += _facts(
        (_("Certificate number"), payload.get("certificate")),
        (
            _("Marital status"),
            arrow.format(_label(MaritalStatus, marital[0]), _label(MaritalStatus, marital[-1])),
        ),
        (_("Number of children"), arrow.format(children[0], children[-1])),
        (_("Checked on"), _day(payload.get("verified_on"))),
    )
    _certificate_link(payload.get("certificate", ""), user, described)


def _no_certificate(request: Request, user, described: Described) -> None:
    payload = request.payload
    described.facts += _facts(
        (_("Interim certificate of marital status"), payload.get("interim")),
        (_("Please issue a certificate by"), _day(payload.get("window_ends_on"))),
    )


def _departure(request: Request, user, described: Described) -> None:
    from yipanqi.people.models import CloseReason

    payload = request.payload
    described.facts += _facts(
        (_("Why the person left"), _label(CloseReason, payload.get("reason"))),
        (_("Date of departure"), _day(payload.get("on"))),
    )


def _complaint(request: Request, user, described: Described) -> None:
    from yipanqi.grievances.models import Category, Complaint

    payload = request.payload
    described.facts += _facts(
        (_("Complaint reference"), payload.get("complaint")),
        (pgettext("complaint", "About"), _label(Category, payload.get("category"))),
    )
    found = Complaint.objects.visible_to(user).filter(referral=request).first()
    if found is not None:
        described.links.append(
            Link(_("Open the complaint"), reverse("grievances:detail", args=[found.pk]))
        )


# What each kind asks of its receiver, and the function that puts its payload in words.
KINDS = {
    RequestType.VERIFICATION: (
        _question,
        N_("Please check the facts below against your records and confirm them."),
    ),
    RequestType.CO_INVESTIGATION: (
        _question,
        N_("Please find out the facts below about this person and confirm them."),
    ),
    RequestType.NOTIFICATION: (_question, N_("For your information; please acknowledge it.")),
    RequestType.NO_CERTIFICATE_NOTICE: (
        _no_certificate,
        N_(
            "This person lives in our area without a marriage and childbearing certificate. We "
            "issued an interim certificate of marital status; please issue her a certificate."
        ),
    ),
    RequestType.DEPARTURE_NOTICE: (
        _departure,
        N_("This person has left our area. Please note it in your records."),
    ),
    RequestType.SERVICE_REPORT: (
        _service_report,
        N_(
            "The services below were given to this person in our area. Please check them against "
            "your records: she needs no trip home and no home visit for them."
        ),
    ),
    RequestType.COMPLAINT_REFERRAL: (
        _complaint,
        N_("A complaint was handed to you to answer. Please handle it on the complaint's page."),
    ),
    RequestType.CERTIFICATE_NOTICE: (
        _certificate_notice,
        N_(
            "The certificate of a person living in your area was renewed or revoked. Please note it."
        ),
    ),
    RequestType.CERTIFICATE_CHANGE: (
        _certificate_change,
        N_(
            "At the check of her certificate her marital or childbearing status had changed. "
            "Please update your records."
        ),
    ),
    RequestType.BIRTH_CONFIRMATION: (
        _birth_registration,
        N_(
            "Please confirm the marital and childbearing status of the couple below for a "
            "first-child registration."
        ),
    ),
    RequestType.BIRTH_NOTICE: (
        _birth_registration,
        N_("A birth registration was issued for this person. Please note it in your records."),
    ),
    RequestType.BIRTH_REPORT: (
        _birth_report,
        N_("A birth was reported for this person. Please note it in your records."),
    ),
}


def describe(request: Request, user) -> Described:
    """The request's payload in words, with the links this user may follow."""
    fill, asks = KINDS.get(request.type, KINDS[RequestType.NOTIFICATION])
    described = Described(asks=_(asks))
    fill(request, user, described)
    return described
