"""The import pages: upload, column check, import with progress, result and report (issue 5)."""

from pathlib import Path

import pytest
from django.utils import translation

from conftest import NANSHAN_VILLAGE, make_user
from yipanqi.imports.models import ImportJob, ImportStatus
from yipanqi.imports.tests.conftest import TODAY, inflow_row, write_csv, write_xlsx
from yipanqi.people.models import Registration

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def synchronous(monkeypatch):
    """Run the job where the thread would, after commit, in the test's own connection."""
    from yipanqi.imports import services

    monkeypatch.setattr(
        services, "_run_in_thread", lambda job_id: services.run(job_id, today=TODAY)
    )


def _upload(client, path, kind="inflow", **extra):
    with path.open("rb") as handle:
        return client.post("/imports/", {"kind": kind, "file": handle, **extra})


def test_r_regn_1_upload_preview_import_and_result(
    client, village_worker, tmp_path, synchronous, django_capture_on_commit_callbacks
):
    client.force_login(village_worker)
    path = write_xlsx(tmp_path / "登记.xlsx", [inflow_row(n) for n in range(1, 6)])

    response = _upload(client, path)

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    assert job.status == ImportStatus.UPLOADED and job.header_row == 2  # under title and note
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "身份证号" in page and 'value="id_number" selected' in page
    assert inflow_row(1)[1] in page  # a first value shown beside its column

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/imports/{job.pk}/start/", {"col-2": "id_number", "col-1": "name",
            "col-4": "home_code", "col-5": "residence_code", "col-6": "arrival_date",
            "col-7": "reason", "col-8": "marital_status", "col-9": "phone"})  # fmt: skip

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.error
    assert Registration.objects.count() == 5
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "Imported" in page and ">5</strong> created" in page
    # P5: once imported, the uploaded file with its plain ID numbers is not kept.
    assert not Path(job.stored_path).exists()


def test_progress_is_polled_until_the_job_finishes(client, village_worker, tmp_path):
    from yipanqi.imports import services

    client.force_login(village_worker)
    _upload(client, write_csv(tmp_path / "a.csv", [inflow_row(1)]))
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    services.write_progress(job.pk, 400, 1000)

    running = client.get(f"/imports/{job.pk}/progress/")

    assert 'hx-trigger="every 1s"' in running.content.decode()
    assert 'value="40"' in running.content.decode()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, rows=1)
    done = client.get(f"/imports/{job.pk}/progress/")
    assert done["HX-Refresh"] == "true"
    assert "hx-trigger" not in done.content.decode()


def test_rejected_import_offers_the_report(
    client, village_worker, tmp_path, synchronous, django_capture_on_commit_callbacks
):
    client.force_login(village_worker)
    rows = [inflow_row(1), inflow_row(2, phone="12")]
    _upload(client, write_csv(tmp_path / "a.csv", rows))
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{job.pk}/start/", {})

    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "1 row has errors, so nothing was written" in page
    report = client.get(f"/imports/{job.pk}/report/")
    assert report.status_code == 200
    assert report["Content-Disposition"].startswith("attachment")
    assert Registration.objects.count() == 0


def test_an_unreadable_upload_is_explained_and_nothing_is_kept(client, village_worker, tmp_path):
    client.force_login(village_worker)
    path = tmp_path / "a.csv"
    path.write_bytes("\u59d3\u540d,\u5907\u6ce8\n\u738b\u82b3,x\n".encode())

    response = _upload(client, path)

    assert response.status_code == 200
    assert "No header row was found" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_r_acc_2_jobs_of_other_jurisdictions_are_not_found(
    client, village_worker, other_county_admin, tmp_path
):
    client.force_login(village_worker)
    _upload(client, write_csv(tmp_path / "a.csv", [inflow_row(1)]))
    job = ImportJob.objects.get()
    client.force_login(other_county_admin)

    assert client.get(f"/imports/{job.pk}/").status_code == 404
    assert client.get(f"/imports/{job.pk}/report/").status_code == 404
    assert client.post(f"/imports/{job.pk}/start/", {}).status_code == 404


def test_only_registering_staff_may_upload_registrations(client, province_admin, tmp_path):
    client.force_login(province_admin)
    page = client.get("/imports/").content.decode()
    assert 'name="file"' not in page
    response = _upload(client, write_csv(tmp_path / "a.csv", [inflow_row(1)]))
    assert not ImportJob.objects.exists()
    assert response.status_code == 200


def test_the_importing_unit_is_the_users_own(client, tmp_path):
    other = make_user("wu", "village_worker", "440305001003")
    client.force_login(other)
    _upload(client, write_csv(tmp_path / "a.csv", [inflow_row(1)]))
    job = ImportJob.objects.get()
    assert job.unit_id == "440305001003" != NANSHAN_VILLAGE
