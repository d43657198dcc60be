"""R-FEED-1: department feed timeliness and zero reports per department, live, with the reports
behind each number."""

import datetime as dt

import pytest

from conftest import make_user
from yipanqi.feeds.models import FeedReport
from yipanqi.ledger import counters
from yipanqi.stats.periods import parse_period
from yipanqi.stats.selectors import figures_for, get_place

from .conftest import BEIJING

pytestmark = pytest.mark.django_db


@pytest.fixture
def feeds(db):
    from yipanqi.feeds.services import submit_zero_report

    police = make_user("pol", "department_feeder", "440305", department="public_security")
    civil = make_user("civ", "department_feeder", "440305", department="civil_affairs")
    on = dt.datetime(2026, 10, 2, 9, tzinfo=BEIJING)
    # September's report, sent 2 October: due 9 October (3 October is in the holiday, R-WD-3)
    submit_zero_report(
        feed_type="temporary_residence", period="2026-09", acting_user=police, now=on
    )
    # August's, sent 2 October: due 3 September, a month late
    submit_zero_report(
        feed_type="temporary_residence", period="2026-08", acting_user=police, now=on
    )
    submit_zero_report(feed_type="marriage", period="2026-09", acting_user=civil, now=on)
    return police


def test_r_feed_1_timeliness_and_zero_reports_equal_the_reports_received(
    feeds, national_admin, client
):
    figures = {f.rate.code: f for f in figures_for(get_place("440305"), parse_period("2026-Q3"))}

    raw = FeedReport.objects.filter(
        unit__code__startswith="440305", period__gte="2026-07", period__lt="2026-10"
    )
    assert (
        (figures["feed_timeliness"].numerator, figures["feed_timeliness"].denominator)
        == (raw.filter(on_time=True).count(), raw.count())
        == (2, 3)
    )
    assert (figures["zero_reports"].numerator, figures["zero_reports"].denominator) == (3, 3)
    assert figures["feed_timeliness"].target.value == 95.0
    assert counters.check().ok

    client.force_login(national_admin)
    board = client.get("/stats/", {"at": "44", "period": "2026-Q3"}).context["board"]
    police = next(d for d in board.feeds if d["code"] == "public_security")
    assert (police["reports"], police["on_time"], police["late"], police["zero"]) == (2, 1, 1, 2)


def test_r_feed_1_late_reports_open_from_the_department_table(feeds, client):
    # The county's administrator follows its departments' timeliness; a feeder reads no
    # statistics (they see their own reports on the feeds page).
    client.force_login(make_user("nan", "county_admin", "440305"))
    query = {"at": "440305", "period": "2026", "metric": "feed.reports", "minus": "feed.on_time",
             "key": "public_security"}  # fmt: skip

    response = client.get("/stats/drill/", query)

    rows = list(response.context["page"].object_list)
    assert [r.period for r in rows] == ["2026-08"]
