"""Issue 12.12: every list page pages through one pager that keeps its filters, and puts what is
due soonest first (newest first where nothing is due)."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone, translation

from conftest import NANSHAN_VILLAGE, SANTAI_TOWNSHIP, SANTAI_VILLAGE, id_for, make_user

PER_PAGE = 2


@pytest.fixture(autouse=True)
def short_pages(monkeypatch, client):
    """Pages of two rows, so three rows make a second page; pages in English."""
    monkeypatch.setattr("yipanqi.core.paging.PER_PAGE", PER_PAGE)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def _pages(client, url: str, param: str = "page"):
    first = client.get(url)
    assert first.status_code == 200
    join = "&" if "?" in url else "?"
    second = client.get(f"{url}{join}{param}=2")
    assert second.status_code == 200
    return first.content.decode(), second.content.decode()


def _women(register_inflow, arrivals: dict[str, dt.date]):
    return {
        name: register_inflow(
            id_number=id_for(seq=20 + i), name=name, arrival_date=day, phone=""
        ).person
        for i, (name, day) in enumerate(arrivals.items())
    }


def test_r_cert_3_awaiting_verification_pages_and_a_new_arrival_comes_first(
    client, village_worker, register_inflow
):
    """R-CERT-3: of three women awaiting verification, the one who arrived this week (still
    within her 30 days) heads page one; the long-overdue ones follow, the next page exists."""
    today = timezone.localdate()
    _women(
        register_inflow,
        {
            "老甲": today - dt.timedelta(days=200),
            "老乙": today - dt.timedelta(days=100),
            "新丙": today - dt.timedelta(days=2),
        },
    )
    client.force_login(village_worker)
    first, second = _pages(client, "/certificates/?year=2026", param="awaiting")
    assert "新丙" in first and "老乙" in first and "老甲" not in first
    assert first.index("新丙") < first.index("老乙")
    assert "老甲" in second
    assert "awaiting=2" in first  # the pager links this list's own page number
    assert "page 1 of 2" in first


def test_person_search_pages_and_keeps_its_filters(client, village_worker, register_inflow):
    """Issue 12.13 with 12.12: the next-page link carries name, place and kind."""
    _women(register_inflow, {f"王{i}": dt.date(2026, 3, 2) for i in range(3)})
    client.force_login(village_worker)
    url = f"/persons/?name=王&within={NANSHAN_VILLAGE}&kind=inflow"
    first, second = _pages(client, url)
    assert "3 persons found" in first
    link = re.search(r'href="(\?[^"#]*page=2[^"#]*)', first).group(1).replace("&amp;", "&")
    assert "name=" in link and f"within={NANSHAN_VILLAGE}" in link and "kind=inflow" in link
    assert "page 2 of 2" in second


def test_person_search_past_the_cap_says_more_than_and_still_pages(
    client, village_worker, register_inflow, monkeypatch
):
    """Issue 17: a list counts no further than the cap (no COUNT over the registry); past it
    the page says "more than", pages through the rows up to the cap, and offers no "last page"
    that is not the last."""
    monkeypatch.setattr("yipanqi.core.paging.COUNT_CAP", 6)
    _women(register_inflow, {f"王{i}": dt.date(2026, 3, 2) for i in range(8)})
    client.force_login(village_worker)
    url = f"/persons/?within={NANSHAN_VILLAGE}&kind=inflow"
    first, second = _pages(client, url)
    assert "More than 6 persons found" in first
    assert "More than 6 in all · page 1" in first
    assert "Last page" not in first  # page 3 of the first 6 rows is not the last of 8
    assert "More than 6 in all · page 2" in second and 'rel="next"' in second
    third = client.get(f"{url}&page=3").content.decode()
    assert "More than 6 in all · page 3" in third and 'rel="next"' not in third
    assert third.count("王") >= PER_PAGE


def test_r_ex_1_inbox_pages_the_soonest_due_first(client, village_worker, register_inflow):
    """R-EX-1: the home township's inbox pages; the request still on time comes first."""
    from yipanqi.exchange.models import Request
    from yipanqi.exchange.services import send_request

    person = register_inflow().person
    for i in range(3):
        send_request(
            "verification",
            sender_code=NANSHAN_VILLAGE,
            receiver_code=SANTAI_TOWNSHIP,
            acting_user=village_worker,
            idempotency_key=f"paging-{i}",
            persons=[person],
            payload={"question": f"Question {i}"},
        )
    today = timezone.localdate()
    rows = list(Request.objects.order_by("pk"))
    # one long overdue, one lately overdue, one due next week
    for request, due in zip(rows, [-60, -3, 7], strict=True):
        Request.objects.filter(pk=request.pk).update(due_on=today + dt.timedelta(days=due))
    client.force_login(make_user("bob", "township_operator", SANTAI_TOWNSHIP))
    first, second = _pages(client, "/exchange/inbox/?status=awaiting")
    assert f"#{rows[2].pk}<" in first and f"#{rows[1].pk}<" in first
    assert first.index(f"#{rows[2].pk}<") < first.index(f"#{rows[1].pk}<")
    assert f"#{rows[0].pk}<" in second
    assert "status=awaiting" in re.search(r'href="([^"]*page=2[^"]*)"', first).group(1)


