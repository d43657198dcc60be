"""/api/v1/imports: upload, progress, report, leads, feeds and exports over the JSON API."""

import json

import pytest
from django.test import Client

from yipanqi.accounts.models import ApiToken
from yipanqi.imports.tests.conftest import TODAY, inflow_row, write_csv
from yipanqi.people.models import Registration

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    _token, key = ApiToken.issue(user, name="test")
    return Client(headers={"authorization": f"Bearer {key}"})


@pytest.fixture
def synchronous(monkeypatch):
    """Run each job at once, in the request, instead of in a thread after commit."""
    from yipanqi.imports import services

    monkeypatch.setattr(services, "_after_commit", lambda job_id: services.run(job_id, today=TODAY))


def test_r_regn_1_upload_runs_the_import_and_reports_the_counts(
    village_worker, tmp_path, synchronous
):
    client = api(village_worker)
    path = write_csv(tmp_path / "a.csv", [inflow_row(n) for n in range(1, 6)], encoding="gb18030")

    with path.open("rb") as handle:
        response = client.post("/api/v1/imports/", {"kind": "inflow", "file": handle})

    assert response.status_code == 201, response.content
    job = response.json()
    followed = client.get(f"/api/v1/imports/{job['id']}").json()
    assert (followed["status"], followed["created"], followed["progress_percent"]) == (
        "done", 5, 100,
    )  # fmt: skip
    assert Registration.objects.count() == 5


def test_r_ex_5_the_same_file_again_is_recognised_and_changes_nothing(
    village_worker, tmp_path, synchronous
):
    client = api(village_worker)
    path = write_csv(tmp_path / "a.csv", [inflow_row(n) for n in range(1, 4)])
    with path.open("rb") as handle:
        first = client.post("/api/v1/imports/", {"kind": "inflow", "file": handle}).json()
    with path.open("rb") as handle:
        second = client.post("/api/v1/imports/", {"kind": "inflow", "file": handle}).json()

    again = client.get(f"/api/v1/imports/{second['id']}").json()
    assert again["unchanged"] == 3 and again["created"] == 0
    assert again["previous_import"] == first["id"]
    assert Registration.objects.count() == 3


def test_rejected_rows_give_a_report_to_download(village_worker, tmp_path, synchronous):
    client = api(village_worker)
    path = write_csv(tmp_path / "a.csv", [inflow_row(1), inflow_row(2, arrival="2026-02-30")])
    with path.open("rb") as handle:
        job = client.post("/api/v1/imports/", {"kind": "inflow", "file": handle}).json()

    shown = client.get(f"/api/v1/imports/{job['id']}").json()
    assert (shown["status"], shown["rejected"], shown["has_report"]) == ("rejected", 1, True)
    report = client.get(f"/api/v1/imports/{job['id']}/report")
    assert report.status_code == 200
    assert report["Content-Disposition"].startswith("attachment")


def test_rejected_rows_are_listed_with_row_column_and_reason(village_worker, tmp_path, synchronous):
    """Issue 12.16: the first problems come with the job, all of them page by page."""
    client = api(village_worker)
    rows = [inflow_row(n, phone="110") for n in range(1, 61)] + [inflow_row(61)]
    path = write_csv(tmp_path / "a.csv", rows)
    with path.open("rb") as handle:
        job = client.post("/api/v1/imports/", {"kind": "inflow", "file": handle}).json()

    shown = client.get(f"/api/v1/imports/{job['id']}").json()
    assert len(shown["rejected_rows"]) == 50
    assert shown["rejected_rows"][0] == {
        "row": 3, "field": "phone", "column": "联系电话",
        "reason": "请填写 11 位手机号码，或带区号的固定电话。",
    }  # fmt: skip
    assert shown["progress"]["phase"] == "finished" and shown["progress"]["percent"] == 100
    second = client.get(f"/api/v1/imports/{job['id']}/rejected-rows", {"page": 2}).json()
    assert (second["page"], second["pages"], second["kept"]) == (2, 2, 60)
    assert [r["row"] for r in second["rows"]] == list(range(53, 63))


def test_r_acc_2_a_province_admin_uploads_for_a_village_of_the_province(province_admin, tmp_path):
    from conftest import NANSHAN_VILLAGE, SANTAI_VILLAGE

    client = api(province_admin)
    path = write_csv(tmp_path / "a.csv", [inflow_row(1)])
    with path.open("rb") as handle:
        outside = client.post(
            "/api/v1/imports/",
            {"kind": "inflow", "file": handle, "unit": SANTAI_VILLAGE, "start": "false"},
        )
    with path.open("rb") as handle:
        inside = client.post(
            "/api/v1/imports/",
            {"kind": "inflow", "file": handle, "unit": NANSHAN_VILLAGE, "start": "false"},
        )
    assert outside.status_code == 422 and "辖区" in outside.json()["detail"]
    assert inside.status_code == 201 and inside.json()["unit"] == NANSHAN_VILLAGE


def test_bad_input_is_422_with_the_reason(village_worker, tmp_path):
    client = api(village_worker)
    path = tmp_path / "a.csv"
    path.write_bytes(b"\x00\x01\x02binary")

    with path.open("rb") as handle:
        response = client.post("/api/v1/imports/", {"kind": "inflow", "file": handle})

    assert response.status_code == 422
    assert response.json()["detail"]
    assert client.post("/api/v1/imports/", {"kind": "inflow"}).status_code == 422


def test_r_acc_2_other_jurisdictions_get_404(village_worker, other_county_admin, tmp_path):
    with write_csv(tmp_path / "a.csv", [inflow_row(1)]).open("rb") as handle:
        job = (
            api(village_worker)
            .post("/api/v1/imports/", {"kind": "inflow", "file": handle, "start": "false"})
            .json()
        )
    outsider = api(other_county_admin)

    assert outsider.get(f"/api/v1/imports/{job['id']}").status_code == 404
    assert outsider.post(
        f"/api/v1/imports/{job['id']}/start", "{}", content_type="application/json"
    ).status_code == 404  # fmt: skip
    assert outsider.get("/api/v1/imports/").json() == []


def test_preview_and_start_with_a_mapping(village_worker, tmp_path, synchronous):
    client = api(village_worker)
    with write_csv(tmp_path / "a.csv", [inflow_row(1)]).open("rb") as handle:
        job = client.post(
            "/api/v1/imports/", {"kind": "inflow", "file": handle, "start": "false"}
        ).json()

    preview = client.get(f"/api/v1/imports/{job['id']}/preview").json()
    assert preview["mapping"]["2"] == "id_number"
    started = client.post(
        f"/api/v1/imports/{job['id']}/start",
        json.dumps({"mapping": preview["mapping"], "dry_run": True}),
        content_type="application/json",
    )
    assert started.status_code == 200
    assert client.get(f"/api/v1/imports/{job['id']}").json()["status"] == "checked"
    assert Registration.objects.count() == 0


def test_export_over_the_api_is_streamed_and_masked(village_worker, register_inflow):
    person = register_inflow().person
    response = api(village_worker).post(
        "/api/v1/imports/export/persons/csv", json.dumps({}), content_type="application/json"
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert person.id_number_masked in body and person.reveal_id_number() not in body
