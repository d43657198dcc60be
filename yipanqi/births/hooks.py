"""What births plugs into exchange (called from BirthsConfig.ready): how its request kinds read,
and the confirmation answer on the registration's timeline (R-BIRTH-2 step 2)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from yipanqi.births.models import BirthRegistration, ReportSource
from yipanqi.exchange import hooks
from yipanqi.exchange.models import Request, RequestType
from yipanqi.exchange.payloads import Described, Link, choice_label, facts, question, shown_day
from yipanqi.people.models import Sex


def describe_registration(request: Request, user, described: Described) -> None:
    """A confirmation request or a birth registration notice, with the couple it is about."""
    payload = request.payload
    registration = (
        BirthRegistration.objects.filter(pk=payload.get("registration"))
        .select_related("woman_home", "husband_home", "township")
        .first()
        if payload.get("registration")
        else None
    )
    if request.type == RequestType.BIRTH_CONFIRMATION:
        question(request, user, described)
    else:
        described.facts += facts(
            (_("Registration number"), payload.get("number")),
            (_("Child order"), payload.get("child_order")),
            (_("Issued on"), shown_day(payload.get("issued_on"))),
        )
    if registration is not None:
        described.facts += facts(
            (_("Woman"), registration.woman.name),
            (_("Her home"), registration.woman_home),
            (_("Husband"), registration.husband_name),
            (_("His home"), registration.husband_home),
            (_("Child order"), registration.child_order if "child_order" not in payload else ""),
            (_("Application received on"), shown_day(registration.received_on)),
        )
        visible = BirthRegistration.objects.visible_to(user).filter(pk=registration.pk).exists()
        if visible:
            described.links.append(
                Link(
                    _("Open the birth registration"),
                    reverse("births:detail", args=[registration.pk]),
                )
            )


def describe_report(request: Request, user, described: Described) -> None:
    """R-BIRTH-4: a reported birth, with the child's sex."""
    payload = request.payload
    described.facts += facts(
        (_("Date of birth"), shown_day(payload.get("birth_date"))),
        (_("Child's sex"), choice_label(Sex, payload.get("child_sex"))),
        (_("Reported by"), choice_label(ReportSource, payload.get("source"))),
    )


def register() -> None:
    from yipanqi.births.services import record_confirmation

    hooks.register_describer(
        (RequestType.BIRTH_CONFIRMATION, RequestType.BIRTH_NOTICE), describe_registration
    )
    hooks.register_describer((RequestType.BIRTH_REPORT,), describe_report)
    # R-BIRTH-2 step 2: the birth registration's timeline records the confirmation.
    hooks.on_answered(RequestType.BIRTH_CONFIRMATION, record_confirmation)
