"""Issue 16.3: the dashboard table and the annual report XLSX never write a live formula. A
jurisdiction's name is reference data, but a tampered data file could make one read
`=HYPERLINK(...)`; it must come out as that text, never as an `<f>` element (`core.sheets`)."""

import io
import zipfile

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("http://x","y")'


@pytest.fixture
def hostile_names():
    """深圳市 and 南山区 renamed as a tampered division file would load them."""
    from yipanqi.divisions.models import Division
    from yipanqi.divisions.queries import clear_caches

    for code in ("4403", "440305"):
        Division.objects.filter(pk=code).update(name=HOSTILE, path_name=HOSTILE)
    clear_caches()
    yield
    clear_caches()


def _cells(content: bytes) -> list:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    book = load_workbook(io.BytesIO(content))
    return [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]


def test_issue_16_3_dashboard_xlsx_writes_a_formula_name_as_text(
    hostile_names, province_admin, client
):
    client.force_login(province_admin)

    response = client.get("/stats/export.xlsx", {"at": "4403", "period": "2026"})

    assert response.status_code == 200  # the sheet is named after the place: ":" is refused
    cells = _cells(response.content)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert [c for c in cells if c.value == HOSTILE]


def test_issue_16_3_annual_report_xlsx_writes_a_formula_name_as_text(
    hostile_names, province_admin, client
):
    client.force_login(province_admin)

    response = client.get("/stats/report/", {"at": "44", "year": "2026", "format": "xlsx"})

    assert response.status_code == 200
    cells = _cells(response.content)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert [c for c in cells if c.value == HOSTILE]
    assert all(isinstance(c.value, int | float) for c in cells if c.data_type == "n" and c.value)
