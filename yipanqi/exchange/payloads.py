"""A request's payload in words (R-EX-1): what is asked, the facts, the services and the dates,
and links to its subject for the user reading it, rendered only where that user may open them.

What each kind asks is stated here; the function that puts a kind's payload in words is
registered by the app that sends it (`hooks.register_describer`, in that app's hooks.py), so
exchange reads no domain's models. The detail page and the API's request detail both read
`describe`, so the receiver sees the same content in the browser and through the API.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from yipanqi.exchange import hooks
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


def shown_day(value) -> str:
    """An ISO date from a payload as it is shown (YYYY-MM-DD); anything else as it is."""
    if not value:
        return ""
    try:
        return dt.date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        return str(value)


def choice_label(choices, value) -> str:
    """The display label of a payload's choice value; the value itself if it is no choice."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def facts(*pairs) -> list[Fact]:
    """The (label, value) pairs that have a value, as facts."""
    return [Fact(str(label), str(value)) for label, value in pairs if value not in (None, "")]


def question(request: Request, user, described: Described) -> None:
    """The plain kinds exchange itself sends: the question asked."""
    described.facts += facts((_("Question"), request.payload.get("question")))


# The kinds exchange describes itself; the domains register theirs (hooks.py).
QUESTION_TYPES = (RequestType.VERIFICATION, RequestType.CO_INVESTIGATION, RequestType.NOTIFICATION)

# What each kind asks of its receiver.
KINDS = {
    RequestType.VERIFICATION: N_(
        "Please check the facts below against your records and confirm them."
    ),
    RequestType.CO_INVESTIGATION: N_(
        "Please find out the facts below about this person and confirm them."
    ),
    RequestType.NOTIFICATION: N_("For your information; please acknowledge it."),
    RequestType.NO_CERTIFICATE_NOTICE: N_(
        "This person lives in our area without a marriage and childbearing certificate. We "
        "issued an interim certificate of marital status; please issue her a certificate."
    ),
    RequestType.DEPARTURE_NOTICE: N_(
        "This person has left our area. Please note it in your records."
    ),
    RequestType.SERVICE_REPORT: N_(
        "The services below were given to this person in our area. Please check them against "
        "your records: she needs no trip home and no home visit for them."
    ),
    RequestType.COMPLAINT_REFERRAL: N_(
        "A complaint was handed to you to answer. Please handle it on the complaint's page."
    ),
    RequestType.CERTIFICATE_NOTICE: N_(
        "The certificate of a person living in your area was renewed or revoked. Please note it."
    ),
    RequestType.CERTIFICATE_CHANGE: N_(
        "At the check of her certificate her marital or childbearing status had changed. "
        "Please update your records."
    ),
    RequestType.BIRTH_CONFIRMATION: N_(
        "Please confirm the marital and childbearing status of the couple below for a "
        "first-child registration."
    ),
    RequestType.BIRTH_NOTICE: N_(
        "A birth registration was issued for this person. Please note it in your records."
    ),
    RequestType.BIRTH_REPORT: N_(
        "A birth was reported for this person. Please note it in your records."
    ),
}


def describe(request: Request, user) -> Described:
    """The request's payload in words, with the links this user may follow."""
    known = request.type in KINDS
    asks = KINDS[request.type if known else RequestType.NOTIFICATION]
    fill = (hooks.describer_for(request.type) if known else None) or question
    described = Described(asks=_(asks))
    fill(request, user, described)
    return described
