"""The to-do list of a unit (issue 12.11): every duty its workers owe, each with its due date in
working days, the most urgent first, and the page where it is done.

A read that gathers what the domain selectors already say is due; the rules (who owes what by
when) stay in those apps and are cited where they are applied.
"""

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from yipanqi.accounts.models import Role
from yipanqi.births import selectors as births
from yipanqi.births.models import BirthStatus
from yipanqi.certificates import selectors as certificates
from yipanqi.certificates.models import Certificate, CertificateStatus, Verification
from yipanqi.certificates.services import verification_due
from yipanqi.divisions.models import within_q
from yipanqi.divisions.scope import Scope
from yipanqi.exchange import selectors as exchange
from yipanqi.exchange.models import AWAITING_STATUSES
from yipanqi.feeds.models import Lead
from yipanqi.people.counted import SERVED_WITHIN_DAYS
from yipanqi.people.departures import LOST_CONTACT_DAYS
from yipanqi.people.models import Registration, RegistrationKind, Sex
from yipanqi.web.templatetags.yipanqi import short_path
from yipanqi.workdays.services import local_date, working_days_left

# Each source gives at most this many of its most urgent rows: a unit with thousands of late
# items still gets a page at once, and the counts above the list give the full numbers.
PER_SOURCE = 200

# Due within this many working days (a working week): "due soon", first on the list.
SOON = 5

# Roles whose home page is the to-do list of their unit; the administrators above them see
# only what is overdue in their area (their dashboards stay as they are).
UNIT_ROLES = {Role.VILLAGE_WORKER, Role.TOWNSHIP_OPERATOR}

KINDS = {
    "verify": gettext_lazy("Verify certificate"),
    "recheck": gettext_lazy("Yearly re-check"),
    "renew": gettext_lazy("Renew certificate"),
    "birth": gettext_lazy("Birth registration step"),
    "lead": gettext_lazy("Feed lead"),
    "request": gettext_lazy("Request to answer"),
    "lost": gettext_lazy("Lost contact"),
}


@dataclass(frozen=True)
class Todo:
    """One duty: its kind, whom it concerns, what to do, by when, and where to do it."""

    kind: str
    who: str
    what: str
    due_on: dt.date | None
    url: str
    action: str
    left: int | None = None  # working days left; negative: working days overdue

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])

    @property
    def overdue(self) -> bool:
        return self.left is not None and self.left < 0

    @property
    def late_by(self) -> int | None:
        return -self.left if self.overdue else None

    @property
    def soon(self) -> bool:
        """Due within a working week: shown first, in orange."""
        return self.left is not None and 0 <= self.left <= SOON


@dataclass
class TodoList:
    items: list[Todo]
    counts: dict[str, int]
    overdue_only: bool

    @property
    def overdue(self) -> int:
        return sum(1 for item in self.items if item.overdue)


def urgency(item: Todo) -> tuple:
    """The order of the list: what is due within a working week, soonest first (it can still
    be done in time); then what is overdue, the most recently due first, so that one new
    arrival is never buried under a year of old lapses (issue 12.12); then what is due later,
    soonest first; undated last."""
    if item.left is None:
        return (3, 0)
    if item.soon:
        return (0, item.left)
    if item.overdue:
        return (1, -item.left)  # -1 before -40: the most recently due first
    return (2, item.left)


def _with_left(items: list[Todo], today: dt.date) -> list[Todo]:
    out = []
    for item in items:
        left = working_days_left(item.due_on, today).days if item.due_on else None
        out.append(Todo(**{**item.__dict__, "left": left}))
    return out


def _inflow_women(code: str):
    qs = Registration.objects.active().filter(kind=RegistrationKind.INFLOW, person__sex=Sex.FEMALE)
    return qs.filter(within_q("residence_id", code)) if code else qs


def _valid_certificates(person_ids) -> dict[int, Certificate]:
    rows = Certificate.objects.filter(
        person_id__in=list(person_ids), status=CertificateStatus.VALID
    ).order_by("issued_on", "id")
    return {c.person_id: c for c in rows}


def _verifications(user, code: str, today: dt.date) -> list[Todo]:
    """R-CERT-3: the residence verifies within 30 days of arrival (a woman without a
    certificate gets the interim certificate of R-CERT-4 instead, from her page)."""
    rows = list(certificates.awaiting_verification(user, today=today)[:PER_SOURCE])
    held = _valid_certificates(r.person_id for r in rows)
    items = []
    for r in rows:
        certificate = held.get(r.person_id)
        if certificate is not None:
            url = reverse("certificates:detail", args=[certificate.pk])
            action = _("Verify the certificate")
        else:
            url = reverse("people:person", args=[r.person_id]) + "#certificate"
            action = _("No certificate: open her page")
        items.append(
            Todo(
                "verify",
                r.person.name,
                _("Verify her certificate within 30 days of arrival (arrived %(day)s)")
                % {"day": r.arrival_date.isoformat()},
                verification_due(r),
                url,
                action,
            )
        )
    return items


