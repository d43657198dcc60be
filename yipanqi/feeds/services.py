"""Department feeds (R-FEED-1, R-FEED-2): monthly reports, zero reports, timeliness, matching.

A report covers one month for one jurisdiction and is due by the 3rd of the next month, moved to
the next working day when that is a rest day (R-WD-3); when it arrives its timeliness is
recorded once (a file sent again later does not make a late report on time). Each record is
matched to the registry by the ID number's blind index:
- temporary residence: a person with an active inflow registration is "registered"; anyone else
  becomes an open lead for the village (or the lowest unit the record names), once per person;
- marriage: updates the marital status of a registered person, with a timeline event;
- hospital birth: becomes a birth report (births.BirthReport, source hospital) for the mother,
  notified to her home township as R-BIRTH-4 asks; a mother not in the registry becomes a lead;
- death (public security): closes the person's open registrations as deceased (R-REGN-6): the
  residence record with a departure event and a notice to the home side, the home record with a
  closed event;
- move (public security): someone registered elsewhere who now lives at the new place is a lead
  for it to update the registration; an open lead for the person in this jurisdiction moves with
  them (updated, not doubled); anyone else at the new place is a lead as for temporary residence;
- employment (human resources), rented home (housing), business (market regulation): someone
  working, renting or trading here with no inflow registration is a lead for the township
  (R-REGN-3: registered where they work).
A feeder belongs to one department and sends only that department's feeds.
"""

import datetime as dt
import re
import unicodedata

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yipanqi.accounts.models import Department, Role, User
from yipanqi.audit.models import Action
from yipanqi.audit.services import Origin, record_event
from yipanqi.core.crypto import blind_index, field_cipher
from yipanqi.core.errors import Rejected
from yipanqi.divisions.models import within_q
from yipanqi.divisions.scope import Scope
from yipanqi.feeds import counted as feed_counts
from yipanqi.feeds.models import (
    FEED_DEPARTMENT,
    FeedOutcome,
    FeedRecord,
    FeedReport,
    FeedType,
    Lead,
    LeadKind,
    LeadStatus,
)
from yipanqi.ledger import counters
from yipanqi.people import counted as people_counts
from yipanqi.people import idnumbers
from yipanqi.people.models import (
    CloseReason,
    EventType,
    MaritalStatus,
    Person,
    PersonEvent,
    Registration,
    RegistrationKind,
)
from yipanqi.people.services import change_marital_status
from yipanqi.workdays.services import deadline_for_day_of_month, local_date

FEED_DUE_DAY = 3  # R-FEED-1: by the 3rd of each month
_PERIOD = re.compile(r"(\d{4})\s*[-/.年]?\s*(\d{1,2})\s*月?")


def parse_period(text: str) -> dt.date:
    """'2026-04', '2026/4', '2026年4月', '202604' -> 2026-04-01; Rejected otherwise."""
    # NFKC: the full-width digits and punctuation of a Chinese input method.
    match = _PERIOD.fullmatch(unicodedata.normalize("NFKC", str(text or "")).strip())
    if match and 1 <= int(match[2]) <= 12:
        return dt.date(int(match[1]), int(match[2]), 1)
    raise Rejected({"period": [_("Please give the month the feed reports on, like 2026-04.")]})


def month_reported(period: str, today: dt.date) -> dt.date:
    """R-FEED-1: the month a report is for, one that has begun; Rejected otherwise."""
    month = parse_period(period)
    if month > today.replace(day=1):
        raise Rejected({"period": [_("A report cannot be sent for a month to come.")]})
    return month


def due_for(period: dt.date):
    """R-FEED-1 + R-WD-3: by the 3rd of the following month, or the next working day."""
    following = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return deadline_for_day_of_month(following.year, following.month, FEED_DUE_DAY)


