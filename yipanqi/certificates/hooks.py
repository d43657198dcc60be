"""What certificates plugs into exchange (called from CertificatesConfig.ready): how its notices
read (R-CERT-2, R-CERT-3, the no-certificate notice)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yipanqi.certificates.models import Certificate
from yipanqi.exchange import hooks
from yipanqi.exchange.models import Request, RequestType
from yipanqi.exchange.payloads import Described, Link, choice_label, facts, shown_day
from yipanqi.people.models import MaritalStatus


def _certificate_link(number: str, user, described: Described) -> None:
    if not number:
        return
    found = Certificate.objects.visible_to(user).filter(number=number).first()
    if found is not None:
        described.links.append(
            Link(_("Open the certificate"), reverse("certificates:detail", args=[found.pk]))
        )


def describe_notice(request: Request, user, described: Described) -> None:
    """R-CERT-2: a certificate renewed or revoked."""
    payload = request.payload
    events = {"renewed": _("Renewed"), "revoked": _("Revoked")}
    valid = _("Long-term") if payload.get("long_term") else shown_day(payload.get("valid_until"))
    described.facts += facts(
        (_("Certificate number"), payload.get("number")),
        (
            pgettext("certificate notice", "What happened"),
            events.get(payload.get("event"), payload.get("event")),
        ),
        (_("Valid until"), valid if payload.get("event") != "revoked" else ""),
    )
    _certificate_link(payload.get("number", ""), user, described)


def describe_change(request: Request, user, described: Described) -> None:
    """R-CERT-3: the marital or childbearing status changed at the check."""
    payload = request.payload
    marital = payload.get("marital_status") or ["", ""]
    children = payload.get("children") or ["", ""]
    arrow = "{} → {}"
    described.facts += facts(
        (_("Certificate number"), payload.get("certificate")),
        (
            _("Marital status"),
            arrow.format(
                choice_label(MaritalStatus, marital[0]), choice_label(MaritalStatus, marital[-1])
            ),
        ),
        (_("Number of children"), arrow.format(children[0], children[-1])),
        (_("Checked on"), shown_day(payload.get("verified_on"))),
    )
    _certificate_link(payload.get("certificate", ""), user, described)


def describe_no_certificate(request: Request, user, described: Described) -> None:
    """An interim certificate was issued; the home side is asked for a certificate."""
    payload = request.payload
    described.facts += facts(
        (_("Interim certificate of marital status"), payload.get("interim")),
        (_("Please issue a certificate by"), shown_day(payload.get("window_ends_on"))),
    )


def register() -> None:
    hooks.register_describer((RequestType.CERTIFICATE_NOTICE,), describe_notice)
    hooks.register_describer((RequestType.CERTIFICATE_CHANGE,), describe_change)
    hooks.register_describer((RequestType.NO_CERTIFICATE_NOTICE,), describe_no_certificate)
