"""Department feeds: monthly reports due by the 3rd, zero reports, timeliness, and matching."""

import datetime as dt
import zoneinfo

import pytest

from conftest import NANSHAN_VILLAGE, SANTAI_TOWNSHIP, at, id_for, make_user
from yipanqi.audit.models import AuditEvent
from yipanqi.core.errors import Rejected
from yipanqi.feeds import services as feeds
from yipanqi.feeds.models import FeedOutcome, FeedReport, Lead, LeadStatus
from yipanqi.imports.models import ImportStatus
from yipanqi.imports.tests.conftest import TODAY, write_csv
from yipanqi.people.models import EventType, Person
from yipanqi.workdays.services import deadline_for_day_of_month

pytestmark = pytest.mark.django_db
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
NANSHAN = "440305"


@pytest.fixture
def police(db):
    """The public security bureau of 南山区 sends temporary residence permits."""
    return make_user("gong", "department_feeder", NANSHAN, department="public_security")


FEEDERS = {
    "feed-marriage": ("minzheng", "civil_affairs"),
    "feed-hospital-birth": ("weijian", "health"),
    "feed-employment": ("renshe", "human_resources"),
    "feed-rental": ("zhujian", "housing"),
    "feed-business": ("shijian", "market_regulation"),
}


@pytest.fixture
def run_feed(police):
    """Each feed sent by a feeder of its own department in 南山区 (R-FEED-1)."""
    from yipanqi.accounts.models import User
    from yipanqi.imports.services import import_path

    def _run(path, kind, period="2026-03", **options):
        user = police
        if kind in FEEDERS:
            username, department = FEEDERS[kind]
            user = User.objects.filter(username=username).first() or make_user(
                username, "department_feeder", NANSHAN, department=department
            )
        return import_path(
            path, kind=kind, unit=NANSHAN, acting_user=user, period=period, today=TODAY,
            **options,
        )  # fmt: skip

    return _run


def test_r_feed_1_r_wd_3_due_by_the_3rd_moved_past_rest_days():
    # October 2026: the 3rd falls in the National Day holiday, so the due date moves on.
    due = feeds.due_for(dt.date(2026, 9, 1))
    assert due.date == deadline_for_day_of_month(2026, 10, 3).date
    assert due.date > dt.date(2026, 10, 3)
    assert feeds.due_for(dt.date(2026, 12, 1)).date >= dt.date(2027, 1, 3)


def test_r_feed_1_zero_report_on_time_and_late(police):
    on_time = feeds.submit_zero_report(
        feed_type="temporary_residence", period="2026-03", acting_user=police,
        now=dt.datetime(2026, 4, 2, 9, 0, tzinfo=BEIJING),
    )  # fmt: skip
    late = feeds.submit_zero_report(
        feed_type="death", period="2026年3月", acting_user=police,
        now=dt.datetime(2026, 4, 20, 9, 0, tzinfo=BEIJING),
    )  # fmt: skip

    assert (on_time.zero_report, on_time.on_time, on_time.department) == (
        True, True, "public_security",
    )  # fmt: skip
    assert (late.zero_report, late.on_time, late.period) == (True, False, "2026-03")
    # Sending it again is the same report; its arrival time (and timeliness) stays.
    again = feeds.submit_zero_report(
        feed_type="death", period="2026-03", acting_user=police,
        now=dt.datetime(2026, 5, 20, 9, 0, tzinfo=BEIJING),
    )  # fmt: skip
    assert again.pk == late.pk and again.received_at == late.received_at


def test_only_department_feeders_send_reports(village_worker):
    with pytest.raises(Rejected):
        feeds.submit_zero_report(feed_type="marriage", period="2026-03", acting_user=village_worker)


def test_r_feed_2_temporary_residents_without_inflow_registration_become_leads(
    tmp_path, run_feed, register_inflow, village_worker
):
    registered = register_inflow().person
    stranger = id_for(seq=40)
    rows = [
        [registered.reveal_id_number(), "王芳", NANSHAN_VILLAGE, "2026-03-10"],
        [stranger, "李娜", "广东省深圳市南山区南头街道南头城社区", "2026.3.12"],
    ]
    header = ["公民身份号码", "姓名", "暂住地址", "登记日期"]
    path = write_csv(tmp_path / "zz.csv", rows, header=header, title=False)

    job = run_feed(path, "feed-temporary-residence")

    assert job.status == ImportStatus.DONE, (job.error, job.report_path)
    report = FeedReport.objects.get()
    assert (report.records, report.matched, report.leads) == (2, 1, 1)
    assert report.period == "2026-03" and report.due_on == feeds.due_for(dt.date(2026, 3, 1)).date
    lead = Lead.objects.get()
    assert (lead.name, lead.unit_id, lead.status) == ("李娜", NANSHAN_VILLAGE, LeadStatus.OPEN)
    assert lead.id_number_masked == stranger[:4] + "*" * 10 + stranger[14:]
    # The village sees its leads; another county does not.
    assert list(Lead.objects.visible_to(village_worker)) == [lead]
    other = make_user("zhao", "county_admin", "320102")
    assert not Lead.objects.visible_to(other).exists()

    again = run_feed(path, "feed-temporary-residence")
    assert again.unchanged == 2 and Lead.objects.count() == 1


