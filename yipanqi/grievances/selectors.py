"""Reads for the complaint lists, the API and assessment counts; scope comes from visible_to."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from yipanqi.grievances.models import Category, Complaint, ComplaintQuerySet, ComplaintStatus
from yipanqi.workdays.services import working_days_left

VIEWS = ("open", "overdue", "answered", "all")


@dataclass(frozen=True)
class Filters:
    view: str = "open"
    category: str = ""


def list_complaints(user, filters: Filters = Filters()) -> ComplaintQuerySet:  # noqa: B008
    """Complaints the user's units answer for or filed, by due date."""
    qs = Complaint.objects.visible_to(user)
    today = timezone.localdate()
    if filters.view == "open":
        qs = qs.open()
    elif filters.view == "overdue":
        qs = qs.overdue(on=today)
    elif filters.view == "answered":
        qs = qs.filter(status=ComplaintStatus.ANSWERED)
    if filters.category:
        qs = qs.filter(category=filters.category)
    return qs.select_related("assigned_to", "place").order_by("status", "due_on", "pk")


def days_left(complaint: Complaint, today: dt.date | None = None) -> int | None:
    """Working days left to answer (negative: working days overdue); None once answered."""
    if complaint.status != ComplaintStatus.OPEN:
        return None
    return working_days_left(complaint.due_on, today or timezone.localdate()).days


def complaint_counts(code: str, since: dt.date, until: dt.date) -> dict:
    """R-GRV-1, counted in assessment: complaints assigned within code received in [since,
    until], by category, with answered in time / late / still open and overdue."""
    today = timezone.localdate()
    qs = Complaint.objects.assigned_within(code).filter(
        received_at__date__gte=since, received_at__date__lte=until
    )
    totals = qs.aggregate(
        total=Count("pk"),
        answered_in_time=Count("pk", filter=Q(status="answered", answered_late=False)),
        answered_late=Count("pk", filter=Q(status="answered", answered_late=True)),
        open_overdue=Count("pk", filter=Q(status="open", due_on__lt=today)),
        rights_violations=Count("pk", filter=Q(category__in=Category.rights_violations())),
    )
    by_category = dict(qs.values_list("category").annotate(n=Count("pk")).order_by())
    return {**totals, "by_category": by_category}
