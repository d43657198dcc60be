"""Issue 12.22: the demo is a believable year — certificates and verifications (R-CERT-1,
R-CERT-3) with plausible rates (R-STAT-1), complaints in every state (R-GRV-1), a year of every
department's feeds (R-FEED-1), directory entries and supply points on the public pages (R-DIR-1,
R-DIR-2, R-SVC-4), and a feeder login that sees its own department's feeds only."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from yipanqi.demo.users import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(capsys):
    with translation.override("en"):
        call_command("demo", "--persons", "400", "--seed", "5")
    return capsys.readouterr().out


def _figures(code: str) -> dict:
    from yipanqi.stats.periods import parse_period
    from yipanqi.stats.selectors import figures_for, get_place

    period = parse_period(str(timezone.localdate().year))
    return {f.rate.code: f for f in figures_for(get_place(code), period)}


def test_r_stat_1_the_demo_rates_are_plausible_and_the_counters_agree(demo):
    """办证率 and 验证率 between 60% and 99%, some verifications late, and every counter equal
    to a full recount after the demo."""
    from yipanqi.certificates.models import Certificate, Verification
    from yipanqi.ledger import counters

    assert "certificates" in demo and "feed reports" in demo
    nation = _figures("")
    for code in ("certificate_rate", "verification_rate"):
        figure = nation[code]
        assert figure.denominator > 20, code
        assert 60 <= 100 * figure.numerator / figure.denominator <= 99, (code, figure.numerator)
    province = _figures("44")["verification_rate"]  # the residence province's dashboard
    assert 60 <= 100 * province.numerator / province.denominator <= 99
    assert Verification.objects.filter(late=True).exists()
    assert Verification.objects.filter(kind="annual").exists()
    numbers = list(Certificate.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    report = counters.check()
    assert report.ok, report


def test_r_grv_1_r_feed_1_complaints_in_every_state_and_a_year_of_every_feed(demo):
    from yipanqi.feeds.models import FEED_DEPARTMENT, FeedReport, Lead
    from yipanqi.grievances.models import Complaint, ComplaintStatus

    complaints = Complaint.objects.all()
    assert {c.status for c in complaints} == set(ComplaintStatus.values)
    today = timezone.localdate()
    assert any(c.status == "open" and c.due_on < today for c in complaints)  # overdue
    assert any(c.status == "open" and c.due_on >= today for c in complaints)
    assert any(c.answered_late for c in complaints) and any(
        c.status == "answered" and not c.answered_late for c in complaints
    )
    reports = FeedReport.objects.all()
    assert {r.feed_type for r in reports} == set(FEED_DEPARTMENT)
    for feed in FEED_DEPARTMENT:
        assert reports.filter(feed_type=feed).count() == 12, feed
    assert reports.filter(zero_report=True).exists() and reports.filter(on_time=False).exists()
    assert reports.filter(on_time=True).count() > reports.count() * 0.7
    assert reports.filter(zero_report=False, records__gt=0).exists()
    assert Lead.objects.exists()
    # Once per database: a second run adds no second year.
    from yipanqi.demo.year import add_demo_year

    assert add_demo_year(logins={}, seed=5) == {}


def test_r_dir_2_public_pages_and_the_directory_show_the_demo_units(demo, client):
    page = client.get("/public/", {"code": "440305001001"})
    assert page.status_code == 200
    assert page.context["institutions"] and page.context["points"] and page.context["offices"]
    assert "避孕药具发放点" in page.content.decode()
    home = client.get("/public/", {"code": "510722101"})
    assert home.context["points"] and home.context["offices"]


def test_r_feed_1_the_demo_feeder_logs_in_and_sees_only_their_departments_feeds(demo, client):
    from yipanqi.feeds.models import FeedReport

    assert "feeder" in demo
    response = client.post("/login/", {"username": "feeder", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:400]
    page = client.get("/imports/feeds/")
    assert page.status_code == 200
    shown = list(page.context["reports"])
    assert shown and {r.department for r in shown} == {"public_security"}
    assert FeedReport.objects.exclude(department="public_security").exists()
    uploads = client.get("/imports/")
    kinds = [v for v, _l in uploads.context["form"].fields["kind"].choices]
    assert kinds == ["feed-temporary-residence", "feed-death", "feed-move"]


def test_the_demo_year_is_deterministic_for_a_seed(db):
    """Same seed, same day: the same certificates, verifications, complaints and feeds."""
    from yipanqi.accounts.models import User
    from yipanqi.certificates.models import Certificate, Verification
    from yipanqi.demo.certificates import add_demo_certificates
    from yipanqi.demo.generate import generate
    from yipanqi.demo.users import create_demo_users

    today = dt.date(2026, 11, 24)
    generate(200, seed=9, today=today)
    create_demo_users()
    village = User.objects.get(username="village")
    add_demo_certificates(verified_by=village, seed=9, today=today)
    first = (
        list(
            Certificate.objects.order_by("number").values_list("number", "person_id", "issued_on")
        ),
        list(
            Verification.objects.order_by("pk").values_list(
                "registration_id", "verified_on", "late"
            )
        ),
    )
    Verification.objects.all().delete()
    from yipanqi.certificates.models import CertificateEvent

    CertificateEvent.objects.all().delete()
    Certificate.objects.all().delete()
    add_demo_certificates(verified_by=village, seed=9, today=today)
    again = (
        list(
            Certificate.objects.order_by("number").values_list("number", "person_id", "issued_on")
        ),
        list(
            Verification.objects.order_by("pk").values_list(
                "registration_id", "verified_on", "late"
            )
        ),
    )
    assert first == again and first[0]