# R-FEED-2, R-REGN-3: the lead a notice gives the township when nobody registered the person.
TOWNSHIP_LEADS = {
    FeedType.EMPLOYMENT: LeadKind.EMPLOYED,
    FeedType.RENTAL: LeadKind.RENTING,
    FeedType.BUSINESS: LeadKind.TRADING,
}
# Leads that follow the person when public security reports a move.
RESIDENT_LEADS = (LeadKind.UNREGISTERED_RESIDENT, LeadKind.MOVED)


def may_feed(user: User, feed_type: str | None = None) -> bool:
    """A department feeder of a jurisdiction; for a feed, one of their department (R-FEED-1)."""
    return feed_refusal(user, feed_type) is None


def feed_refusal(user: User, feed_type: str | None = None) -> str | None:
    """Why this user may not send this feed, in words; None when they may."""
    if (
        user is None
        or not user.is_active
        or user.role != Role.DEPARTMENT_FEEDER
        or user.jurisdiction_id is None
    ):
        return _("Only department feeders send feed reports.")
    if not user.department:
        return _(
            "Your account does not say which department you send for. Please ask the system "
            "administrator to set it."
        )
    if feed_type is not None and FEED_DEPARTMENT.get(feed_type) != user.department:
        if feed_type not in FEED_DEPARTMENT:
            return _("Please choose the feed.")
        return _("This feed is sent by %(other)s. You send the feeds of %(department)s only.") % {
            "other": Department(FEED_DEPARTMENT[feed_type]).label,
            "department": Department(user.department).label,
        }
    return None


def report_for_month(
    feed_type: str, unit: str, period: dt.date, *, now, user, job_id, zero: bool
) -> FeedReport:
    """The month's report, created on its first arrival with its timeliness (R-FEED-1)."""
    key = period.strftime("%Y-%m")
    report = (
        FeedReport.objects.select_for_update()
        .filter(feed_type=feed_type, unit_id=unit, period=key)
        .first()
    )
    if report is not None:
        if not zero and report.zero_report:
            report.zero_report = False
            report.save(update_fields=["zero_report"])
            feed_counts.feed_report_no_longer_zero(report)  # R-FEED-1 counters, same transaction
        return report
    due = due_for(period)
    report = FeedReport.objects.create(
        feed_type=feed_type,
        department=FEED_DEPARTMENT[feed_type],
        unit_id=unit,
        period=key,
        due_on=due.date,
        due_fallback=due.fallback,
        received_at=now,
        on_time=local_date(now) <= due.date,
        zero_report=zero,
        job_id=job_id,
        sent_by=user if getattr(user, "pk", None) else None,
    )
    counters.fact_added(report)  # R-FEED-1 timeliness and zero reports, same transaction
    return report


def submit_zero_report(
    *,
    feed_type: str,
    period: str,
    acting_user: User,
    origin: Origin | None = None,
    now: dt.datetime | None = None,
) -> FeedReport:
    """零通报: a month with nothing new is reported as such, on time or late (R-FEED-1)."""
    refusal = feed_refusal(acting_user)
    if refusal:
        raise Rejected({"__all__": [refusal]})
    if feed_type not in FeedType.values:
        raise Rejected({"feed_type": [_("Please choose the feed.")]})
    refusal = feed_refusal(acting_user, feed_type)
    if refusal:
        raise Rejected({"feed_type": [refusal]})
    now = now or timezone.now()
    month = month_reported(period, local_date(now))
    with transaction.atomic():
        report = report_for_month(
            feed_type, acting_user.jurisdiction_id, month, now=now, user=acting_user,
            job_id=None, zero=True,
        )  # fmt: skip
        if report.records:
            raise Rejected(
                {"__all__": [_("This month's report already has records; it is not empty.")]}
            )
        record_event(
            actor=acting_user,
            action=Action.CHANGE,
            origin=origin,
            object_type="feed_report",
            object_id=report.pk,
            detail={"event": "zero_report", "feed": feed_type, "period": report.period},
        )
    return report


