"""R-EX-1: the receiver sees what it is asked: each request page (web and API) shows the payload
in words and links to its subject where the user may open it."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse

from conftest import SANTAI_TOWNSHIP, report_services
from yipanqi.accounts.models import ApiToken
from yipanqi.exchange.models import Request, RequestType
from yipanqi.exchange.payloads import KINDS, describe

pytestmark = pytest.mark.django_db


@pytest.fixture
def service_report(village_worker, person):
    """R-SVC-2: two services given in 南山, reported to the 三台 home township."""
    given = (
        ("reproductive_checkup", dt.date(2026, 3, 10)),
        ("oral_contraceptives", dt.date(2026, 4, 2)),
    )
    return report_services(person, village_worker, key="r-1", given=given)


@pytest.fixture
def birth_confirmation(ask_first_child, person):
    """R-BIRTH-2 step 1: the 南山 village asks 王芳's home township to confirm."""
    registration = ask_first_child(person, key="b-1")
    request = Request.objects.get(type=RequestType.BIRTH_CONFIRMATION, receiver=SANTAI_TOWNSHIP)
    return registration, request


def test_every_request_kind_says_what_it_asks():
    assert set(KINDS) == set(RequestType.values)


def test_r_ex_1_the_home_township_sees_the_services_of_a_service_report(
    client, service_report, township_operator
):
    client.force_login(township_operator)
    page = client.get(reverse("exchange:detail", args=[service_report.request_id]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "The services below were given to this person in our area." in html
    assert "2026-01-01" in html and "2026-06-30" in html
    assert "口服避孕药" in html and "南头街道计生服务站" in html
    assert "2026-03-10" in html and "2026-04-02" in html
    report_url = reverse("services:report", args=[service_report.pk])
    assert f'href="{report_url}"' in html
    assert client.get(report_url).status_code == 200


def test_r_ex_1_the_home_township_sees_what_to_confirm_for_a_birth_registration(
    client, birth_confirmation, township_operator
):
    registration, request = birth_confirmation
    client.force_login(township_operator)
    html = client.get(reverse("exchange:detail", args=[request.pk])).content.decode()
    assert "Please confirm the marital and childbearing status of the couple" in html
    assert "王芳" in html and "张伟" in html
    assert "梅园新村街道" in html  # his home, to check against
    url = reverse("births:detail", args=[registration.pk])
    assert f'href="{url}"' in html
    assert client.get(url).status_code == 200


def test_r_ex_1_the_api_request_detail_carries_the_same_words(service_report, township_operator):
    _token, key = ApiToken.issue(township_operator, name="test")
    api = Client(headers={"authorization": f"Bearer {key}"})
    body = api.get(f"/api/v1/exchange/requests/{service_report.request_id}").json()
    # The API speaks Chinese, as the UI does.
    assert body["asks"].startswith("此人在我地接受了以下服务")
    assert {"label": "避孕方法", "value": "口服避孕药"} in body["facts"]
    assert [s["date"] for s in body["services"]] == ["2026-03-10", "2026-04-02"]
    assert body["links"] == [
        {
            "label": "打开服务报告单（可打印）",
            "url": reverse("services:report", args=[service_report.pk]),
        }
    ]
    json.dumps(body)


def test_r_ex_1_a_link_is_left_out_when_the_user_may_not_open_its_target(
    send_verification, township_operator, person
):
    """A certificate notice links the certificate only where the reader may open it."""
    from yipanqi.certificates.services import issue_certificate

    certificate = issue_certificate(person.pk, acting_user=township_operator)
    notice = send_verification(
        type="certificate_notice", payload={"event": "renewed", "number": certificate.number}
    )
    described = describe(notice, township_operator)
    assert [link.url for link in described.links] == [
        reverse("certificates:detail", args=[certificate.pk])
    ]
    assert {"Certificate number", "What happened"} <= {f.label for f in described.facts}
    unknown = send_verification(
        key="verify-2", type="certificate_notice", payload={"event": "renewed", "number": "X9"}
    )
    assert describe(unknown, township_operator).links == []
