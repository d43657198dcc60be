"""R-FEED-1, R-FEED-2: public security's deaths and moves, and the human resources, housing and
market-regulation notices; a feeder sends only their own department's feeds (web and API)."""

import datetime as dt

import pytest

from conftest import NANSHAN_TOWNSHIP, NANSHAN_VILLAGE, id_for, make_user
from yipanqi.core.errors import Rejected
from yipanqi.feeds import services as feeds
from yipanqi.feeds.models import FeedOutcome, FeedReport, Lead, LeadKind
from yipanqi.imports.models import ImportStatus
from yipanqi.imports.tests.conftest import TODAY, write_csv
from yipanqi.people.models import EventType, Registration

pytestmark = pytest.mark.django_db
NANSHAN = "440305"
NANSHAN_STREET = "440305002"  # 南山街道, another township of 南山区


def _feeder(username: str, department: str):
    return make_user(username, "department_feeder", NANSHAN, department=department)


@pytest.fixture
def police(db):
    return _feeder("gong", "public_security")


def _run(path, kind, user, period="2026-03"):
    from yipanqi.imports.services import import_path

    return import_path(path, kind=kind, unit=NANSHAN, acting_user=user, period=period, today=TODAY)


def _csv(tmp_path, header, rows, name="feed.csv"):
    return write_csv(tmp_path / name, rows, header=header, title=False)


def test_r_feed_2_r_regn_6_a_death_closes_her_registrations_with_the_deceased_events(
    tmp_path, police, register_inflow
):
    """Given a registered woman, when public security reports her death, then her residence
    record closes as deceased with a departure event and a notice to her home township, and
    the statistics still agree with a recount."""
    from yipanqi.exchange.models import Request
    from yipanqi.ledger import counters

    registration = register_inflow()
    person = registration.person
    stranger = id_for(seq=60)
    header = ["公民身份号码", "姓名", "死亡日期", "死亡地点"]
    rows = [
        [person.reveal_id_number(), "王芳", "2026-03-18", NANSHAN_VILLAGE],
        [stranger, "李娜", "2026-03-19", ""],
    ]

    job = _run(_csv(tmp_path, header, rows), "feed-death", police)

    assert job.status == ImportStatus.DONE, (job.error, job.report_path)
    registration.refresh_from_db()
    assert (registration.status, registration.close_reason, registration.closed_on) == (
        "closed", "deceased", dt.date(2026, 3, 18),
    )  # fmt: skip
    event = person.events.get(type=EventType.DEPARTED)
    assert event.data["reason"] == "deceased"
    notice = Request.objects.get(type="departure_notice")
    assert notice.receiver_id == registration.home_id and notice.sent_by is None
    report = FeedReport.objects.get()
    assert (report.department, report.records, report.matched, report.leads) == (
        "public_security", 2, 1, 0,
    )  # fmt: skip
    outcomes = dict(report.items.values_list("row_number", "outcome"))
    assert sorted(outcomes.values()) == [FeedOutcome.CLOSED_DECEASED, FeedOutcome.NOT_REGISTERED]
    assert counters.check().ok
    # Sent again: nothing changes, nobody is notified twice.
    again = _run(_csv(tmp_path, header, rows, "again.csv"), "feed-death", police)
    assert again.unchanged == 2 and Request.objects.filter(type="departure_notice").count() == 1


def test_r_regn_6_a_death_closes_the_home_sides_outflow_record_too(tmp_path, police, db):
    """An outflow record (the home side's) closes with a closed event, reason deceased."""
    from conftest import SANTAI_VILLAGE
    from yipanqi.people.services import RegistrationInput, register

    home_village = make_user("cun", "village_worker", SANTAI_VILLAGE)
    outflow = register(
        RegistrationInput(
            id_number=id_for(seq=61), name="陈静", home_code=SANTAI_VILLAGE,
            residence_code=NANSHAN_VILLAGE, arrival_date=dt.date(2026, 2, 1), reason="work",
            marital_status="unmarried", phone="",
        ),
        kind="outflow",
        acting_user=home_village,
    )  # fmt: skip
    rows = [[outflow.person.reveal_id_number(), "陈静", "2026-03-02"]]

    job = _run(_csv(tmp_path, ["身份证号", "姓名", "死亡日期"], rows), "feed-death", police)

    assert job.status == ImportStatus.DONE, job.error
    outflow.refresh_from_db()
    assert (outflow.status, outflow.close_reason) == ("closed", "deceased")
    closed = outflow.person.events.get(type=EventType.CLOSED)
    assert closed.data["reason"] == "deceased" and closed.data["registration"] == outflow.pk