def test_r_acc_2_audit_trail_pages_newest_first(client, village_worker, register_inflow, auditor):
    """R-ACC-2: the auditor pages the trail, newest row first."""
    from yipanqi.audit.models import AuditEvent

    register_inflow()
    client.force_login(village_worker)
    for _ in range(3):
        client.get("/persons/?name=王")
    client.force_login(auditor)
    first, _second = _pages(client, "/audit/?action=person_search")
    newest = AuditEvent.objects.filter(action="person_search").order_by("-id").first()
    assert f"#{newest.object_id}" in first or newest.at.strftime("%H:%M:%S") in first
    assert "page 1 of 2" in first


def test_r_svc_4_supply_points_page_newest_first(client, township_operator):
    """R-SVC-4: the township's supply points page; the one just added is on top."""
    from yipanqi.services.services import SupplyPointInput, save_supply_point

    for name in ["甲点", "乙点", "丙点"]:
        save_supply_point(
            SupplyPointInput(
                division_code=SANTAI_TOWNSHIP,
                kind="distribution_point",
                name=name,
                address="潼川镇 1 号",
                hours="8-17",
                phone="",
                active=True,
            ),
            acting_user=township_operator,
        )
    client.force_login(township_operator)
    first, second = _pages(client, "/services/supply-points/")
    assert "丙点" in first and "乙点" in first and "甲点" in second


def test_r_dir_1_directory_pages(client, township_operator):
    """R-DIR-1: the directory search pages with its query kept."""
    from yipanqi.directory.models import UnitContact
    from yipanqi.divisions.models import Division

    townships = Division.objects.filter(code__startswith="510722", level=4).order_by("code")[:3]
    for code in [t.code for t in townships]:
        UnitContact.objects.get_or_create(
            unit_id=code,
            defaults={
                "unit_name": f"单位{code}",
                "contact_person": "张",
                "phone": "0816-1",
                "updated_by": township_operator,
            },
        )
    client.force_login(township_operator)
    count = UnitContact.objects.count()
    if count <= PER_PAGE:
        pytest.skip("the test divisions hold too few units")
    first, second = _pages(client, "/directory/?q=单位")
    assert "单位" in second
    assert "q=" in re.search(r'href="([^"]*page=2[^"]*)"', first).group(1)


def test_one_pager_template_everywhere():
    """Every list page pages with core/pager.html: no template writes a pager of its own."""
    root = Path(__file__).resolve().parents[2]
    own = [
        str(path.relative_to(root))
        for path in root.glob("*/templates/**/*.html")
        if 'class="pager"' in path.read_text() and path.name != "pager.html"
    ]
    assert own == []


def test_r_grv_1_complaints_page_soonest_due_first(client, township_operator):
    """R-GRV-1: the complaints list pages; the answer due soonest comes first."""
    from yipanqi.grievances.models import Complaint
    from yipanqi.grievances.services import ComplaintInput, file_complaint

    for i in range(3):
        file_complaint(
            ComplaintInput(
                category="charged_free_service",
                description=f"卫生院做孕检收了八十元检查费，第 {i} 次",
                place_code=SANTAI_VILLAGE,
            ),
            acting_user=township_operator,
            channel="hotline",
        )
    today = timezone.localdate()
    rows = list(Complaint.objects.order_by("pk"))
    for complaint, due in zip(rows, [9, 2, 5], strict=True):
        Complaint.objects.filter(pk=complaint.pk).update(due_on=today + dt.timedelta(days=due))
    client.force_login(make_user("carl", "county_admin", SANTAI_TOWNSHIP[:6]))
    first, second = _pages(client, "/grievances/?view=open")
    assert first.index(rows[1].reference) < first.index(rows[2].reference)
    assert rows[0].reference in second and rows[0].reference not in first


def test_r_birth_4_birth_reports_page_newest_first(client, village_worker, register_inflow):
    """R-BIRTH-4: birth reports had no pager at all; they page, the latest birth first."""
    from yipanqi.births.services import BirthReportInput, report_birth

    mothers = _women(register_inflow, {"甲母": dt.date(2026, 1, 5), "乙母": dt.date(2026, 1, 6)})
    mothers["丙母"] = register_inflow(
        id_number=id_for(seq=60), name="丙母", arrival_date=dt.date(2026, 1, 7), phone=""
    ).person
    for day, mother in zip([3, 9, 6], mothers.values(), strict=True):
        report_birth(
            BirthReportInput(
                mother_id=mother.pk,
                birth_date=dt.date(2026, 6, day),
                child_sex="F",
                idempotency_key=f"paging-{day}",
            ),
            acting_user=village_worker,
        )
    client.force_login(village_worker)
    first, second = _pages(client, "/births/reports/")
    assert first.index("乙母") < first.index("丙母")
    assert "甲母" in second and "甲母" not in first


def test_import_jobs_page_newest_first(client, township_operator, settings, tmp_path):
    """The import page listed the last 20 jobs only; now every job, on pages."""
    from yipanqi.imports.services import upload

    settings.VAR_DIR = tmp_path / "var"
    header = "序号,姓名,身份证号,性别,户籍地,现居住地,到达日期,流动原因,婚姻状况,联系电话\n"
    for name in ["a.csv", "b.csv", "c.csv"]:
        upload(
            acting_user=township_operator,
            kind="inflow",
            file_name=name,
            chunks=[header.encode()],
        )
    client.force_login(township_operator)
    first, second = _pages(client, "/imports/")
    assert "c.csv" in first and "b.csv" in first and "a.csv" in second
