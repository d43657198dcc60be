"""In headless Chromium (issue 12.16): the import's progress bar moves while the rows are
read, checked and written, and the job page lists the rejected rows with their reasons; a
province administrator imports for a village chosen with the division picker.

The file is small to keep the test fast; its rows are checked slowly (a sleep every 50
rows) so that the page, polling every second, sees the bar between 0% and 100%.
"""

import json
import time

import pytest

from conftest import NANSHAN_VILLAGE, make_user
from tests.e2e.conftest import CHROMIUM, DESKTOP, PHONE, log_in
from yipanqi.imports.tests.conftest import inflow_row, write_csv

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

# Every swap of the progress bar appends its value to sessionStorage (kept across the reload
# that shows the result).
RECORD = """
(() => {
  const note = () => {
    const bar = document.querySelector("#progress progress");
    if (!bar) return;
    const seen = JSON.parse(sessionStorage.getItem("progress") || "[]");
    seen.push(Number(bar.value));
    sessionStorage.setItem("progress", JSON.stringify(seen));
  };
  document.addEventListener("DOMContentLoaded", note);
  document.addEventListener("htmx:afterSwap", note);
})();
"""


@pytest.fixture
def slow_rows(monkeypatch):
    from yipanqi.imports import pipeline

    real = pipeline.RowChecker.check

    def check(self, row, cells):
        if row % 50 == 0:
            time.sleep(0.1)
        return real(self, row, cells)

    monkeypatch.setattr(pipeline.RowChecker, "check", check)
    monkeypatch.setattr(pipeline, "WRITE_SLICE", 200)


def _file(tmp_path, rows=1500, bad_every=25):
    data = [inflow_row(n) for n in range(1, rows + 1)]
    for n in range(0, rows, bad_every):
        data[n][9] = "110"  # not a phone number
    return write_csv(tmp_path / "流入登记.csv", data)


def test_the_progress_bar_moves_and_the_rejected_rows_are_listed(
    new_page, shot, tmp_path, settings, slow_rows
):
    from yipanqi.imports.models import ImportJob

    settings.VAR_DIR = tmp_path / "var"
    make_user("alice", "village_worker", NANSHAN_VILLAGE)
    page = new_page(PHONE)
    page.add_init_script(RECORD)
    log_in(page, "alice")
    page.goto("/imports/")
    page.select_option("select[name=kind]", "inflow")
    page.set_input_files("input[name=file]", str(_file(tmp_path)))
    page.click("form[enctype] button.primary")
    page.wait_for_url("**/imports/*/")

    page.check("input[name=valid_rows_only]")
    page.click("form[action$='/start/'] button.primary")
    page.wait_for_selector("#progress .import-phases", timeout=20_000)
    shot(page, "1-progress")
    page.wait_for_selector("div.stats", timeout=60_000)

    seen = json.loads(page.evaluate("sessionStorage.getItem('progress')") or "[]")
    moving = [v for v in seen if 0 < v < 100]
    assert len(set(moving)) >= 2, seen  # the bar stood between 0% and 100% more than once
    assert seen == sorted(seen)
    job = ImportJob.objects.get()
    assert (job.status, job.created, job.rejected) == ("done", 1440, 60)

    table = page.locator("table.rejected-rows tbody tr")
    assert table.count() == 50
    first = table.first.inner_text()
    assert "联系电话" in first and "11 位手机号码" in first
    assert page.locator("a[href$='/report/']").count() == 1
    shot(page, "2-rejected-rows")
    page.click("text=显示更多问题")
    assert page.locator("table.rejected-rows tbody tr").count() == 10
    assert page.js_errors == []


def test_a_province_admin_imports_for_a_village_chosen_with_the_picker(
    new_page, shot, tmp_path, settings
):
    from yipanqi.imports.models import ImportJob

    settings.VAR_DIR = tmp_path / "var"
    make_user("dora", "province_admin", "44")
    page = new_page(DESKTOP)
    log_in(page, "dora")
    page.goto("/imports/")
    page.select_option("select[name=kind]", "inflow")
    picker = page.locator(".import-unit [data-picker]")
    for level, code in enumerate(["44", "4403", "440305", "440305001", NANSHAN_VILLAGE], 1):
        select = picker.locator(f"select[data-level='{level}']")
        select.wait_for()
        select.select_option(code)
    assert picker.locator("input[name=unit]").input_value() == NANSHAN_VILLAGE
    page.set_input_files("input[name=file]", str(write_csv(tmp_path / "a.csv", [inflow_row(1)])))
    shot(page, "1-unit-chosen")
    page.click("form[enctype] button.primary")
    page.wait_for_url("**/imports/*/")
    job = ImportJob.objects.get()
    assert job.unit_id == NANSHAN_VILLAGE
    assert "南头城社区" in page.locator("dl.facts").inner_text()
    assert page.js_errors == []
