"""The steps of a birth registration with who owes each and by when (R-BIRTH-2, P2), and the
lists of a jurisdiction's registrations."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, F, Q, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from yipanqi.births import services
from yipanqi.births.models import (
    ASK_KEY,
    CONFIRM_KEY,
    FORWARD_KEY,
    NOTIFY_FIRST_KEY,
    NOTIFY_FURTHER_KEY,
    BirthRegistration,
    BirthStatus,
    Route,
)
from yipanqi.divisions.models import Division, within_q
from yipanqi.divisions.scope import Scope
from yipanqi.exchange.models import AWAITING_STATUSES, LATE_STATUSES, Request
from yipanqi.workdays.services import local_date


@dataclass
class Step:
    """One step: what, the unit that owes it, its due date, and how it stands."""

    number: int
    what: str
    owner: Division | None
    due_on: dt.date | None
    done_at: dt.datetime | None = None
    # done, done_late, open, overdue, waiting (an earlier step first)
    state: str = "waiting"
    request: Request | None = None
    note: str = ""
    requests: list[Request] = field(default_factory=list)
    # The working days the step is given (issue 12.4: the same rule set as its due date).
    days: int | None = None


def _within(days: int) -> str:
    return ngettext("within %(days)s working day", "within %(days)s working days", days) % {
        "days": days
    }


def _what(text: str, days: int | None) -> str:
    # The label and the number of days are joined here, so each label is translated once
    # whatever number of days the rule set gives.
    if days is None:
        return text
    return _("%(step)s (%(within)s)") % {"step": text, "within": _within(days)}


def _state(due: dt.date | None, done: dt.datetime | None, today: dt.date) -> str:
    if done is not None:
        return "done_late" if due is not None and local_date(done) > due else "done"
    if due is not None and today > due:
        return "overdue"
    return "open"


def steps(registration: BirthRegistration, today: dt.date) -> list[Step]:
    """Each step with its owner, due date and state. A step behind a request shows that
    request's stored due date and days; a step of the registration shows its stored date, or,
    before it exists, the rule-set function that will compute it (issue 12.4)."""
    if registration.route == Route.HOME:
        return _home_steps(registration, today)
    r = registration
    ask_days = services.step_days(ASK_KEY, r)
    out = [
        Step(
            1,
            _what(_("Residence village asks both home townships to confirm"), ask_days),
            r.unit,
            r.ask_due_on,
            r.asked_at,
            _state(r.ask_due_on, r.asked_at, today),
            days=ask_days,
        )
    ]
    confirm = _("Home township confirms, counted from receipt")
    requests = services.confirmation_requests(r)
    if r.asked_at is None:
        for code in r.home_townships():
            division = r.woman_home if code == r.woman_home_id else r.husband_home
            days = services.step_days(CONFIRM_KEY, r, code, today)
            out.append(Step(2, _what(confirm, days), division, None, days=days))
    for request in requests:
        late_now = request.status in LATE_STATUSES or (
            request.status in AWAITING_STATUSES and today > request.due_on
        )
        state = _state(request.due_on, request.answered_at, today)
        if late_now and request.answered_at is None:
            state = "overdue"
        out.append(
            Step(
                2,
                _what(confirm, request.deadline_days),
                request.receiver,
                request.due_on,
                request.answered_at,
                state,
                request=request,
                note=request.answer,
                days=request.deadline_days,
            )
        )
    forward_due = services.forward_due_on(r)
    start = services.forward_started_at(r)
    forward_days = services.step_days(FORWARD_KEY, r, on=local_date(start) if start else today)
    if r.status == BirthStatus.RETURNED:
        out.append(
            Step(
                3,
                _("Residence village resubmits with the missing documents"),
                r.unit,
                None,
                None,
                "open",
                note=r.return_reason,
            )
        )
    else:
        state = (
            _state(forward_due, r.forwarded_at, today)
            if forward_due or r.forwarded_at
            else "waiting"
        )
        out.append(
            Step(
                3,
                _what(_("Residence village forwards the file with its opinion"), forward_days),
                r.unit,
                forward_due,
                r.forwarded_at,
                state,
                note=r.village_opinion,
                days=forward_days,
            )
        )
    decide_due = local_date(r.forwarded_at) if r.forwarded_at else None
    if r.status == BirthStatus.ISSUED:
        decide_state = _state(decide_due, r.issued_at, today)
    elif r.status == BirthStatus.FORWARDED:
        decide_state = "overdue" if decide_due and today > decide_due else "open"
    else:
        decide_state = "waiting"
    out.append(
        Step(
            4,
            _("Residence township issues at once, or returns stating what is missing"),
            r.township,
            decide_due,
            r.issued_at,
            decide_state,
            note=r.number or "",
        )
    )
    out.append(
        _notify_step(
            5,
            _("Residence township notifies both home townships"),
            r,
            NOTIFY_FIRST_KEY,
            r.home_townships(),
            today,
        )
    )
    return out


def _notify_step(number, text, r, key, receivers, today) -> Step:
    """The notice step: the notices' own due date and days once sent (R-EX-1), else the rule
    set's for the first receiver."""
    notices = services.notice_requests(r)
    if notices:
        days = max(q.deadline_days for q in notices)
        due = max(q.due_on for q in notices)
        state = _state(due, r.notified_at, today)
    else:
        receiver = next((c for c in receivers if c), "")
        days = services.step_days(
            key, r, receiver, local_date(r.issued_at) if r.issued_at else today
        )
        due = None
        # Issued with nobody outside to notify (her home is the issuing side): nothing owed.
        state = "done" if r.issued_at else "waiting"
    return Step(
        number,
        _what(text, days),
        r.township,
        due,
        r.notified_at,
        state,
        requests=notices,
        days=days,
    )