def test_r_feed_2_a_move_makes_a_lead_for_the_new_place_or_moves_the_open_one(
    tmp_path, police, register_inflow
):
    """A registered person who moved within the county is a lead for the new place to update
    her registration; someone unregistered with an open lead keeps one lead, moved along."""
    registered = register_inflow().person
    stranger = id_for(seq=62)
    # The stranger first appears on a temporary residence permit in 南头城社区: a lead there.
    _run(
        _csv(tmp_path, ["身份证号", "姓名", "暂住地址", "登记日期"],
             [[stranger, "李娜", NANSHAN_VILLAGE, "2026-03-01"]], "zz.csv"),
        "feed-temporary-residence", police,
    )  # fmt: skip
    first = Lead.objects.get()
    header = ["身份证号", "姓名", "迁入地", "迁移日期", "迁出地"]
    rows = [
        [registered.reveal_id_number(), "王芳", NANSHAN_STREET, "2026-03-20", "南头城社区"],
        [stranger, "李娜", NANSHAN_STREET, "2026-03-21", ""],
        [id_for(seq=63), "周敏", NANSHAN_VILLAGE, "2026-03-22", ""],
    ]

    job = _run(_csv(tmp_path, header, rows), "feed-move", police)

    assert job.status == ImportStatus.DONE, (job.error, job.report_path)
    moved = Lead.objects.get(kind=LeadKind.MOVED)
    assert (moved.unit_id, moved.data["registered_at"]) == (NANSHAN_STREET, NANSHAN_VILLAGE)
    first.refresh_from_db()
    assert (first.unit_id, first.seen_on, first.data["moved_from"]) == (
        NANSHAN_STREET, dt.date(2026, 3, 21), NANSHAN_VILLAGE,
    )  # fmt: skip
    assert Lead.objects.filter(id_number_index=first.id_number_index).count() == 1
    assert Lead.objects.filter(kind=LeadKind.UNREGISTERED_RESIDENT).count() == 2
    outcomes = sorted(
        FeedReport.objects.get(feed_type="move").items.values_list("outcome", flat=True)
    )
    assert outcomes == sorted([FeedOutcome.LEAD, FeedOutcome.LEAD_UPDATED, FeedOutcome.LEAD])
    # She registered where she now lives: the same move again says so, no lead.
    Registration.objects.filter(person=registered).update(residence_id=NANSHAN_STREET)
    again = _run(
        _csv(tmp_path, header, [[registered.reveal_id_number(), "王芳", NANSHAN_STREET,
                                 "2026-04-02", ""]], "m2.csv"),
        "feed-move", police, period="2026-04",
    )  # fmt: skip
    assert again.status == ImportStatus.DONE
    assert FeedReport.objects.get(period="2026-04").items.get().outcome == FeedOutcome.REGISTERED


def test_a_move_names_the_new_place(tmp_path, police):
    rows = [[id_for(seq=64), "周敏", "", "2026-03-22"]]
    job = _run(
        _csv(tmp_path, ["身份证号", "姓名", "迁入地", "迁移日期"], rows), "feed-move", police
    )
    assert job.status == ImportStatus.REJECTED and not FeedReport.objects.exists()


@pytest.mark.parametrize(
    ("kind", "department", "header", "extra", "lead_kind", "fact"),
    [
        ("feed-employment", "human_resources",
         ["身份证号", "姓名", "工作地点", "参保日期", "用人单位"], "南山科技有限公司",
         LeadKind.EMPLOYED, ("employer", "南山科技有限公司")),
        ("feed-rental", "housing",
         ["身份证号", "姓名", "房屋地址", "备案日期", "租赁截止日期"], "2027-03-01",
         LeadKind.RENTING, ("lease_until", "2027-03-01")),
        ("feed-business", "market_regulation",
         ["身份证号", "姓名", "经营场所", "登记日期", "字号名称"], "李记小吃店",
         LeadKind.TRADING, ("business_name", "李记小吃店")),
    ],
)  # fmt: skip
def test_r_feed_2_r_regn_3_notices_give_the_township_a_lead_for_the_unregistered(
    tmp_path, register_inflow, kind, department, header, extra, lead_kind, fact
):
    """Working, renting or trading here with no inflow registration is the township's lead;
    a registered person is matched; the department is the feed's own."""
    feeder = _feeder("dept", department)
    registered = register_inflow().person
    rows = [
        [registered.reveal_id_number(), "王芳", NANSHAN_VILLAGE, "2026-03-10", extra],
        [id_for(seq=65), "李娜", NANSHAN_VILLAGE, "2026-03-11", extra],
    ]

    job = _run(_csv(tmp_path, header, rows), kind, feeder)

    assert job.status == ImportStatus.DONE, (job.error, job.report_path)
    report = FeedReport.objects.get()
    assert (report.department, report.records, report.matched, report.leads) == (
        department, 2, 1, 1,
    )  # fmt: skip
    lead = Lead.objects.get()
    assert (lead.kind, lead.unit_id, lead.name) == (lead_kind, NANSHAN_TOWNSHIP, "李娜")
    assert lead.source.data[fact[0]] == fact[1]