def _rechecks(code: str, today: dt.date) -> list[Todo]:
    """R-CERT-3: then once each assessment year while she stays (due by 31 December)."""
    stays = _inflow_women(code)
    verified_before = Verification.objects.filter(assessment_year__lt=today.year).values(
        "registration_id"
    )
    verified_now = Verification.objects.filter(assessment_year=today.year).values("registration_id")
    rows = list(
        stays.filter(pk__in=verified_before)
        .exclude(pk__in=verified_now)
        .select_related("person")
        .order_by("arrival_date", "pk")[:PER_SOURCE]
    )
    held = _valid_certificates(r.person_id for r in rows)
    items = []
    for r in rows:
        certificate = held.get(r.person_id)
        url = (
            reverse("certificates:detail", args=[certificate.pk])
            if certificate
            else reverse("people:person", args=[r.person_id]) + "#certificate"
        )
        items.append(
            Todo(
                "recheck",
                r.person.name,
                _("Verify her certificate for %(year)s") % {"year": today.year},
                dt.date(today.year, 12, 31),
                url,
                _("Verify the certificate"),
            )
        )
    return items


def _renewals(user, today: dt.date) -> list[Todo]:
    """R-CERT-2: the home township renews a certificate on expiry."""
    return [
        Todo(
            "renew",
            c.person.name,
            _("Renew certificate %(number)s") % {"number": c.number},
            c.valid_until,
            reverse("certificates:detail", args=[c.pk]),
            pgettext("to-do action", "Renew"),
        )
        for c in certificates.renewals_due(user, today=today)[:PER_SOURCE]
    ]


def _birth_steps(user, code: str, today: dt.date) -> list[Todo]:
    """R-BIRTH-2/3: the steps of open birth registrations that this unit owes (P2)."""
    # next_step reads each file's requests: fewer files than the other sources.
    rows = births.registrations_by_urgency(user, today).filter(finished=0)[: PER_SOURCE // 4]
    items = []
    for registration in rows:
        step = births.next_step(registration, today)
        if step is None or step.owner is None or not Scope.within(code).covers(step.owner.code):
            continue
        items.append(
            Todo(
                "birth",
                registration.woman.name,
                step.what,
                step.due_on,
                reverse("births:detail", args=[registration.pk]),
                _("Open the file")
                if registration.status != BirthStatus.RETURNED
                else _("Resubmit the file"),
            )
        )
    return items


def _leads(user, today: dt.date) -> list[Todo]:
    """R-FEED-2: a department saw someone here who is not registered; R-REGN-5: a person is
    registered within 30 days of arrival."""
    rows = Lead.objects.visible_to(user).open().order_by("seen_on", "pk")[:PER_SOURCE]
    return [
        Todo(
            "lead",
            lead.name,
            lead.get_kind_display(),
            (lead.seen_on or local_date(lead.created_at)) + dt.timedelta(days=SERVED_WITHIN_DAYS),
            reverse("feeds:leads"),
            _("Register or dismiss"),
        )
        for lead in rows
    ]


def _requests(user, today: dt.date) -> list[Todo]:
    """R-EX-1/2: requests our units owe an answer to, by their due date (R-WD)."""
    rows = (
        exchange.list_requests(user, "inbox")
        .filter(status__in=AWAITING_STATUSES)
        .order_by("due_on", "pk")[:PER_SOURCE]
    )
    return [
        Todo(
            "request",
            short_path(r.sender),
            r.get_type_display() + (f" · {r.subject[:60]}" if r.subject else ""),
            r.due_on,
            reverse("exchange:detail", args=[r.pk]),
            pgettext("to-do action", "Answer"),
        )
        for r in rows
    ]


def _lost_contact(user) -> list[Todo]:
    """R-REGN-4: the home village follows up an outflow person with no news for 60 days."""
    rows = exchange.lost_contact_for(user)[:PER_SOURCE]
    items = []
    for r in rows:
        since = r.last_contact_on or local_date(r.recorded_at)
        items.append(
            Todo(
                "lost",
                r.person.name,
                _("No news since %(day)s: get in touch and record the news")
                % {"day": since.isoformat()},
                since + dt.timedelta(days=LOST_CONTACT_DAYS),
                reverse("people:person", args=[r.person_id]),
                pgettext("to-do action", "Record news"),
            )
        )
    return items


def todo_list(user, today: dt.date) -> TodoList | None:
    """The duties of the user's unit, most urgent first; None for a role without casework.

    Village and township: everything owed. County and above: only what is overdue in the area
    (their work is to see and chase it, R-EX-3)."""
    scope = Scope.of(user)
    if scope.none or user.role == Role.DEPARTMENT_FEEDER:
        return None
    code = scope.code
    items = [
        *_verifications(user, code, today),
        *_rechecks(code, today),
        *_renewals(user, today),
        *_birth_steps(user, code, today),
        *_leads(user, today),
        *_requests(user, today),
        *_lost_contact(user),
    ]
    items = _with_left(items, today)
    overdue_only = user.role not in UNIT_ROLES
    if overdue_only:
        items = [item for item in items if item.overdue]
    items.sort(key=urgency)
    counts = {kind: 0 for kind in KINDS}
    for item in items:
        counts[item.kind] += 1
    return TodoList(items=items, counts=counts, overdue_only=overdue_only)