def _home_steps(r: BirthRegistration, today: dt.date) -> list[Step]:
    key = NOTIFY_FURTHER_KEY if r.child_order > 1 else NOTIFY_FIRST_KEY
    return [
        Step(
            1,
            _("Home township registers and issues at once"),
            r.township,
            local_date(r.issued_at),
            r.issued_at,
            "done",
            note=r.number or "",
        ),  # fmt: skip
        _notify_step(
            2, _("Home township notifies the residence"), r, key, [r.residence_id or ""], today
        ),
    ]


def next_step(registration: BirthRegistration, today: dt.date) -> Step | None:
    """Who owes the next step (P2): the first open or overdue step."""
    for step in steps(registration, today):
        if step.state in ("open", "overdue"):
            return step
    return None


def list_registrations(user, *, waiting_on_us: bool = False):
    qs = BirthRegistration.objects.visible_to(user).select_related(
        "woman", "unit", "township", "woman_home", "husband_home"
    )
    return qs.order_by("-created_at", "-pk")


def registrations_by_urgency(user, today: dt.date):
    """The registrations list of the web page (issue 12.12): files with a step still owed
    first, by the due date of that step where the file carries it (the village's request for
    confirmation, R-BIRTH-2 step 1; the notification of issue, step 5), on-time soonest
    first then overdue; the finished files after them, newest first."""
    owed = Case(
        When(route=Route.RESIDENCE, asked_at__isnull=True, then=F("ask_due_on")),
        When(issued_at__isnull=False, notified_at__isnull=True, then=F("notify_due_on")),
    )
    finished = Q(status=BirthStatus.ISSUED) & (
        Q(notified_at__isnull=False) | Q(notify_due_on__isnull=True)
    )
    qs = list_registrations(user).annotate(
        owed_on=owed, finished=Case(When(finished, then=Value(1)), default=Value(0))
    )
    on_time = Case(When(owed_on__gte=today, then=F("owed_on")))
    return qs.order_by(
        "finished",
        on_time.asc(nulls_last=True),
        F("owed_on").desc(nulls_last=True),
        "-created_at",
        "-pk",
    )


def registrations_of(person):
    return BirthRegistration.objects.filter(woman=person).select_related("township", "unit")


def waiting_on(user, registrations, today):
    """Rows with their next step, and whether that step is owed by the user's units."""
    scope = Scope.of(user)
    rows = []
    for registration in registrations:
        step = next_step(registration, today)
        ours = bool(step and step.owner and scope.covers(step.owner.code))
        rows.append((registration, step, ours))
    return rows


def births_within(code: str):
    from yipanqi.births.models import BirthReport

    qs = BirthReport.objects.all()
    return qs.filter(within_q("unit_id", code)) if code else qs
