"""Issue 13.7, one shape of refusal: every refusal the imports, feeds, exports and tokens once
raised as their own exception class is a core.errors.Rejected or NotFound, and the API's one
handler for each answers it (422 with the field map, 404 with the message)."""

import json

import pytest
from django.test import Client, RequestFactory

from conftest import NANSHAN_VILLAGE, id_for, make_user
from yipanqi.accounts.models import ApiToken
from yipanqi.api.v1 import api
from yipanqi.core.errors import NotFound, Rejected
from yipanqi.imports.tests.conftest import TODAY, write_csv

pytestmark = pytest.mark.django_db
NANSHAN = "440305"


def _lead(tmp_path):
    """A lead in 南头城社区, from the public security bureau's temporary residence feed."""
    from yipanqi.feeds.models import Lead
    from yipanqi.imports.services import import_path

    police = make_user("gong", "department_feeder", NANSHAN, department="public_security")
    rows = [[id_for(seq=40), "李娜", "广东省深圳市南山区南头街道南头城社区", "2026.3.12"]]
    header = ["公民身份号码", "姓名", "暂住地址", "登记日期"]
    path = write_csv(tmp_path / "zz.csv", rows, header=header, title=False)
    import_path(
        path, kind="feed-temporary-residence", unit=NANSHAN, acting_user=police,
        period="2026-03", today=TODAY,
    )  # fmt: skip
    return Lead.objects.get()


def import_rejected(user, tmp_path):
    from yipanqi.imports import services

    services.upload(acting_user=user, kind="nonsense", file_name="a.csv", chunks=[b""])


def unit_refused(user, tmp_path):
    from yipanqi.imports import services

    services.importing_unit(user, "inflow", "510722101")


def unreadable_file(user, tmp_path):
    from yipanqi.imports.reading import open_table

    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    open_table(empty)


def job_not_found(user, tmp_path):
    from yipanqi.imports import services

    services.access_job(user, 999_999)


def feed_rejected(user, tmp_path):
    from yipanqi.feeds import services as feeds

    feeds.submit_zero_report(feed_type="marriage", period="2026-03", acting_user=user)


def lead_rejected(user, tmp_path):
    from yipanqi.feeds import leads

    leads.close_lead(_lead(tmp_path).pk, outcome="maybe", acting_user=user)


def lead_not_found(user, tmp_path):
    from yipanqi.feeds import leads

    leads.access_lead(user, 999_999)


def export_rejected(user, tmp_path):
    from yipanqi.imports import exports

    exports.export(user, "persons", "pdf", {})


def token_not_found(user, tmp_path):
    from yipanqi.accounts import services
    from yipanqi.audit.services import Origin

    other = make_user("other", "village_worker", NANSHAN_VILLAGE)
    token, _key = ApiToken.issue(other)
    services.revoke_own_token(token.pk, acting_user=user, origin=Origin(channel="web"))


REFUSALS = {
    # formerly: (the refusal, the status, the field its message is on, or None for a 404)
    "ImportRejected": (import_rejected, 422, "file"),
    "UnitRefused": (unit_refused, 422, "unit"),
    "UnreadableFile": (unreadable_file, 422, "file"),
    "FeedRejected": (feed_rejected, 422, "__all__"),
    "LeadRejected": (lead_rejected, 422, "__all__"),
    "ExportRejected": (export_rejected, 422, "__all__"),
    "JobNotFound": (job_not_found, 404, None),
    "LeadNotFound": (lead_not_found, 404, None),
    "TokenNotFound": (token_not_found, 404, None),
}


@pytest.mark.parametrize("former", REFUSALS)
def test_each_former_refusal_is_answered_by_the_one_api_handler(former, village_worker, tmp_path):
    refuse, status, field = REFUSALS[former]

    with pytest.raises((Rejected, NotFound)) as refused:
        refuse(village_worker, tmp_path)
    response = api.on_exception(RequestFactory().get("/api/v1/"), refused.value)

    body = json.loads(response.content)
    assert response.status_code == status and set(body) == {"detail", "errors"}
    if status == 422:
        assert isinstance(refused.value, Rejected)
        assert body["errors"] == refused.value.errors and list(body["errors"]) == [field]
        assert body["detail"] == "; ".join(refused.value.messages())
    else:
        assert isinstance(refused.value, NotFound) and body["errors"] == {}
        assert body["detail"]


def test_the_endpoints_let_the_refusals_through_to_the_handler(village_worker, tmp_path):
    _token, key = ApiToken.issue(village_worker, name="test")
    client = Client(headers={"authorization": f"Bearer {key}", "accept-language": "en"})
    lead = _lead(tmp_path)

    missing = client.post(
        "/api/v1/imports/leads/999999/close", {"outcome": "registered"}, "application/json"
    )
    job = client.get("/api/v1/imports/999999")
    zero = client.post(
        "/api/v1/imports/feeds/zero",
        {"feed_type": "marriage", "period": "2026-03"},
        "application/json",
    )
    closed = client.post(
        f"/api/v1/imports/leads/{lead.pk}/close", {"outcome": "registered"}, "application/json"
    )
    again = client.post(
        f"/api/v1/imports/leads/{lead.pk}/close", {"outcome": "registered"}, "application/json"
    )

    assert missing.status_code == 404
    assert job.status_code == 404 and job.json()["detail"] == "No such import in your jurisdiction."
    assert zero.status_code == 422 and zero.json()["errors"] == {"__all__": [zero.json()["detail"]]}
    assert closed.status_code == 200
    assert again.status_code == 422
    assert again.json() == {
        "detail": "This lead has already been closed.",
        "errors": {"__all__": ["This lead has already been closed."]},
    }
