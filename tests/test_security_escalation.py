"""Issue 12.3: an overdue request goes to the lowest common ancestor of its two sides (R-EX-3),
from the web and the API alike, and no payload chooses the level.

Given a request between two units, made overdue by the sweep, when one side escalates it,
then it is escalated to the county for two townships of one county, to the province for two
units of one province (a placeholder city level is skipped, R-JUR-2), and to the nation only
for two provinces.
"""

import datetime as dt
import json
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse

from conftest import NANSHAN_VILLAGE, SANTAI_TOWNSHIP, SANTAI_VILLAGE, make_user
from yipanqi.accounts.models import ApiToken
from yipanqi.core.errors import Rejected
from yipanqi.exchange import services
from yipanqi.exchange.models import Request
from yipanqi.exchange.sweep import sweep

pytestmark = pytest.mark.django_db

SENT_AT = dt.datetime(2026, 9, 18, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
LATE_DAY = dt.date(2026, 10, 30)
TASHAN_TOWNSHIP = "510722104"  # 四川省 › 绵阳市 › 三台县 › 塔山镇
DONGGUAN_TOWNSHIP = "441900003"  # 广东省 › 东莞市 › 东城街道
DONGCHENG_TOWNSHIP = "110101001"  # 北京市 › (市辖区) › 东城区 › 东华门街道
XICHENG_COUNTY = "110102"  # 北京市 › (市辖区) › 西城区

# (sender, receiver, expected target; None is the national level)
CASES = {
    "same county": (SANTAI_VILLAGE, TASHAN_TOWNSHIP, "510722"),
    "same province": (NANSHAN_VILLAGE, DONGGUAN_TOWNSHIP, "44"),
    "same municipality": (DONGCHENG_TOWNSHIP, XICHENG_COUNTY, "11"),
    "two provinces": (NANSHAN_VILLAGE, SANTAI_TOWNSHIP, None),
}


def _overdue(sender: str, receiver: str, key: str) -> tuple[Request, object]:
    """A co-investigation from `sender` to `receiver`, overdue, and a worker of the sender."""
    role = "village_worker" if len(sender) == 12 else "township_operator"
    if len(sender) == 6:
        role = "county_admin"
    worker = make_user(f"w-{key}", role, sender)
    request = services.send_request(
        "co_investigation",
        sender_code=sender,
        receiver_code=receiver,
        acting_user=worker,
        idempotency_key=key,
        payload={"question": "请核实婚育情况"},
        now=SENT_AT,
    )
    sweep(LATE_DAY)
    request.refresh_from_db()
    assert request.status == "overdue"
    return request, worker


def _api(user) -> Client:
    _token, key = ApiToken.issue(user, name="test")
    return Client(headers={"authorization": f"Bearer {key}"})


@pytest.mark.parametrize("case", CASES)
def test_r_ex_3_the_web_escalates_to_the_lowest_common_ancestor(case):
    sender, receiver, expected = CASES[case]
    request, worker = _overdue(sender, receiver, f"web-{case}")
    client = Client()
    client.force_login(worker)
    # A forged form field naming a level changes nothing.
    response = client.post(
        reverse("exchange:escalate", args=[request.pk]),
        {"reason": "十五个工作日未回复", "escalated_to": "", "target": "", "to": "11"},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.escalated_to_id) == ("escalated", expected)


@pytest.mark.parametrize("case", CASES)
def test_r_ex_3_the_api_escalates_to_the_lowest_common_ancestor(case):
    sender, receiver, expected = CASES[case]
    request, worker = _overdue(sender, receiver, f"api-{case}")
    response = _api(worker).post(
        f"/api/v1/exchange/requests/{request.pk}/escalate",
        json.dumps({"reason": "十五个工作日未回复"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["escalated_to_code"]) == (
        "escalated",
        expected,
    )
    request.refresh_from_db()
    assert request.escalated_to_id == expected


@pytest.mark.parametrize(
    "field", ["escalated_to_code", "escalated_to", "target", "to", "level", "receiver_code"]
)
def test_r_ex_3_no_api_payload_chooses_the_target(field):
    """A field naming a level is refused with 422 and the request stays overdue: a village
    worker cannot send a same-county request to the national level (issue 12.3)."""
    request, worker = _overdue(SANTAI_VILLAGE, TASHAN_TOWNSHIP, f"forge-{field}")
    for value in ("", None, "51", "00"):
        response = _api(worker).post(
            f"/api/v1/exchange/requests/{request.pk}/escalate",
            json.dumps({"reason": "十五个工作日未回复", field: value}),
            content_type="application/json",
        )
        assert response.status_code == 422, response.content
        assert field in json.dumps(response.json())
    request.refresh_from_db()
    assert (request.status, request.escalated_to_id) == ("overdue", None)


def test_r_ex_3_a_missing_common_level_refuses_instead_of_reaching_the_nation(monkeypatch):
    """Two sides in one province whose shared levels cannot be found: refused in words, not
    escalated to the national level above them."""
    request, worker = _overdue(SANTAI_VILLAGE, TASHAN_TOWNSHIP, "missing-level")
    monkeypatch.setattr(services, "common_ancestor", lambda first, second: None)
    with pytest.raises(Rejected):
        services.escalate_request(request.pk, reason="十五个工作日未回复", acting_user=worker)
    request.refresh_from_db()
    assert request.status == "overdue"
