"""Importing registrations: the foundation's rules row by row, all or nothing, nothing doubled."""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from python_calamine import load_workbook

from conftest import NANSHAN_VILLAGE, SANTAI_TOWNSHIP, SANTAI_VILLAGE, id_for
from yipanqi.audit.models import AuditEvent
from yipanqi.core.crypto import blind_index
from yipanqi.imports.models import ImportStatus
from yipanqi.imports.tests.conftest import TODAY, inflow_row, write_csv, write_xlsx
from yipanqi.people.models import EventType, Person, PersonEvent, Registration

pytestmark = pytest.mark.django_db


def _report_rows(job) -> list[list]:
    return load_workbook(job.report_path).get_sheet_by_index(0).to_python()


def test_r_regn_1_gbk_csv_with_a_title_row_registers_every_row(tmp_path, run_import):
    path = write_csv(tmp_path / "流入.csv", [inflow_row(n) for n in range(1, 31)], encoding="gbk")

    job = run_import(path)

    assert job.status == ImportStatus.DONE, job.error
    assert (job.rows, job.created, job.rejected) == (30, 30, 0)
    person = Person.objects.get(id_number_index=blind_index(inflow_row(7)[2], domain="id"))
    # P5: stored as the registration service stores it — encrypted, indexed, masked.
    assert person.reveal_id_number() == inflow_row(7)[2]
    assert person.id_number_masked == inflow_row(7)[2][:4] + "*" * 10 + inflow_row(7)[2][14:]
    assert person.reveal_phone() == "13800000007"
    assert (person.name, person.sex, person.home_id, person.residence_id) == (
        "王芳7", "F", SANTAI_VILLAGE, NANSHAN_VILLAGE,
    )  # fmt: skip
    registration = person.registrations.get()
    assert registration.kind == "inflow"
    assert registration.arrival_date == dt.date(2026, 3, 5)
    assert registration.registered_by_unit_id == NANSHAN_VILLAGE
    assert registration.recorded_in_time  # R-REGN-1: recorded on receipt
    event = PersonEvent.objects.get(person=person)
    assert event.type == EventType.REGISTERED_INFLOW
    assert event.data["registration"] == registration.pk
    assert event.data["import"] == job.pk
    assert AuditEvent.objects.filter(object_type="import", object_id=str(job.pk)).exists()


def test_r_ex_5_the_same_file_twice_changes_nothing(tmp_path, run_import):
    path = write_csv(tmp_path / "a.csv", [inflow_row(n) for n in range(1, 11)])
    first = run_import(path)
    counts = (Person.objects.count(), Registration.objects.count(), PersonEvent.objects.count())

    again = run_import(path)

    assert again.status == ImportStatus.DONE
    assert (again.created, again.updated, again.unchanged) == (0, 0, 10)
    assert again.file_sha256 == first.file_sha256
    assert (
        Person.objects.count(), Registration.objects.count(), PersonEvent.objects.count()
    ) == counts  # fmt: skip


def test_an_overlapping_file_adds_only_the_new_rows(tmp_path, run_import):
    run_import(write_csv(tmp_path / "a.csv", [inflow_row(n) for n in range(1, 11)]))

    job = run_import(write_csv(tmp_path / "b.csv", [inflow_row(n) for n in range(6, 16)]))

    assert (job.created, job.unchanged) == (5, 5)
    assert Registration.objects.count() == 15


def test_one_bad_row_among_many_writes_nothing_and_the_report_says_why_in_chinese(
    tmp_path, run_import
):
    rows = [inflow_row(n) for n in range(1, 41)]
    bad = rows[24]
    bad[2] = bad[2][:17] + ("0" if bad[2][17] != "0" else "1")  # a wrong check digit
    path = write_csv(tmp_path / "a.csv", rows)

    job = run_import(path)

    assert job.status == ImportStatus.REJECTED
    assert (job.rows, job.rejected, job.created) == (40, 1, 0)
    assert Person.objects.count() == 0 and Registration.objects.count() == 0
    report = _report_rows(job)
    assert report[1][-1] == "错误说明"
    assert len(report) == 42  # title, header and every row: a copy of the input
    assert (
        report[2 + 24][-1] == "身份证号码校验不通过：最后一位与前面的数字对不上，可能有一位输错了。"
    )
    assert all(row[-1] == "" for i, row in enumerate(report[2:]) if i != 24)