def test_a_lease_cannot_end_before_it_was_registered(tmp_path):
    feeder = _feeder("zhujian", "housing")
    rows = [[id_for(seq=66), "李娜", NANSHAN_VILLAGE, "2026-03-10", "2026-01-01"]]
    header = ["身份证号", "姓名", "房屋地址", "备案日期", "租赁截止日期"]
    job = _run(_csv(tmp_path, header, rows), "feed-rental", feeder)
    assert job.status == ImportStatus.REJECTED and not Lead.objects.exists()


def test_r_feed_1_a_feeder_sends_only_their_departments_feeds(tmp_path, police):
    """Refused in words by the services: another department's file and zero report."""
    rows = [[id_for(seq=67), "李娜", NANSHAN_VILLAGE, "2026-03-10", "某公司"]]
    path = _csv(tmp_path, ["身份证号", "姓名", "工作地点", "参保日期", "用人单位"], rows)
    with pytest.raises(Rejected, match="(?i)人力资源和社会保障|human resources"):
        _run(path, "feed-employment", police)
    with pytest.raises(Rejected) as refused:
        feeds.submit_zero_report(feed_type="marriage", period="2026-03", acting_user=police)
    assert "public security" in " ".join(refused.value.messages()).lower() or "公安" in " ".join(
        refused.value.messages()
    )
    nobody = make_user("nodept", "department_feeder", NANSHAN)
    with pytest.raises(Rejected, match="(?i)department|部门"):
        feeds.submit_zero_report(feed_type="death", period="2026-03", acting_user=nobody)
    assert not FeedReport.objects.exists()


def test_r_feed_1_web_and_api_offer_and_accept_only_the_own_departments_feeds(
    police, client, tmp_path
):
    from yipanqi.accounts.models import ApiToken

    civil = _feeder("minzheng", "civil_affairs")
    feeds.submit_zero_report(feed_type="marriage", period="2026-02", acting_user=civil)
    client.force_login(police)
    page = client.get("/imports/")
    kinds = [value for value, _label in page.context["form"].fields["kind"].choices]
    assert kinds == ["feed-temporary-residence", "feed-death", "feed-move"]
    # Their feeds' columns are listed; other departments' are not.
    assert "死亡日期" in page.content.decode() and "用人单位" not in page.content.decode()
    listing = client.get("/imports/feeds/")
    choices = [v for v, _l in listing.context["form"].fields["feed_type"].choices]
    assert choices == ["temporary_residence", "death", "move"]
    assert not listing.context["reports"]  # civil affairs' report is not theirs to see
    refused = client.post("/imports/feeds/", {"feed_type": "marriage", "period": "2026-03"})
    assert refused.status_code == 200 and not FeedReport.objects.filter(period="2026-03").exists()
    sent = client.post("/imports/feeds/", {"feed_type": "death", "period": "2026-03"})
    assert sent.status_code == 302
    _token, key = ApiToken.issue(police)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    api = client.post(
        "/api/v1/imports/feeds/zero", {"feed_type": "marriage", "period": "2026-03"},
        content_type="application/json", **auth,
    )  # fmt: skip
    assert api.status_code == 422
    assert "民政" in api.json()["detail"] or "civil affairs" in api.json()["detail"].lower()
    # Another department's import jobs are not in their list either.
    from yipanqi.imports.models import ImportJob

    job = ImportJob.objects.create(kind="feed-marriage", unit_id=NANSHAN, created_by=civil,
                                   file_name="hy.csv", stored_path="", file_sha256="0")  # fmt: skip
    assert job not in ImportJob.objects.visible_to(police)
    assert job in ImportJob.objects.visible_to(civil)
    mine = client.get("/api/v1/imports/feeds", **auth).json()
    assert [r["feed_type"] for r in mine] == ["death"]
    with path_upload(tmp_path) as upload:
        api = client.post(
            "/api/v1/imports/", {"kind": "feed-marriage", "period": "2026-03", "file": upload},
            **auth,
        )  # fmt: skip
    assert api.status_code == 422, api.content


def path_upload(tmp_path):
    path = write_csv(tmp_path / "hy.csv", [], header=["身份证号", "姓名", "登记类型", "登记日期"],
                     title=False)  # fmt: skip
    return path.open("rb")


def test_r_acc_2_a_feeder_sends_feeds_and_reads_no_person_record(client):
    """R-FEED-1 with R-ACC-2 (data minimisation): a department feeder sees their department's
    reports and jobs for their jurisdiction, and no page of persons, requests, certificates,
    births, leads or statistics, nor the API's persons."""
    feeder = make_user("pol2", "department_feeder", "440305", department="public_security")
    assert feeder.scope_code is None and feeder.feed_scope_code == "440305"
    client.force_login(feeder)
    assert client.get("/imports/").status_code == 200
    assert client.get("/imports/feeds/").status_code == 200
    for path in ("/persons/", "/exchange/inbox/", "/certificates/", "/births/", "/stats/",
                 "/imports/leads/", "/grievances/"):  # fmt: skip
        assert client.get(path).status_code in (403, 404), path
    home = client.get("/").content.decode()
    assert "/persons/" not in home and "/imports/" in home
