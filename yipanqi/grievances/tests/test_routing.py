"""R-GRV-1: a complaint about a unit goes to the level above it; it can be transferred with a
reason (timeline, audit) and escalated one level up when late, by the sweep or by hand."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from conftest import SANTAI_TOWNSHIP, SANTAI_VILLAGE, make_user
from yipanqi.audit.models import AuditEvent
from yipanqi.core.errors import NotFound, Rejected
from yipanqi.exchange.sweep import sweep
from yipanqi.grievances import services
from yipanqi.grievances.models import Category, Complaint
from yipanqi.ledger.counters import check

pytestmark = pytest.mark.django_db
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
FILED_AT = dt.datetime(2026, 9, 18, 10, 0, tzinfo=BEIJING)  # due Thursday 15 October
LATE = dt.datetime(2026, 10, 16, 9, 0, tzinfo=BEIJING)
SANTAI_COUNTY = "510722"
MIANYANG_CITY = "5107"
DONGCHENG = "110101"  # 北京市 › 东城区: its city is the placeholder 市辖区 (R-JUR-2)


def _file(place=SANTAI_TOWNSHIP, now=FILED_AT):
    return services.file_complaint(
        services.ComplaintInput(
            category=Category.CERTIFICATE_CONDITIONAL,
            description="潼川镇计生办要求先交押金才给开婚育证明。",
            place_code=place,
        ),
        acting_user=None,
        origin=services.Origin(channel="public", ip="203.0.113.9"),
        now=now,
    ).complaint


@pytest.fixture
def county_admin(db):
    return make_user("carol", "county_admin", SANTAI_COUNTY)


def test_r_grv_1_complaint_about_a_township_goes_to_its_county_not_itself(township_operator):
    """R-GRV-1: the issue's case: a complaint against 潼川镇 is answered by 三台县, and 潼川镇
    neither sees it nor answers it."""
    complaint = _file(SANTAI_TOWNSHIP)

    assert complaint.assigned_to_id == SANTAI_COUNTY
    assert services.access_complaint_or_none(township_operator, complaint.pk) is None


def test_r_grv_1_village_goes_to_township_county_to_city_skipping_placeholders():
    """R-GRV-1 with R-JUR-2: the level above a village is its township, above a county its city;
    a Beijing district's city is a placeholder, so it goes to the province."""
    assert _file(SANTAI_VILLAGE).assigned_to_id == SANTAI_TOWNSHIP
    assert _file(SANTAI_COUNTY).assigned_to_id == MIANYANG_CITY
    assert _file(DONGCHENG).assigned_to_id == "11"


def test_r_grv_1_transfer_with_reason_is_on_the_timeline_and_audited(county_admin):
    """R-GRV-1: the responsible county hands the complaint to another county with a reason; the
    due date stays, the count moves with it, the audit records both units."""
    complaint = _file(SANTAI_VILLAGE)  # with 潼川镇
    county_complaint = _file(SANTAI_TOWNSHIP)  # with 三台县

    moved = services.transfer_complaint(
        county_complaint.pk,
        to_code="510723",
        reason="押金是盐亭县的服务站收的。",
        acting_user=county_admin,
        now=FILED_AT,
    )

    assert moved.assigned_to_id == "510723"
    assert moved.due_on == dt.date(2026, 10, 15)
    event = moved.events.get(type="transferred")
    assert event.data["from_code"] == SANTAI_COUNTY
    assert event.data["reason"] == "押金是盐亭县的服务站收的。"
    assert AuditEvent.objects.filter(
        object_type="complaint", object_id=str(moved.pk), detail__event="transferred"
    ).exists()
    assert check("grv.received").ok
    assert complaint.assigned_to_id == SANTAI_TOWNSHIP


