"""A department's feed file read for feeds (R-FEED-1, R-FEED-2): the file opened and its rows
checked here, as every import's are; what each record does is feeds.services' (FeedRun).

A feed's rows are read before its transaction (issue 16.2): a department's month is small.
"""

import datetime as dt
import time
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from yipanqi.core.errors import Rejected
from yipanqi.feeds.models import FeedType, feeds_of
from yipanqi.feeds.services import (
    FeedRun,
    feed_refusal,
    month_reported,
    report_for_month,
)
from yipanqi.imports.checks import parse_id
from yipanqi.imports.columns import fields_for
from yipanqi.imports.models import FEED_OF_KIND, KIND_OF_FEED
from yipanqi.imports.pipeline import (
    ImportRequest,
    Outcome,
    count_rows,
    detect_layout,
)
from yipanqi.imports.reading import iter_records, open_table
from yipanqi.imports.values import CellError, DivisionResolver, clean_text, parse_date, parse_sex

BATCH = 2_000

MARRIAGE_TYPES = {
    "结婚": "married", "结婚登记": "married", "登记结婚": "married", "初婚": "married",
    "再婚": "married", "复婚": "married", "marriage": "married", "married": "married",
    "离婚": "divorced", "离婚登记": "divorced", "协议离婚": "divorced", "divorce": "divorced",
    "divorced": "divorced",
}  # fmt: skip
# Feeds whose rows each name a place in the sending jurisdiction.
PLACE_REQUIRED = {
    FeedType.TEMPORARY_RESIDENCE: _lazy("The place of residence is missing."),
    FeedType.MOVE: _lazy("The new place of residence is missing."),
    FeedType.EMPLOYMENT: _lazy("The place of work is missing."),
    FeedType.RENTAL: _lazy("The address of the rented home is missing."),
    FeedType.BUSINESS: _lazy("The place of business is missing."),
}


def columns_for(department: str) -> list[tuple[str, list, list]]:
    """The feeds a department sends with their required and optional columns (the upload page)."""
    return [
        (
            FeedType(feed).label,
            [f.label for f in fields_for(KIND_OF_FEED[feed]) if f.required],
            [f.label for f in fields_for(KIND_OF_FEED[feed]) if not f.required],
        )
        for feed in feeds_of(department)
    ]


def feed_month(period: str, today) -> dt.date:
    """R-FEED-1: the month a feed file reports on, one that has begun; Rejected otherwise."""
    return month_reported(period, today)


class FeedRowChecker:
    """A feed row's cells -> a record for FeedRun, or the row's errors (a list)."""

    def __init__(self, request: ImportRequest, feed_type: str, today):
        self.feed_type = feed_type
        self.today = today
        self.unit = request.unit
        self.resolver = request.resolver or DivisionResolver(request.unit)
        self.births: dict = {}

    def check(self, number: int, cells: dict):
        errors: list[str] = []
        ident = None
        try:
            if cells.get("id_number") in (None, ""):
                raise CellError(_("The ID number is missing."))
            ident = parse_id(cells["id_number"], self.today, self.births)
        except CellError as exc:
            errors.append(str(exc))
        name = clean_text(cells.get("name"))
        if not name or len(name) > 50:
            errors.append(_("Please enter the person's name."))
        place = None
        if cells.get("place") not in (None, ""):
            try:
                place = self.resolver.resolve(cells["place"])
                if not place.startswith(self.unit):
                    errors.append(_("The place is outside the jurisdiction sending this feed."))
            except CellError as exc:
                errors.append(str(exc))
        elif self.feed_type in PLACE_REQUIRED:
            errors.append(str(PLACE_REQUIRED[self.feed_type]))
        event_date = None
        try:
            event_date = parse_date(cells.get("event_date"))
            if event_date is None:
                errors.append(_("The date is missing."))
            elif event_date > self.today:
                errors.append(_("The date cannot be in the future."))
        except CellError as exc:
            errors.append(str(exc))
        data: dict = {}
        if self.feed_type == FeedType.MARRIAGE:
            kind = MARRIAGE_TYPES.get(clean_text(cells.get("marriage_type")).lower())
            if kind is None:
                errors.append(_("The registration type must be marriage or divorce."))
            data["marriage"] = kind
        if self.feed_type == FeedType.HOSPITAL_BIRTH:
            try:
                sex = parse_sex(cells.get("child_sex"))
                if not sex:
                    errors.append(_("The sex of the child is missing."))
                data["child_sex"] = sex
            except CellError as exc:
                errors.append(str(exc))
            if ident is not None and ident.sex != "F":
                errors.append(_("The mother's ID number is a man's."))
            hospital = clean_text(cells.get("hospital"))
            if hospital:
                data["hospital"] = hospital[:100]
        for field in ("employer", "business_name", "from_place"):
            text = clean_text(cells.get(field))
            if text:
                data[field] = text[:100]
        if cells.get("lease_until") not in (None, ""):
            try:
                until = parse_date(cells["lease_until"])
                if until is not None and event_date is not None and until < event_date:
                    errors.append(_("The end of the lease is before the date it was registered."))
                elif until is not None:
                    data["lease_until"] = until.isoformat()
            except CellError as exc:
                errors.append(str(exc))
        if errors:
            return errors
        return (number, ident, name, place or self.unit, event_date, data)


class _Rollback(Exception):
    pass


def import_feed(request: ImportRequest, *, period: str) -> Outcome:
    """Import one department feed file for a month (R-FEED-1, R-FEED-2); all or nothing unless
    valid_rows_only, as for registrations."""
    started = time.perf_counter()
    feed_type = FEED_OF_KIND[request.kind]
    if request.acting_user is not None:
        refusal = feed_refusal(request.acting_user, feed_type)
        if refusal:
            raise Rejected.because(refusal, "file")
    today = request.today or timezone.localdate()
    month = feed_month(period, today)
    table = open_table(Path(request.path), sheet=request.sheet)
    layout = detect_layout(
        table, request.kind, header_row=request.header_row, mapping=request.mapping
    )
    total = max(count_rows(table) - layout.header_row - 1, 0)
    # Read before the transaction (issue 16.2): the file's rows are parsed while no write lock
    # is held (SQLite takes the database's at BEGIN); a department's month is small.
    records = list(iter_records(table, layout))
    outcome = Outcome()
    checker = FeedRowChecker(request, feed_type, today)
    try:
        with transaction.atomic():
            report = report_for_month(
                feed_type, request.unit, month, now=request.now or timezone.now(),
                user=request.acting_user,
                job_id=request.job_id, zero=False,
            )  # fmt: skip
            run = FeedRun(request, feed_type, report, outcome)
            batch = []
            for number, cells in records:
                if cells is None:
                    outcome.skipped += 1
                    continue
                outcome.rows += 1
                checked = checker.check(number, cells)
                if isinstance(checked, list):
                    outcome.rejected += 1
                    outcome.errors[number] = checked
                    continue
                batch.append(checked)
                if len(batch) >= BATCH:
                    run.write(batch)
                    batch = []
                    if request.progress:
                        request.progress(outcome.rows, total)
            run.write(batch)
            if request.progress:
                request.progress(outcome.rows, max(total, outcome.rows))
            run.finish(outcome.rows)
            if request.dry_run or (outcome.rejected and not request.valid_rows_only):
                raise _Rollback
            if request.progress:  # the last word: a job given up for dead is not committed
                request.progress(outcome.rows, max(total, outcome.rows))
            outcome.committed = True
    except _Rollback:
        outcome.committed = False
    outcome.seconds = time.perf_counter() - started
    return outcome