def test_valid_rows_only_writes_the_valid_rows(tmp_path, run_import):
    rows = [inflow_row(n) for n in range(1, 11)]
    rows[3][9] = "12345"  # not a phone number
    job = run_import(write_csv(tmp_path / "a.csv", rows), valid_rows_only=True)

    assert job.status == ImportStatus.DONE
    assert (job.created, job.rejected) == (9, 1)
    assert Registration.objects.count() == 9
    assert "手机号码" in _report_rows(job)[2 + 3][-1]


def test_dry_run_counts_and_writes_nothing(tmp_path, run_import):
    job = run_import(write_csv(tmp_path / "a.csv", [inflow_row(n) for n in range(5)]), dry_run=True)

    assert job.status == ImportStatus.CHECKED
    assert job.created == 5
    assert Person.objects.count() == 0


def test_spreadsheet_with_merged_title_serial_dates_full_width_digits_and_place_names(
    tmp_path, run_import
):
    serial = (dt.date(2026, 3, 5) - dt.date(1899, 12, 30)).days  # an Excel date serial
    full_width = inflow_row(2)[2].translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    rows = [
        inflow_row(1, arrival=serial),
        inflow_row(2, id=full_width, arrival="2026.3.5"),
        inflow_row(3, arrival="2026年3月5日", home="四川省绵阳市三台县潼川镇"),
        inflow_row(4, arrival="2026/3/5", home="三台县潼川镇"),
        inflow_row(5, arrival=dt.datetime(2026, 3, 5), residence="440305001001000"[:12]),
    ]
    job = run_import(write_xlsx(tmp_path / "登记表.xlsx", rows))

    assert job.status == ImportStatus.DONE, (job.error, job.report_path)
    assert job.created == 5
    assert set(Registration.objects.values_list("arrival_date", flat=True)) == {dt.date(2026, 3, 5)}
    homes = dict(Person.objects.values_list("name", "home_id"))
    assert homes["王芳3"] == SANTAI_TOWNSHIP and homes["王芳4"] == SANTAI_TOWNSHIP
    two = Person.objects.get(name="王芳2")
    assert two.reveal_id_number() == inflow_row(2)[2]


def test_duplicates_inside_the_file_are_rejected(tmp_path, run_import):
    rows = [inflow_row(1), inflow_row(2), inflow_row(1, no=3)]
    job = run_import(write_csv(tmp_path / "a.csv", rows), valid_rows_only=True)

    assert (job.created, job.rejected) == (2, 1)
    assert "第 3 行" in _report_rows(job)[4][-1] or "row 3" in _report_rows(job)[4][-1]


def test_r_jur_3_rules_of_the_registration_service_apply_to_every_row(tmp_path, run_import):
    man = id_for(seq=11, sex="M")
    old_woman = id_for(birth=dt.date(1970, 1, 1), seq=12)
    rows = [
        inflow_row(1, home="440305001003"),  # same county: not a migrant
        inflow_row(2, id=man, sex="男", marital="未婚"),  # a man not married
        inflow_row(3, id=old_woman),  # 56 years old
        inflow_row(4, reason="旅游"),  # a stay that ends with a return home
        inflow_row(5, sex="男"),  # sex contradicts the ID
        inflow_row(6, arrival="2026-05-01"),  # after TODAY
    ]
    job = run_import(write_csv(tmp_path / "a.csv", rows))

    assert job.rejected == 6
    messages = [row[-1] for row in _report_rows(job)[2:]]
    assert all(messages), messages


def test_rows_outside_the_importing_jurisdiction_are_rejected(tmp_path, run_import):
    job = run_import(
        write_csv(tmp_path / "a.csv", [inflow_row(1, residence="440305001003")]),
    )
    assert job.rejected == 1
    assert Registration.objects.count() == 0


def test_an_ambiguous_place_name_is_a_row_error(tmp_path, run_import):
    job = run_import(write_csv(tmp_path / "a.csv", [inflow_row(1, home="鼓楼区")]))

    assert job.rejected == 1
    message = _report_rows(job)[2][-1]
    assert "鼓楼区" in message


def test_name_differing_from_the_registry_is_rejected(tmp_path, run_import, register_inflow):
    register_inflow(id_number=inflow_row(1)[2], name="李娜")
    job = run_import(write_csv(tmp_path / "a.csv", [inflow_row(1)]))

    assert job.rejected == 1
    assert Person.objects.get().name == "李娜"


