"""R-SVC-2: the residence sends the service report home through the exchange; the home side
has it at once, acknowledges it, and both print it."""

import datetime as dt

import pytest

from conftest import NANSHAN_VILLAGE, SANTAI_TOWNSHIP
from yipanqi.audit.models import AuditEvent
from yipanqi.core.errors import Rejected
from yipanqi.core.testing import assert_chinese_font
from yipanqi.exchange.models import RequestStatus, RequestType
from yipanqi.exchange.services import answer_request
from yipanqi.services import services
from yipanqi.services.models import ServiceReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def given(village_worker, person):
    """Two services given in 南山 in spring 2026, one of them charged."""
    for service_type, day, amount in (
        ("reproductive_checkup", dt.date(2026, 3, 10), 0),
        ("oral_contraceptives", dt.date(2026, 4, 2), 15),
    ):
        services.record_service(
            services.ServiceInput(
                person_id=person.pk,
                service_type=service_type,
                given_on=day,
                provider="南头街道计生服务站",
                amount_charged=amount,
            ),
            acting_user=village_worker,
        )


def _send(user, person, key="r-1", **overrides):
    data = {
        "person_id": person.pk,
        "period_from": dt.date(2026, 1, 1),
        "period_to": dt.date(2026, 6, 30),
        "contraception": "口服避孕药",
        "idempotency_key": key,
    }
    data.update(overrides)
    return services.send_service_report(services.ReportInput(**data), acting_user=user)


def test_r_svc_2_report_goes_home_through_the_exchange(village_worker, person, given):
    """R-SVC-2 / R-EX-2: the report is a service_report request from the 南山 village to the
    三台 home township, delivered at once, due in 15 working days, listing both services."""
    report = _send(village_worker, person)

    request = report.request
    assert request.type == RequestType.SERVICE_REPORT
    assert (request.sender_id, request.receiver_id) == (NANSHAN_VILLAGE, SANTAI_TOWNSHIP)
    assert request.status == RequestStatus.DELIVERED
    assert request.deadline_days == 15
    assert list(request.persons.all()) == [person]
    assert [s["service"] for s in request.payload["services"]] == [
        "生殖健康检查（孕情环情检查）",
        "口服避孕药",
    ]
    assert report.records.count() == 2


def test_r_svc_2_home_side_sees_and_acknowledges_the_report(
    village_worker, township_operator, person, given, client
):
    """R-SVC-2: once delivered the home township reads the report (page and PDF) and answers;
    the residence then sees it was received."""
    report = _send(village_worker, person)
    client.force_login(township_operator)

    page = client.get(f"/services/reports/{report.pk}/")
    answer_request(
        report.request_id,
        answer="Received; no further action needed.",
        acting_user=township_operator,
    )
    client.force_login(village_worker)
    after = client.get(f"/services/reports/{report.pk}/")

    assert page.status_code == 200
    assert "the report is the proof" in page.content.decode() or "this report is the proof" in (
        page.content.decode()
    )
    assert "received and answered" in after.content.decode()
    assert AuditEvent.objects.filter(
        object_type="service_report", object_id=str(report.pk), actor=township_operator
    ).exists()


def test_r_svc_2_report_prints_as_pdf(village_worker, person, given, client):
    """R-SVC-2: the printable 报告单 is a PDF (the embedded Chinese font), and printing is audited."""
    report = _send(village_worker, person)
    client.force_login(village_worker)

    response = client.get(f"/services/reports/{report.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert_chinese_font(response.content)
    assert AuditEvent.objects.filter(action="export", object_type="service_report").count() == 1


def test_r_ex_5_the_same_report_sent_twice_exists_once(village_worker, person, given):
    """R-EX-5: a double submission with the same key returns the first report."""
    first = _send(village_worker, person, key="same")
    second = _send(village_worker, person, key="same")

    assert first.pk == second.pk
    assert ServiceReport.objects.count() == 1


def test_r_svc_2_empty_period_is_refused(village_worker, person, given):
    """R-SVC-2: a period with no recorded service is refused in plain words; nothing is sent."""
    with pytest.raises(Rejected, match="No services were recorded"):
        _send(
            village_worker, person, period_from=dt.date(2025, 1, 1), period_to=dt.date(2025, 12, 31)
        )

    assert not ServiceReport.objects.exists()


def test_r_svc_2_only_the_residence_sends_it(township_operator, person, given):
    """R-SVC-2: the home side cannot send the residence's report."""
    with pytest.raises(Rejected, match="place of residence"):
        _send(township_operator, person)


def test_r_acc_2_another_county_cannot_open_the_report(
    village_worker, other_county_admin, person, given, client
):
    """R-ACC-2: 玄武区 gets 404 for the report and its PDF."""
    report = _send(village_worker, person)
    client.force_login(other_county_admin)

    assert client.get(f"/services/reports/{report.pk}/").status_code == 404
    assert client.get(f"/services/reports/{report.pk}/pdf/").status_code == 404


def test_r_svc_2_report_sent_from_the_web_form(village_worker, person, given, client):
    """R-SVC-2: the person page links to the form; sending it leads to the report page."""
    client.force_login(village_worker)
    form = client.get(f"/services/persons/{person.pk}/report/")
    key = form.context["form"].initial["idempotency_key"]

    response = client.post(
        f"/services/persons/{person.pk}/report/",
        {
            "period_from": "2026-01-01",
            "period_to": "2026-06-30",
            "contraception": "",
            "remarks": "",
            "idempotency_key": key,
        },
    )

    report = ServiceReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/services/reports/{report.pk}/"