def test_r_feed_2_a_marriage_updates_the_marital_status(
    tmp_path, police, run_feed, register_inflow
):
    person = register_inflow(marital_status="unmarried").person
    rows = [[person.reveal_id_number(), "王芳", "结婚", "2026-03-15"]]
    path = write_csv(
        tmp_path / "hy.csv", rows, header=["身份证号", "姓名", "登记类型", "登记日期"], title=False
    )
    job = run_feed(path, "feed-marriage")

    assert job.status == ImportStatus.DONE, job.error
    person.refresh_from_db()
    assert person.marital_status == "first_marriage"
    event = person.events.get(type=EventType.DETAILS_CHANGED)
    assert event.data["marital_status"] == {"from": "unmarried", "to": "first_marriage"}
    assert FeedReport.objects.get().department == "civil_affairs"
    # R-STAT-1: now married, her stay counts for service coverage, in this transaction.
    from yipanqi.ledger import counters

    report = counters.check()
    assert report.ok, report


def test_r_feed_2_r_birth_4_a_hospital_birth_becomes_a_birth_report_notified_home(
    tmp_path, run_feed, register_inflow
):
    from yipanqi.births.models import BirthReport
    from yipanqi.exchange.models import Request

    mother = register_inflow().person
    unknown = id_for(seq=41)
    rows = [
        [mother.reveal_id_number(), "王芳", "2026-03-20", "男", "南山医院"],
        [unknown, "陈静", "2026-03-21", "女", "南山医院"],
    ]
    header = ["母亲身份证号", "母亲姓名", "出生日期", "婴儿性别", "医院"]
    path = write_csv(tmp_path / "cs.csv", rows, header=header, title=False)

    job = run_feed(path, "feed-hospital-birth")

    assert job.status == ImportStatus.DONE, (job.error, job.report_path)
    report = BirthReport.objects.get()
    assert (report.mother_id, report.child_sex, report.source) == (mother.pk, "M", "hospital")
    notice = Request.objects.get(type="birth_report")
    assert notice.receiver_id == SANTAI_TOWNSHIP[:9]
    assert report.notice_id == notice.pk
    lead = Lead.objects.get()
    assert (lead.kind, lead.name) == ("birth", "陈静")
    outcomes = set(job.kind and FeedReport.objects.get().items.values_list("outcome", flat=True))
    assert outcomes == {FeedOutcome.BIRTH_REPORTED, FeedOutcome.LEAD}


def test_feed_rows_are_checked_and_all_or_nothing(tmp_path, run_feed):
    rows = [
        [id_for(seq=42), "李娜", NANSHAN_VILLAGE, "2026-03-10"],
        [id_for(seq=43)[:-1] + "0", "陈静", NANSHAN_VILLAGE, "2026-03-11"],  # bad check digit
        [id_for(seq=44), "周敏", "510722101002", "2026-03-11"],  # not in this county
    ]
    path = write_csv(
        tmp_path / "zz.csv", rows, header=["身份证号", "姓名", "居住地", "登记日期"], title=False
    )

    job = run_feed(path, "feed-temporary-residence")

    assert (job.status, job.rejected) == (ImportStatus.REJECTED, 2)
    assert not Lead.objects.exists() and not FeedReport.objects.exists()


def test_a_feed_for_a_month_to_come_is_refused(tmp_path, run_feed):
    path = write_csv(
        tmp_path / "zz.csv", [], header=["身份证号", "姓名", "居住地", "登记日期"], title=False
    )
    with pytest.raises(Rejected):
        run_feed(path, "feed-temporary-residence", period="2026-06")


def test_an_empty_feed_file_is_a_zero_report(tmp_path, run_feed):
    path = write_csv(
        tmp_path / "zz.csv", [], header=["身份证号", "姓名", "居住地", "登记日期"], title=False
    )

    job = run_feed(path, "feed-temporary-residence")

    assert job.status == ImportStatus.DONE
    assert FeedReport.objects.get().zero_report is True