@pytest.mark.parametrize(
    ("to_code", "field", "message"),
    [
        ("510722101", "to_code", "cannot answer it"),  # the unit the complaint is about
        ("510722", "to_code", "already with this unit"),
        ("510722101002", "to_code", "township, county, city or province"),
        ("999999", "to_code", "no division"),
    ],
)
def test_r_grv_1_bad_transfer_is_refused_in_words_and_changes_nothing(
    county_admin, to_code, field, message
):
    """R-GRV-1: a complaint about 潼川镇 cannot be handed to 潼川镇 (nor to a village, nor to
    nowhere); nothing changes."""
    complaint = _file(SANTAI_TOWNSHIP)

    with pytest.raises(Rejected) as refused:
        services.transfer_complaint(
            complaint.pk, to_code=to_code, reason="请处理。", acting_user=county_admin
        )

    assert message in " ".join(refused.value.errors[field])
    complaint.refresh_from_db()
    assert complaint.assigned_to_id == SANTAI_COUNTY
    assert not complaint.events.filter(type="transferred").exists()


def test_r_grv_1_transfer_needs_a_reason_and_the_responsible_side(county_admin, township_operator):
    """R-GRV-1: no reason, no transfer; a unit that does not answer for it cannot move it."""
    complaint = _file(SANTAI_VILLAGE)

    with pytest.raises(Rejected) as no_reason:
        services.transfer_complaint(
            complaint.pk, to_code="510723", reason="", acting_user=county_admin
        )
    other = make_user("ted", "township_operator", "510722104")
    with pytest.raises(NotFound):
        services.transfer_complaint(
            complaint.pk, to_code="510723", reason="不归我们。", acting_user=other
        )

    assert "reason" in no_reason.value.errors
    assert Complaint.objects.get(pk=complaint.pk).assigned_to_id == SANTAI_TOWNSHIP


def test_r_grv_1_sweep_escalates_a_late_complaint_one_level_up_once(county_admin):
    """R-GRV-1: the day after the due date the sweep sends it from 潼川镇 to 三台县 with a fresh
    deadline; a second sweep the same day changes nothing; the answer is recorded late."""
    complaint = _file(SANTAI_VILLAGE)
    on_time = _file(SANTAI_VILLAGE, now=dt.datetime(2026, 10, 14, 9, 0, tzinfo=BEIJING))

    first = sweep(LATE.date(), now=LATE)
    again = sweep(LATE.date(), now=LATE)

    complaint.refresh_from_db()
    assert (first.complaints_escalated, again.complaints_escalated) == (1, 0)
    assert complaint.assigned_to_id == SANTAI_COUNTY
    assert complaint.escalations == 1
    assert complaint.due_on > LATE.date()
    event = complaint.events.get(type="escalated")
    assert (event.actor, event.data["from_code"]) == (None, SANTAI_TOWNSHIP)
    assert Complaint.objects.get(pk=on_time.pk).assigned_to_id == SANTAI_TOWNSHIP
    assert check("grv.received").ok
    answered = services.answer_complaint(
        complaint.pk, answer="已责成潼川镇当天开具证明。", acting_user=county_admin, now=LATE
    )
    assert answered.answered_late is True


def test_r_grv_1_escalate_by_hand_only_when_late(village_worker, township_operator):
    """R-GRV-1: the unit that filed it may escalate it by hand once the due date has passed,
    not before; the responsible township may too."""
    filed = services.file_complaint(
        services.ComplaintInput(
            category=Category.TOLD_TO_RETURN_HOME,
            description="户籍地村委会要求她回乡做检查。",
            place_code=SANTAI_VILLAGE,
        ),
        acting_user=village_worker,
        channel="hotline",
        now=FILED_AT,
    ).complaint

    with pytest.raises(Rejected, match="not late yet"):
        services.escalate_complaint(
            filed.pk, acting_user=village_worker, now=dt.datetime(2026, 10, 15, 9, tzinfo=BEIJING)
        )
    moved = services.escalate_complaint(
        filed.pk, acting_user=village_worker, reason="镇里一直没有答复。", now=LATE
    )

    assert moved.assigned_to_id == SANTAI_COUNTY
    assert moved.events.get(type="escalated").actor == village_worker
    assert services.access_complaint_or_none(township_operator, moved.pk) is None


