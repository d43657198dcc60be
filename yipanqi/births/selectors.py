"""The steps of a birth registration with who owes each and by when (R-BIRTH-2, P2), and the
lists of a jurisdiction's registrations."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, F, Q, Value, When
from django.utils.translation import gettext as _

from yipanqi.births import services
from yipanqi.births.models import BirthRegistration, BirthStatus, Route
from yipanqi.divisions.models import Division, within_q
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


def _state(due: dt.date | None, done: dt.datetime | None, today: dt.date) -> str:
    if done is not None:
        return "done_late" if due is not None and local_date(done) > due else "done"
    if due is not None and today > due:
        return "overdue"
    return "open"


def steps(registration: BirthRegistration, today: dt.date) -> list[Step]:
    if registration.route == Route.HOME:
        return _home_steps(registration, today)
    r = registration
    out = [
        Step(
            1,
            _("Residence village asks both home townships to confirm (7 working days)"),
            r.unit,
            r.ask_due_on,
            r.asked_at,
            _state(r.ask_due_on, r.asked_at, today),
        )
    ]
    requests = services.confirmation_requests(r)
    if r.asked_at is None:
        for code in r.home_townships():
            division = r.woman_home if code == r.woman_home_id else r.husband_home
            out.append(
                Step(2, _("Home township confirms (15 working days of receipt)"), division, None)
            )
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
                _("Home township confirms (15 working days of receipt)"),
                request.receiver,
                request.due_on,
                request.answered_at,
                state,
                request=request,
                note=request.answer,
            )
        )
    forward_due = services.forward_due_on(r)
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
                _("Residence village forwards the file with its opinion (7 working days)"),
                r.unit,
                forward_due,
                r.forwarded_at,
                state,
                note=r.village_opinion,
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
    notices = services.notice_requests(r)
    out.append(
        Step(
            5,
            _("Residence township notifies both home townships (15 working days)"),
            r.township,
            r.notify_due_on,
            r.notified_at,
            _state(r.notify_due_on, r.notified_at, today) if r.issued_at else "waiting",
            requests=notices,
        )
    )
    return out


def _home_steps(r: BirthRegistration, today: dt.date) -> list[Step]:
    notices = services.notice_requests(r)
    notify = (
        _("Home township notifies the residence (7 working days)")
        if r.child_order > 1
        else _("Home township notifies the residence (15 working days)")
    )
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
        Step(
            2,
            notify,
            r.township,
            r.notify_due_on,
            r.notified_at,
            _state(r.notify_due_on, r.notified_at, today) if r.residence_id else "done",
            requests=notices,
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
    code = getattr(user, "scope_code", None) or ""
    rows = []
    for registration in registrations:
        step = next_step(registration, today)
        ours = bool(step and step.owner and step.owner.code.startswith(code))
        rows.append((registration, step, ours))
    return rows


def births_within(code: str):
    from yipanqi.births.models import BirthReport

    qs = BirthReport.objects.all()
    return qs.filter(within_q("unit_id", code)) if code else qs
