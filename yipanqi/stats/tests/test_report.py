"""R-STAT-3: the annual report of a province and of a region (compiled by its convenor) as PDF
with Chinese text, tables and charts, and as XLSX with the same figures; command and button."""

import io
import shutil
import subprocess

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from yipanqi.core.testing import assert_chinese_font
from yipanqi.stats.report import annual_report

pytestmark = pytest.mark.django_db


def _pdf_text(content: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return result.stdout.decode()


def test_r_stat_3_province_report_pdf_and_xlsx_carry_the_same_figures(
    world, province_admin, client
):
    client.force_login(province_admin)

    pdf = client.get("/stats/report/", {"at": "44", "year": "2026", "format": "pdf"})
    xlsx = client.get("/stats/report/", {"at": "44", "year": "2026", "format": "xlsx"})

    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert_chinese_font(pdf.content)
    text = _pdf_text(pdf.content)
    assert "Guangdong" in text or "广东" in text
    summary = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    rows = {r[0]: r for r in summary.iter_rows(min_row=2, values_only=True)}
    inflow = rows["Inflow registration timeliness"]
    assert inflow[2:5] == (3, 4, 75.0)
    assert "75.0%" in text  # the same figure in the PDF table


def test_r_stat_3_region_report_is_compiled_by_the_convenor_from_its_provinces(world):
    report = annual_report(jurisdiction="pan-pearl", year=2026)

    assert report.compiled_by == "广东"
    assert {row.code for row in report.rows} >= {"44", "51"}
    timeliness = next(f for f in report.figures if f.rate.code == "timeliness")
    assert (timeliness.numerator, timeliness.denominator) == (1, 4)
    inflow = next(f for f in report.figures if f.rate.code == "registration_inflow")
    assert (inflow.numerator, inflow.denominator) == (3, 4)


def test_r_stat_3_command_writes_both_files(world, tmp_path):
    call_command(
        "report", "annual", "--jurisdiction", "51", "--year", "2026", "--out", str(tmp_path)
    )

    pdf = tmp_path / "annual-report-51-2026.pdf"
    xlsx = tmp_path / "annual-report-51-2026.xlsx"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "四川" in _pdf_text(pdf.read_bytes())
    assert len(load_workbook(xlsx).sheetnames) == 5  # summary, cities, months, assessment, about


def test_r_stat_3_unknown_jurisdiction_is_refused_plainly(world, province_admin, client):
    client.force_login(province_admin)

    response = client.get("/stats/report/", {"at": "nowhere", "year": "2026", "format": "pdf"})

    assert response.status_code == 422
    assert "neither a province code" in response.content.decode()
