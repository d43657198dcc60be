"""The department feeds' counted fact (R-FEED-1 timeliness and zero reports), defined once
(see ledger/families.py) and registered with the ledger by FeedsConfig.ready()."""

from django.db.models import Q

from yipanqi.ledger.counters import as_before, fact_changed
from yipanqi.ledger.families import Count, Family

FEED_REPORTS = Family(
    name="feed_reports",
    model_label="feeds.FeedReport",
    base=Q(),
    base_test=lambda f: True,
    # R-FEED-1: the receiving jurisdiction, the month reported on, split by department.
    division="unit_id",
    month_field="period",
    month_is_text=True,
    key_field="department",
    counts=(
        Count("feed.reports", Q(), lambda f: True),
        Count("feed.on_time", Q(on_time=True), lambda f: bool(f.on_time)),
        Count("feed.zero", Q(zero_report=True), lambda f: bool(f.zero_report)),
    ),
    subject="feed",
)

FAMILIES = (FEED_REPORTS,)


def feed_report_no_longer_zero(report) -> int:
    """R-FEED-1: a month first reported as zero (零通报) received records after all."""
    return fact_changed(as_before(report, zero_report=True), report)