def test_same_person_with_new_details_is_updated(tmp_path, run_import):
    run_import(write_csv(tmp_path / "a.csv", [inflow_row(1, marital="未婚")]))

    job = run_import(write_csv(tmp_path / "b.csv", [inflow_row(1, marital="已婚")]))

    assert (job.created, job.updated) == (0, 1)
    person = Person.objects.get()
    assert person.marital_status == "first_marriage"
    changed = person.events.get(type=EventType.DETAILS_CHANGED)
    assert changed.data["fields"] == ["marital_status"]


def test_r_regn_6_a_person_who_moved_closes_the_old_registration(
    tmp_path, run_import, register_inflow
):
    from conftest import make_user

    neighbour = make_user("bao", "village_worker", "440305001003")
    register_inflow(
        neighbour, id_number=inflow_row(1)[2], name="王芳1", residence_code="440305001003"
    )

    job = run_import(write_csv(tmp_path / "a.csv", [inflow_row(1)]))

    assert job.created == 1
    old, new = Registration.objects.order_by("pk")
    assert (old.status, old.close_reason) == ("closed", "superseded")
    assert (new.status, new.residence_id) == ("active", NANSHAN_VILLAGE)


def test_r_regn_2_r_ex_2_linked_inflow_notifies_the_home_side_exactly_once(
    tmp_path, run_import, township_operator
):
    from yipanqi.exchange.models import Request
    from yipanqi.people.services import RegistrationInput, register

    value = inflow_row(1)[2]
    outflow = register(
        RegistrationInput(
            id_number=value, name="王芳1", home_code=SANTAI_VILLAGE,
            residence_code="440305", arrival_date=dt.date(2026, 2, 1), reason="work",
            marital_status="first_marriage", received_on=dt.date(2026, 2, 2),
        ),
        kind="outflow", acting_user=township_operator, today=TODAY,
    )  # fmt: skip
    path = write_csv(tmp_path / "a.csv", [inflow_row(1)])

    job = run_import(path)
    run_import(path)

    assert job.notified == 1
    notice = Request.objects.get(type="notification")
    assert (notice.sender_id, notice.receiver_id) == (NANSHAN_VILLAGE, SANTAI_TOWNSHIP)
    assert list(notice.persons.values_list("pk", flat=True)) == [outflow.person_id]
    assert notice.events.count() == 2  # sent, delivered
    person = Person.objects.get()
    assert person.events.filter(type=EventType.LINKED).count() == 1
    outflow.refresh_from_db()
    assert outflow.last_contact_on == TODAY  # R-REGN-4: her registration here is news


@pytest.mark.parametrize("bulk", [False, True])
def test_r_stat_1_statistics_counters_follow_the_import(tmp_path, run_import, monkeypatch, bulk):
    from yipanqi.imports import pipeline
    from yipanqi.ledger import counters

    if bulk:
        monkeypatch.setattr(pipeline, "LIVE_STATS_LIMIT", 0)
    run_import(write_csv(tmp_path / "a.csv", [inflow_row(n) for n in range(1, 8)]))
    run_import(write_csv(tmp_path / "b.csv", [inflow_row(1, arrival="2026-01-02")]))

    assert counters.check().ok


def test_command_prints_a_json_summary(tmp_path, capsys):
    path = write_csv(tmp_path / "a.csv", [inflow_row(n) for n in range(1, 4)])

    call_command(
        "import", str(path), "--kind", "inflow", "--jurisdiction", NANSHAN_VILLAGE,
        "--no-progress",
    )  # fmt: skip

    summary = json.loads(capsys.readouterr().out)
    assert {k: summary[k] for k in ("rows", "created", "updated", "unchanged", "rejected")} == {
        "rows": 3, "created": 3, "updated": 0, "unchanged": 0, "rejected": 0,
    }  # fmt: skip
    assert "report" in summary


def test_a_file_without_the_required_columns_is_refused_whole(tmp_path, run_import):
    from yipanqi.core.errors import Rejected

    path = write_csv(tmp_path / "a.csv", [["1", "王芳"]], header=["序号", "姓名", "备注"])
    with pytest.raises(Rejected):
        run_import(path)
    assert not Path(path).with_suffix(".xlsx").exists()


OUTFLOW_HEADER = ["序号", "姓名", "身份证号", "性别", "户籍地", "流入地", "外出日期", "外出原因",
                  "婚姻状况", "联系电话"]  # fmt: skip


