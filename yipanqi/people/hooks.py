"""What people plugs into exchange (called from PeopleConfig.ready): how a departure notice
reads, the daily lost-contact check (R-REGN-4), and the registry's reads the inbox shows."""

from django.utils.translation import gettext as _

from yipanqi.exchange import hooks
from yipanqi.exchange.models import Request, RequestType
from yipanqi.exchange.payloads import Described, choice_label, facts, shown_day
from yipanqi.people.models import CloseReason, Person


def describe_departure(request: Request, user, described: Described) -> None:
    """Why and when the person left the residence's area."""
    payload = request.payload
    described.facts += facts(
        (_("Why the person left"), choice_label(CloseReason, payload.get("reason"))),
        (_("Date of departure"), shown_day(payload.get("on"))),
    )


def register() -> None:
    from yipanqi.people.departures import flag_lost_contact
    from yipanqi.people.selectors import lost_contact_for
    from yipanqi.people.services import access_person

    hooks.register_describer((RequestType.DEPARTURE_NOTICE,), describe_departure)
    hooks.register_sweep_step("lost_contact", flag_lost_contact)  # R-REGN-4
    hooks.register_person_lookups(
        hooks.PersonLookups(
            visible=Person.objects.visible_to,
            access=access_person,
            lost_contact=lost_contact_for,
        )
    )
