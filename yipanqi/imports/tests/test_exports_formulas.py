"""Issue 16.3: no export writes a live formula. A name, a subject or a division name that reads
`=HYPERLINK("http://x","y")` comes out of every export (web and API, CSV and XLSX) as that text:
in CSV behind an apostrophe, in XLSX as a string cell, never an `<f>` element (OWASP CSV
injection; one writer, `core.sheets`). The rejection report copies an uploaded row the same way.

Given a person registered through the real service with such a name (and the other lists' text
fields set the same way), when each export is downloaded and read back, then no cell is a formula
and the text is there as typed.
"""

import csv
import io
import json
import zipfile

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from conftest import NANSHAN_VILLAGE, SANTAI_TOWNSHIP
from yipanqi.accounts.models import ApiToken
from yipanqi.imports.models import ImportStatus
from yipanqi.imports.tests.conftest import inflow_row, write_csv

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("http://x","y")'
LISTS = ["persons", "registrations", "requests", "certificates", "statistics", "divisions"]
# What each list is asked for, so that the planted row is in it.
PARAMS = {"requests": {"box": "outbox"}, "divisions": {"within": "440305001"}}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def planted(register_inflow, village_worker, township_operator):
    """The hostile text in every list the village worker (or the home township) exports."""
    from yipanqi.certificates.services import issue_certificate
    from yipanqi.divisions.models import Division
    from yipanqi.divisions.queries import clear_caches
    from yipanqi.exchange.services import send_request

    person = register_inflow(name=HOSTILE).person
    send_request(
        "verification", sender_code=village_worker.jurisdiction_id, receiver_code=SANTAI_TOWNSHIP,
        acting_user=village_worker, idempotency_key="formula-1", persons=[person], subject=HOSTILE,
    )  # fmt: skip
    issue_certificate(person.pk, acting_user=township_operator)
    # Division names come only from the loaded national data (no user service writes them):
    # a tampered data file is the way such a name gets in, so it is planted as loaded data.
    Division.objects.filter(pk=NANSHAN_VILLAGE).update(name=HOSTILE, path_name=HOSTILE)
    clear_caches()
    yield
    clear_caches()


def _exporter(what: str, village_worker, township_operator):
    return township_operator if what == "certificates" else village_worker


def _web(user, what: str, fmt: str) -> bytes:
    client = Client()
    client.force_login(user)
    response = client.post(f"/imports/export/{what}.{fmt}", PARAMS.get(what, {}))
    assert response.status_code == 200, response
    return b"".join(response.streaming_content)


def _api(user, what: str, fmt: str) -> bytes:
    _token, key = ApiToken.issue(user, name="formula test")
    client = Client(headers={"authorization": f"Bearer {key}"})
    response = client.post(
        f"/api/v1/imports/export/{what}/{fmt}",
        json.dumps(PARAMS.get(what, {})),
        content_type="application/json",
    )
    assert response.status_code == 200, response
    return b"".join(response.streaming_content)


def assert_no_formula_in_xlsx(content: bytes) -> list[list]:
    """No <f> in any sheet's XML and no formula cell as openpyxl reads it; the values."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    book = load_workbook(io.BytesIO(content))
    values = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(c.data_type != "f" for c in row), [c.value for c in row]
            values.append([c.value for c in row])
    return values


@pytest.mark.parametrize("what", LISTS)
@pytest.mark.parametrize("channel", [_web, _api], ids=["web", "api"])
def test_issue_16_3_xlsx_exports_write_formula_text_as_text(
    planted, village_worker, township_operator, what, channel
):
    content = channel(_exporter(what, village_worker, township_operator), what, "xlsx")

    values = assert_no_formula_in_xlsx(content)

    assert any(HOSTILE in row for row in values[1:]), values  # the text itself, unchanged


@pytest.mark.parametrize("what", LISTS)
@pytest.mark.parametrize("channel", [_web, _api], ids=["web", "api"])
def test_issue_16_3_csv_exports_quote_formula_text(
    planted, village_worker, township_operator, what, channel
):
    content = channel(_exporter(what, village_worker, township_operator), what, "csv")

    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))

    cells = [cell for row in rows[1:] for cell in row]
    assert "'" + HOSTILE in cells, rows
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells), rows


def test_issue_16_3_numbers_stay_numbers_in_the_xlsx_export(planted, village_worker):
    """The counters' values are numbers in the statistics export, not text."""
    values = assert_no_formula_in_xlsx(_web(village_worker, "statistics", "xlsx"))

    assert values[1] and all(isinstance(row[-1], int) for row in values[1:]), values[:3]


def test_issue_16_3_rejection_report_copies_an_uploaded_formula_as_its_text(tmp_path, run_import):
    """R-REGN-1 report: the uploaded row comes back as typed (fit to fix and import again),
    written as text, never a formula and never with an apostrophe added."""
    rows = [inflow_row(1), inflow_row(2, name=HOSTILE, phone="+1 555 0100")]
    rows[1][2] = "=1+2"  # not an ID number: the row is rejected
    job = run_import(write_csv(tmp_path / "a.csv", rows))
    assert job.status == ImportStatus.REJECTED

    with open(job.report_path, "rb") as handle:
        values = assert_no_formula_in_xlsx(handle.read())

    copied = next(row for row in values if HOSTILE in row)
    assert "=1+2" in copied and "+1 555 0100" in copied
    book = load_workbook(job.report_path)
    cells = [c for row in book.active.iter_rows() for c in row if c.value == HOSTILE]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