def _import_outflow(run_import, tmp_path, rows, township_operator):
    """An outflow file of the home township (三台县), as its operator imports it."""
    return run_import(
        write_csv(tmp_path / "流出.csv", rows, header=OUTFLOW_HEADER),
        kind="outflow", unit=SANTAI_TOWNSHIP, acting_user=township_operator,
    )  # fmt: skip


def test_r_regn_2_outflow_file_from_the_home_township_links_to_the_inflow(
    tmp_path, run_import, register_inflow, township_operator
):
    inflow = register_inflow(id_number=inflow_row(1)[2], name="王芳1")
    rows = [inflow_row(1, arrival="2026-02-20"), inflow_row(2, arrival="2026-02-21")]

    job = _import_outflow(run_import, tmp_path, rows, township_operator)

    assert (job.status, job.created) == (ImportStatus.DONE, 2), job.report_path
    outflow = Registration.objects.get(person=inflow.person, kind="outflow")
    assert (outflow.home_id, outflow.registered_by_unit_id) == (SANTAI_VILLAGE, SANTAI_TOWNSHIP)
    assert outflow.last_contact_on == dt.date(2026, 2, 20)  # R-REGN-4 starts at departure
    assert inflow.person.events.filter(type=EventType.LINKED).count() == 1
    assert job.notified == 0  # the home side registering is not an R-EX-2 notice


@pytest.mark.parametrize("bulk", [False, True])
def test_r_stat_1_outflow_counters_follow_the_import_of_new_and_known_persons(
    tmp_path, run_import, register_inflow, township_operator, monkeypatch, bulk
):
    """Outflow women are counted at home (certificate issuance's denominator); a bulk load
    counts them with the SQL predicate (Family.reads_other_tables), the rest in memory."""
    from yipanqi.imports import pipeline
    from yipanqi.ledger import counters

    if bulk:
        monkeypatch.setattr(pipeline, "LIVE_STATS_LIMIT", 0)
    register_inflow(id_number=inflow_row(1)[2], name="王芳1")  # known: she lives in 南山区
    rows = [inflow_row(n, arrival="2026-02-20") for n in range(1, 6)]

    job = _import_outflow(run_import, tmp_path, rows, township_operator)

    assert (job.status, job.created) == (ImportStatus.DONE, 5), job.report_path
    report = counters.check()
    assert report.ok, report


@pytest.mark.parametrize("bulk", [False, True])
def test_r_stat_1_a_reimport_that_marries_or_moves_her_keeps_the_counters_live(
    tmp_path, run_import, monkeypatch, bulk
):
    """Service coverage counts married women's stays: a new marital status in a later file,
    and a move that closes her old registration (R-REGN-6), change what was counted."""
    from conftest import make_user
    from yipanqi.imports import pipeline
    from yipanqi.ledger import counters

    if bulk:
        monkeypatch.setattr(pipeline, "LIVE_STATS_LIMIT", 0)
    township = make_user("nantou", "township_operator", "440305001")  # 南头街道
    elsewhere = "440305001003"  # 大新社区, the same township
    as_township = {"unit": "440305001", "acting_user": township}
    first = [inflow_row(n, marital="未婚" if n < 4 else "已婚") for n in range(1, 6)]
    run_import(write_csv(tmp_path / "a.csv", first), **as_township)
    later = [inflow_row(1, marital="已婚"), inflow_row(2, marital="已婚", residence=elsewhere)]
    later += [inflow_row(3, marital="未婚", residence=elsewhere)]
    later += [inflow_row(4, residence=elsewhere)]  # married all along: only the move

    job = run_import(write_csv(tmp_path / "b.csv", later), **as_township)

    assert job.status == ImportStatus.DONE, job.report_path
    assert (job.updated, job.created) == (1, 3)
    assert Registration.objects.filter(close_reason="superseded").count() == 3
    report = counters.check()
    assert report.ok, report


def test_r_jur_3_a_married_man_alone_is_refused_with_the_reason(tmp_path, run_import):
    """R-JUR-3: men are registered as spouses; a file row has no wife to link him to, so a
    married man's row is refused, saying how he is registered (issue 12.7)."""
    man = id_for(seq=11, sex="M")
    rows = [inflow_row(1), inflow_row(2, id=man, sex="男", marital="初婚")]
    job = run_import(write_csv(tmp_path / "a.csv", rows), valid_rows_only=True)

    assert (job.created, job.rejected) == (1, 1)
    assert not Person.objects.filter(sex="M").exists()
    assert "husband of a registered woman" in _report_rows(job)[-1][-1] or (
        "丈夫" in _report_rows(job)[-1][-1]
    )