def test_r_grv_1_province_is_the_top(db):
    """R-GRV-1: a late complaint with a province stays there; the sweep does not loop on it."""
    complaint = _file(DONGCHENG)  # 东城区 -> 北京市
    assert complaint.assigned_to_id == "11"

    assert sweep(LATE.date(), now=LATE).complaints_escalated == 0


def _api(user):
    from django.test import Client

    from yipanqi.accounts.models import ApiToken

    _token, key = ApiToken.issue(user)
    return Client(headers={"authorization": f"Bearer {key}"})


def test_r_grv_1_web_transfer_and_escalate_from_the_complaint_page(client, county_admin):
    """R-GRV-1 on the web: the county sees the transfer form, a transfer without a reason is a
    400 that keeps what was typed, a good one moves the complaint and shows on its history."""
    complaint = _file(SANTAI_TOWNSHIP, now=timezone.now())
    client.force_login(county_admin)

    page = client.get(f"/grievances/{complaint.pk}/").content.decode()
    bad = client.post(f"/grievances/{complaint.pk}/transfer/", {"to_code": "510723"})
    good = client.post(
        f"/grievances/{complaint.pk}/transfer/",
        {"to_code": "5107", "reason": "涉及县卫健局，请市里处理。"},
    )

    assert 'id="transfer"' in page
    assert 'id="escalate"' not in page  # not late yet
    assert bad.status_code == 400
    assert 'value="510723"' in bad.content.decode()
    assert "why it goes to that unit" in bad.content.decode()
    assert (good.status_code, good.url) == (302, "/grievances/")  # now the city's
    assert Complaint.objects.get(pk=complaint.pk).assigned_to_id == MIANYANG_CITY
    client.force_login(make_user("mia", "city_admin", MIANYANG_CITY))
    history = client.get(f"/grievances/{complaint.pk}/").content.decode()
    assert "Transferred to another unit" in history
    assert "涉及县卫健局，请市里处理。" in history


def test_r_grv_1_web_escalate_when_late(client, township_operator):
    """R-GRV-1: a late complaint's page offers escalation to the named level above."""
    complaint = _file(SANTAI_VILLAGE, now=dt.datetime(2026, 1, 5, 10, tzinfo=BEIJING))
    client.force_login(township_operator)

    page = client.get(f"/grievances/{complaint.pk}/").content.decode()
    sent = client.post(f"/grievances/{complaint.pk}/escalate/", {"reason": ""})

    assert 'id="escalate"' in page and "三台县" in page
    assert sent.status_code == 302
    assert sent.url == "/grievances/"  # no longer the township's
    complaint.refresh_from_db()
    assert (complaint.assigned_to_id, complaint.escalations) == (SANTAI_COUNTY, 1)


def test_r_grv_1_api_transfer_and_escalate(county_admin, township_operator):
    """R-GRV-1 in the API: transfer (422 in words for a bad target), escalate when late; a move
    out of the caller's jurisdiction answers 202 with where it went."""
    about_township = _file(SANTAI_TOWNSHIP)
    late = _file(SANTAI_VILLAGE, now=dt.datetime(2026, 1, 5, 10, tzinfo=BEIJING))
    county = _api(county_admin)

    refused = county.post(
        f"/api/v1/grievances/{about_township.pk}/transfer",
        {"to_code": "510722101", "reason": "请镇里自己处理。"},
        content_type="application/json",
    )
    moved = county.post(
        f"/api/v1/grievances/{about_township.pk}/transfer",
        {"to_code": "510723", "reason": "实为盐亭县的事。"},
        content_type="application/json",
    )
    escalated = _api(township_operator).post(
        f"/api/v1/grievances/{late.pk}/escalate", {}, content_type="application/json"
    )
    shown = county.get(f"/api/v1/grievances/{late.pk}").json()

    assert refused.status_code == 422
    assert refused.json()["errors"]["to_code"]
    assert moved.status_code == 202
    assert moved.json()["assigned_to_code"] == "510723"
    assert escalated.status_code == 202
    assert shown["assigned_to_code"] == SANTAI_COUNTY
    assert shown["escalations"] == 1
    assert [e["type"] for e in shown["events"]][-1] == "escalated"
