"""End to end in headless Chromium: a village worker imports a spreadsheet on a phone.

Upload, the column check, an all-or-nothing refusal with its report, the import of the valid
rows with the progress bar polled by htmx, and the same file again changing nothing.
"""

import pytest

from conftest import NANSHAN_VILLAGE, make_user
from tests.e2e.conftest import CHROMIUM, PHONE, log_in
from yipanqi.imports.tests.conftest import inflow_row, write_xlsx

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]


@pytest.fixture
def regions(divisions):
    from yipanqi.regions.seed import seed_regions

    seed_regions()


def _upload(page, path):
    page.goto("/imports/")
    page.select_option("select[name=kind]", "inflow")
    page.set_input_files("input[name=file]", str(path))
    page.click("form[enctype] button.primary")
    page.wait_for_url("**/imports/*/")


def _import(page, *, valid_rows_only=False):
    if valid_rows_only:
        page.check("input[name=valid_rows_only]")
    page.click("form[action$='/start/'] button.primary")
    # The progress bar polls until the job has finished, then the page reloads with the result.
    page.wait_for_selector("div.stats", timeout=60_000)


def test_r_regn_1_phone_import_with_report_valid_rows_and_reimport(
    new_page, shot, tmp_path, regions, settings
):
    from yipanqi.imports.models import ImportJob
    from yipanqi.people.models import Registration

    settings.VAR_DIR = tmp_path / "var"
    make_user("alice", "village_worker", NANSHAN_VILLAGE)
    rows = [inflow_row(n) for n in range(1, 31)]
    rows[11][9] = "110"  # not a phone number
    path = write_xlsx(tmp_path / "南头城社区3月流入.xlsx", rows)
    page = new_page(PHONE)
    log_in(page, "alice")

    _upload(page, path)
    assert page.locator("#mapping select[name=col-2]").input_value() == "id_number"
    assert page.locator("#mapping select[name=col-5]").input_value() == "residence_code"
    shot(page, "1-columns")

    _import(page)
    assert page.locator(".error-box").count() >= 1
    assert Registration.objects.count() == 0
    with page.expect_download() as download:
        page.click("a[href$='/report/']")
    assert download.value.suggested_filename.endswith(".xlsx")
    shot(page, "2-rejected")

    _import(page, valid_rows_only=True)
    assert Registration.objects.count() == 29
    job = ImportJob.objects.latest("pk")
    assert (job.status, job.created, job.rejected) == ("done", 29, 1)
    shot(page, "3-imported")

    _upload(page, path)  # the same file again
    assert page.locator("p.badge.warn").count() == 1  # "this same file was imported on …"
    _import(page, valid_rows_only=True)
    assert Registration.objects.count() == 29
    assert ImportJob.objects.latest("pk").unchanged == 29
    assert page.js_errors == []
