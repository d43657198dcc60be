"""What services plugs into exchange (called from ServicesConfig.ready): how a service report
request reads (R-SVC-2)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from yipanqi.exchange import hooks
from yipanqi.exchange.models import Request, RequestType
from yipanqi.exchange.payloads import Described, Link, facts, shown_day
from yipanqi.services.models import ServiceReport


def describe_service_report(request: Request, user, described: Described) -> None:
    """R-SVC-2: the services given, and the printable report for a user who may open it."""
    payload = request.payload
    described.facts += facts(
        (_("Services from"), shown_day(payload.get("period_from"))),
        (_("Services until"), shown_day(payload.get("period_to"))),
        (_("Contraceptive method"), payload.get("contraception")),
    )
    report = ServiceReport.objects.filter(request=request).first()
    if report is not None and report.remarks:
        described.facts += facts((_("Remarks"), report.remarks))
    described.services = [
        {
            "date": shown_day(row.get("date")),
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


def register() -> None:
    hooks.register_describer((RequestType.SERVICE_REPORT,), describe_service_report)