class FeedRun:
    """Matches a feed's checked records against the registry and writes what they do
    (R-FEED-2), inside the import's transaction.

    `request` is the import's (its `unit`, `acting_user` and `now`); `outcome` its counters
    (`created`, `unchanged`, `rejected`, `notified`, `errors`, `extra`). A record is
    `(row number, parsed ID, name, place code, date, data)`.
    """

    def __init__(self, request, feed_type: str, report: FeedReport, outcome):
        self.request = request
        self.feed_type = feed_type
        self.report = report
        self.unit = request.unit
        self.seen: dict[tuple, int] = {}
        self.outcome = outcome
        self.cipher = field_cipher()
        self.now = request.now or timezone.now()

    def write(self, batch: list[tuple]) -> None:
        fresh = []
        for record in batch:
            number, ident, _name, _place, event_date, _data = record
            key = (ident.value, event_date)
            first = self.seen.get(key)
            if first is not None:
                self.outcome.rejected += 1
                self.outcome.errors[number] = [
                    _("This record is already in row %(row)s of this file.") % {"row": first}
                ]
                continue
            self.seen[key] = number
            fresh.append((blind_index(ident.value, domain="id"), record))
        indexes = [index for index, _r in fresh]
        stored = set(
            FeedRecord.objects.filter(report=self.report, id_number_index__in=indexes).values_list(
                "id_number_index", "event_date"
            )
        )
        persons = {
            p.id_number_index: p
            for p in Person.objects.filter(id_number_index__in=indexes).only(
                "pk", "id_number_index", "marital_status", "home_id", "residence_id", "sex",
                "birth_date", "name",
            )
        }  # fmt: skip
        inflow = {
            person_id: residence
            for person_id, residence in Registration.objects.active()
            .filter(kind="inflow", person__in=[p.pk for p in persons.values()])
            .values_list("person_id", "residence_id")
        }
        for index, (number, ident, name, place, event_date, data) in fresh:
            if (index, event_date) in stored:
                self.outcome.unchanged += 1
                continue
            person = persons.get(index)
            outcome = self._match(ident, index, name, place, event_date, data, person, inflow)
            record = FeedRecord.objects.create(
                report=self.report,
                row_number=number,
                id_number_index=index,
                id_number_masked=idnumbers.mask(ident.value),
                name=name,
                place_id=place,
                event_date=event_date,
                data=data,
                person=person,
                outcome=outcome,
            )
            if outcome == FeedOutcome.LEAD:
                self._lead(record, ident, name, place, event_date, data)
            elif outcome == FeedOutcome.LEAD_UPDATED:
                self._move_lead(record, place, event_date, data)
            self.outcome.created += 1
            self.outcome.extra[outcome] = self.outcome.extra.get(outcome, 0) + 1

    def _match(self, ident, index, name, place, event_date, data, person, inflow) -> str:
        if self.feed_type == FeedType.TEMPORARY_RESIDENCE or self.feed_type in TOWNSHIP_LEADS:
            # R-FEED-2, R-REGN-3: living, working, renting or trading here with no inflow
            # registration is a lead (the village's, or for the notices the township's).
            if person is not None and person.pk in inflow:
                return FeedOutcome.REGISTERED
            return FeedOutcome.LEAD
        if self.feed_type == FeedType.DEATH:
            if person is None:
                return FeedOutcome.NOT_REGISTERED
            return self._death(person, event_date)
        if self.feed_type == FeedType.MOVE:
            residence = inflow.get(person.pk) if person is not None else None
            if residence is not None and Scope.within(residence).covers(place):
                return FeedOutcome.REGISTERED  # already registered where she now lives
            if residence is not None:
                data["registered_at"] = residence
            if self._open_resident_lead(index) is not None:
                return FeedOutcome.LEAD_UPDATED
            return FeedOutcome.LEAD
        if self.feed_type == FeedType.MARRIAGE:
            if person is None:
                return FeedOutcome.NOT_REGISTERED
            return self._marriage(person, data["marriage"], event_date)
        if person is None:
            return FeedOutcome.LEAD
        self._birth(person, event_date, data, index)
        return FeedOutcome.BIRTH_REPORTED

    def _marriage(self, person: Person, kind: str, on: dt.date) -> str:
        """R-FEED-2: a marriage or divorce registered by civil affairs updates marital status."""
        before = person.marital_status
        if kind == "divorced":
            after = MaritalStatus.DIVORCED
        elif before in MaritalStatus.married():
            after = before
        elif before == MaritalStatus.UNMARRIED:
            after = MaritalStatus.FIRST_MARRIAGE
        else:
            after = MaritalStatus.REMARRIED
        if not change_marital_status(
            person,
            after,
            acting_user=self.request.acting_user,
            source="feed",
            unit_id=self.unit,
            now=self.now,
            data={"feed_report": self.report.pk, "registered_on": on.isoformat()},
        ):
            return FeedOutcome.MARITAL_SAME
        return FeedOutcome.MARITAL_UPDATED

    def _birth(self, mother: Person, born: dt.date, data: dict, index: str) -> None:
        """R-FEED-2 / R-BIRTH-4: a hospital birth becomes a birth report, notified home."""
        from yipanqi.births.models import BirthReport, ReportSource
        from yipanqi.exchange.models import RequestType
        from yipanqi.exchange.services import send_request

        key = f"feed-birth-{index[:32]}-{born.isoformat()}"
        if BirthReport.objects.filter(idempotency_key=key).exists():
            return
        # Issue 16.11: the village may have reported this birth already; it counts once. A child
        # of the other sex born the same day is her twin, the next child of the delivery.
        reported = list(
            BirthReport.objects.filter(
                mother=mother, birth_date=born, duplicate_of__isnull=True
            ).values_list("child_sex", "birth_order")
        )
        if any(sex == data["child_sex"] for sex, _order in reported):
            return
        report = BirthReport.objects.create(
            mother=mother,
            birth_date=born,
            birth_order=max((order for _sex, order in reported), default=0) + 1,
            child_sex=data["child_sex"],
            source=ReportSource.HOSPITAL,
            unit_id=self.unit,
            reported_by=self.request.acting_user,
            created_at=self.now,
            idempotency_key=key,
        )
        home = mother.home_id[:9]
        if not Scope.within(self.unit).meets(home):
            # The platform sends on the department's behalf: feeders are not caseworkers.
            report.notice = send_request(
                RequestType.BIRTH_REPORT,
                sender_code=self.unit,
                receiver_code=home,
                acting_user=None,
                idempotency_key=f"birth-report-{report.pk}",
                persons=[mother],
                payload={
                    "birth_date": born.isoformat(),
                    "child_sex": data["child_sex"],
                    "source": ReportSource.HOSPITAL,
                },
                subject=_("Birth on %(day)s") % {"day": born.isoformat()},
                now=self.now,
            )
            report.save(update_fields=["notice"])
            self.outcome.notified += 1
        counters.fact_added(report)

    def _death(self, person: Person, died: dt.date) -> str:
        """R-REGN-6: a death closes every open registration of the person, nothing deleted."""
        from yipanqi.people.departures import close_departed

        open_rows = list(
            Registration.objects.active().filter(person=person).select_related("person")
        )
        if not open_rows:
            return FeedOutcome.NOTHING_OPEN
        for registration in sorted(open_rows, key=lambda r: r.kind != RegistrationKind.INFLOW):
            on = max(died, registration.arrival_date)
            if registration.kind == RegistrationKind.INFLOW:
                # The residence record: a departure (deceased) and the notice to the home side.
                close_departed(
                    registration, reason=CloseReason.DECEASED, on=on,
                    sender_code=registration.residence_id, acting_user=self.request.acting_user,
                    now=self.now, platform_sends=True,
                )  # fmt: skip
                self.outcome.notified += 1
                continue
            closed = Registration.objects.filter(pk=registration.pk, status="active").update(
                status="closed", closed_on=on, close_reason=CloseReason.DECEASED
            )
            if not closed:
                continue
            registration.refresh_from_db()
            people_counts.registration_closed(registration)  # R-STAT-1, same transaction
            PersonEvent.objects.create(
                person=person,
                at=self.now,
                type=EventType.CLOSED,
                actor=self.request.acting_user,
                unit_id=self.unit,
                data={
                    "registration": registration.pk,
                    "reason": CloseReason.DECEASED,
                    "on": on.isoformat(),
                    "source": "feed",
                    "feed_report": self.report.pk,
                },
            )
        return FeedOutcome.CLOSED_DECEASED

    def _open_resident_lead(self, index: str) -> Lead | None:
        """The person's open lead as a resident somewhere in this jurisdiction, if any."""
        return (
            Lead.objects.filter(
                within_q("unit_id", self.unit),
                kind__in=RESIDENT_LEADS,
                id_number_index=index,
                status=LeadStatus.OPEN,
            )
            .order_by("-created_at", "-id")
            .first()
        )

    def _move_lead(self, record: FeedRecord, place: str, moved_on: dt.date, data: dict) -> None:
        """A move updates the person's open lead instead of making a second one."""
        lead = self._open_resident_lead(record.id_number_index)
        kind = LeadKind.MOVED if "registered_at" in data else lead.kind
        clash = Lead.objects.filter(
            kind=kind, unit_id=place, id_number_index=record.id_number_index,
            status=LeadStatus.OPEN,
        ).exclude(pk=lead.pk).first()  # fmt: skip
        if clash is not None:
            lead = clash  # already open at the new place: only its date moves
        moved = {**lead.data, "moved_from": lead.unit_id, "moved_on": moved_on.isoformat()}
        moved.update({k: v for k, v in data.items() if k in ("registered_at", "from_place")})
        Lead.objects.filter(pk=lead.pk).update(
            kind=kind, unit_id=place, seen_on=moved_on, source=record, data=moved
        )
        self.outcome.extra["leads_updated"] = self.outcome.extra.get("leads_updated", 0) + 1

    def _lead(self, record: FeedRecord, ident, name, place, event_date, data) -> None:
        if self.feed_type == FeedType.HOSPITAL_BIRTH:
            kind = LeadKind.BIRTH
        elif self.feed_type in TOWNSHIP_LEADS:
            kind = TOWNSHIP_LEADS[self.feed_type]
            place = place[:9]  # the township's lead: it registers where they work or live
        elif self.feed_type == FeedType.MOVE and "registered_at" in data:
            kind = LeadKind.MOVED
        else:
            kind = LeadKind.UNREGISTERED_RESIDENT
        index = record.id_number_index
        if Lead.objects.filter(
            kind=kind, unit_id=place, id_number_index=index, status=LeadStatus.OPEN
        ).exists():
            return
        Lead.objects.create(
            kind=kind,
            unit_id=place,
            name=name,
            id_number_cipher=self.cipher.encrypt(ident.value, associated=b"lead.id"),
            id_number_index=index,
            id_number_masked=record.id_number_masked,
            seen_on=event_date,
            source=record,
            data=data,
            created_at=self.now,
        )
        self.outcome.extra["leads"] = self.outcome.extra.get("leads", 0) + 1

    def finish(self, rows: int) -> None:
        """The report's counts once the file is written; a file without rows is a zero report
        unless the month already has records (R-FEED-1)."""
        report = self.report
        if rows == 0:
            report.zero_report = report.records == 0
        report.records = FeedRecord.objects.filter(report=report).count()
        report.matched = (
            FeedRecord.objects.filter(report=report)
            .exclude(outcome__in=[FeedOutcome.LEAD, FeedOutcome.NOT_REGISTERED])
            .count()
        )
        report.leads = Lead.objects.filter(source__report=report).count()  # moved ones too
        report.save(update_fields=["records", "matched", "leads", "zero_report"])
        self.outcome.extra["feed_report"] = report.pk
        self.outcome.extra["on_time"] = report.on_time
        self.outcome.extra["due_on"] = report.due_on.isoformat()
