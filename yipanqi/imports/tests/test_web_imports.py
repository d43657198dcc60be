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


def test_roles_without_registrations_see_no_upload_form(client, auditor, tmp_path):
    auditor.role = "national_admin"
    auditor.save(update_fields=["role"])
    client.force_login(auditor)
    page = client.get("/imports/").content.decode()
    assert 'name="file"' not in page
    response = _upload(client, write_csv(tmp_path / "a.csv", [inflow_row(1)]))
    assert not ImportJob.objects.exists()
    assert response.status_code == 200


def test_r_acc_2_a_province_admin_imports_for_a_village_of_the_province(
    client, province_admin, tmp_path
):
    """Issue 12.16: an administrator chooses the unit with the division picker; it is checked
    against their area and recorded in the audit trail."""
    from yipanqi.audit.models import AuditEvent

    client.force_login(province_admin)
    page = client.get("/imports/").content.decode()
    assert 'name="file"' in page and "data-picker" in page and 'name="unit"' in page

    response = _upload(client, write_csv(tmp_path / "a.csv", [inflow_row(1)]), unit=NANSHAN_VILLAGE)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert (job.unit_id, job.created_by_id) == (NANSHAN_VILLAGE, province_admin.pk)
    uploaded = AuditEvent.objects.filter(object_type="import", object_id=str(job.pk)).get()
    assert uploaded.detail["unit"] == NANSHAN_VILLAGE and uploaded.detail["for_unit"] is True


@pytest.mark.parametrize(
    ("unit", "words"),
    [
        ("", "Please choose the township or village"),
        ("510722101", "outside your area"),  # 四川: another province
        ("440305", "township or a village"),  # a whole county
        ("440305999999", "no division with code"),
    ],
)
def test_r_acc_2_an_admins_unit_outside_the_area_or_too_high_changes_nothing(
    client, province_admin, tmp_path, unit, words
):
    client.force_login(province_admin)
    response = _upload(client, write_csv(tmp_path / "a.csv", [inflow_row(1)]), unit=unit)
    assert response.status_code == 200
    assert words in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_county_admin_imports_only_inside_the_county(client, other_county_admin, tmp_path):
    client.force_login(other_county_admin)  # 南京玄武区
    response = _upload(client, write_csv(tmp_path / "a.csv", [inflow_row(1)]), unit=NANSHAN_VILLAGE)
    assert "outside your area" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_village_worker_cannot_import_for_another_unit(client, village_worker, tmp_path):
    client.force_login(village_worker)
    _upload(client, write_csv(tmp_path / "a.csv", [inflow_row(1)]), unit="440305001003")
    job = ImportJob.objects.get()
    assert job.unit_id == NANSHAN_VILLAGE  # the form has no unit for her: her own is used


def test_the_job_page_lists_the_rejected_rows_with_column_and_reason(
    client, village_worker, tmp_path, synchronous, django_capture_on_commit_callbacks
):
    """Issue 12.16: the first rejected rows are on the page, 50 a page, beside the report."""
    rows = [inflow_row(n) for n in range(1, 121)]
    for n in range(0, 120, 2):
        rows[n][9] = "110"  # not a phone number: 60 rows rejected
    rows[3][6] = "2026-02-30"  # not a real date
    client.force_login(village_worker)
    _upload(client, write_csv(tmp_path / "a.csv", rows))
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{job.pk}/start/", {})
    job.refresh_from_db()
    assert job.status == ImportStatus.REJECTED and job.rejected == 61

    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "Rows not imported and why" in page and "/report/" in page
    assert page.count('class="mono">') >= 50
    first = job.rejected_rows[0]
    assert first["field"] == "phone" and first["column"] == "联系电话"
    assert first["row"] == 3  # the title and the header come first
    assert "11 位手机号码" in first["reason"] and first["reason"] in page  # stored in Chinese
    date = next(r for r in job.rejected_rows if r["field"] == "arrival_date")
    assert date["column"] == "到达日期" and "2026-02-30" in date["reason"]
    assert "?rejected=2" in page  # show more
    more = client.get(f"/imports/{job.pk}/?rejected=2").content.decode()
    last = job.rejected_rows[-1]
    assert f'class="mono">{last["row"]}<' in more and "?rejected=1" in more


def test_the_importing_unit_is_the_users_own(client, tmp_path):
    other = make_user("wu", "village_worker", "440305001003")
    client.force_login(other)
    _upload(client, write_csv(tmp_path / "a.csv", [inflow_row(1)]))
    job = ImportJob.objects.get()
    assert job.unit_id == "440305001003" != NANSHAN_VILLAGE