def test_leads_are_closed_by_the_village(tmp_path, run_feed, village_worker, client):
    from yipanqi.feeds.leads import close_lead

    rows = [[id_for(seq=45), "李娜", NANSHAN_VILLAGE, "2026-03-10"]]
    run_feed(
        write_csv(tmp_path / "zz.csv", rows, header=["身份证号", "姓名", "居住地", "登记日期"],
                  title=False),
        "feed-temporary-residence",
    )  # fmt: skip
    lead = Lead.objects.get()
    client.force_login(village_worker)
    assert "李娜" in client.get("/imports/leads/").content.decode()

    close_lead(lead.pk, outcome="registered", acting_user=village_worker)

    lead.refresh_from_db()
    assert lead.status == LeadStatus.REGISTERED and lead.closed_by == village_worker
    assert Person.objects.count() == 0  # the lead itself registers nobody


def test_16_11_a_hospital_birth_the_village_already_reported_counts_once(
    tmp_path, run_feed, register_inflow, village_worker
):
    """Issue 16.11 / R-STAT-5: given a birth the village reported, when the hospital feed brings
    the same birth (same mother, date and sex), then no second report is made; a child of the
    other sex the same day is her twin, the second child of the delivery."""
    from yipanqi.births import services
    from yipanqi.births.models import BirthReport

    mother = register_inflow().person
    services.report_birth(
        services.BirthReportInput(
            mother_id=mother.pk, birth_date=dt.date(2026, 3, 20), child_sex="M",
            idempotency_key="village-1",
        ),
        acting_user=village_worker,
    )  # fmt: skip
    header = ["母亲身份证号", "母亲姓名", "出生日期", "婴儿性别", "医院"]
    same = [[mother.reveal_id_number(), "王芳", "2026-03-20", "男", "南山医院"]]
    job = run_feed(
        write_csv(tmp_path / "a.csv", same, header=header, title=False), "feed-hospital-birth"
    )
    assert job.status == ImportStatus.DONE, job.error
    assert BirthReport.objects.count() == 1
    twin = [[mother.reveal_id_number(), "王芳", "2026-03-20", "女", "南山医院"]]
    job = run_feed(
        write_csv(tmp_path / "b.csv", twin, header=header, title=False),
        "feed-hospital-birth",
        period="2026-04",
    )
    assert job.status == ImportStatus.DONE, job.error
    assert sorted(BirthReport.objects.values_list("child_sex", "birth_order")) == [
        ("F", 2),
        ("M", 1),
    ]


# A change of marital status has one writer: a civil-affairs feed (R-FEED-2) and a certificate
# verification (R-CERT-3) both go through people.services.change_marital_status, so both leave
# the same event and the same audit row.


def _change_of(person) -> tuple[dict, dict, tuple[str, str]]:
    """Her change's event data and audit detail (without the source), and the two sources."""
    event = person.events.get(type=EventType.DETAILS_CHANGED)
    audit = AuditEvent.objects.get(
        action="person_update", person_id=person.pk, detail__event="marital_status_changed"
    )
    data = {k: v for k, v in event.data.items() if k in ("fields", "marital_status")}
    detail = {k: v for k, v in audit.detail.items() if k != "source"}
    return data, detail, (event.data["source"], audit.detail["source"])


def test_r_feed_2_r_cert_3_feed_and_verification_write_the_same_change(
    tmp_path, run_feed, register_inflow, township_operator, village_worker
):
    from yipanqi.certificates.services import issue_certificate, verify_certificate

    by_feed = register_inflow(marital_status="unmarried").person
    by_verification = register_inflow(
        id_number=id_for(seq=31), name="李娟", marital_status="unmarried"
    ).person
    rows = [[by_feed.reveal_id_number(), "王芳", "结婚", "2026-03-15"]]
    path = write_csv(
        tmp_path / "hy.csv", rows, header=["身份证号", "姓名", "登记类型", "登记日期"], title=False
    )
    job = run_feed(path, "feed-marriage")
    assert job.status == ImportStatus.DONE, job.error
    certificate = issue_certificate(
        by_verification.pk, acting_user=township_operator, now=at(dt.date(2026, 2, 20))
    )
    verify_certificate(
        certificate.pk, verified_on=dt.date(2026, 3, 20), marital_status="first_marriage",
        acting_user=village_worker, now=at(dt.date(2026, 3, 20)),
    )  # fmt: skip

    feed_event, feed_audit, feed_source = _change_of(by_feed)
    event, audit, source = _change_of(by_verification)
    assert (
        feed_event
        == event
        == {
            "fields": ["marital_status"],
            "marital_status": {"from": "unmarried", "to": "first_marriage"},
        }
    )
    assert feed_audit == audit
    assert feed_source == ("feed", "feed") and source == ("certificate_verification",) * 2
