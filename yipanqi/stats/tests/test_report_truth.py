"""R-STAT-3: the annual report tells the truth on paper: no number or fraction broken across
lines, no report for a year that has not begun, a partial year says so, a sex ratio from a
handful of births is not flagged (R-STAT-5), native charts in the XLSX, and the same report
and the two-way assessment (R-STAT-2) in the API."""

import datetime as dt
import io
import re
import zipfile

import pytest
from openpyxl import load_workbook

from yipanqi.accounts.models import ApiToken
from yipanqi.ledger.counters import bump
from yipanqi.stats.report import annual_report, report_pdf, report_xlsx
from yipanqi.stats.tests.test_report import _pdf_text

pytestmark = pytest.mark.django_db
AFTER_2025 = dt.date(2026, 3, 1)


def _api(client, user):
    _token, key = ApiToken.issue(user, name="report-test")
    return type(client)(headers={"authorization": f"Bearer {key}"})


def _big_year(year=2025):
    """Guangdong's cities with national-size counts, so fractions are as wide as they get."""
    month = dt.date(year, 3, 1)
    for code, (hit, total) in {"4403": (4001403, 4284655), "4401": (90, 99)}.items():
        for metric, n in (("reg_in.in_time", hit), ("reg_in.total", total)):
            bump(metric, code, month, n)
        for metric, n in (("svc.free", hit), ("svc.basic", total)):
            bump(metric, code, month, n)


def test_r_stat_3_pdf_never_breaks_a_number_or_a_fraction(db):
    """R-STAT-3: every '(numerator/denominator)' of the by-city table reads whole on one line
    of the PDF's text, and no line holds a fraction's broken half."""
    _big_year()

    text = _pdf_text(report_pdf(annual_report(jurisdiction="44", year=2025, today=AFTER_2025)))

    assert "(4001403/4284655)" in text
    assert "(90/99)" in text
    for line in text.splitlines():
        for piece in re.findall(r"\(\d+/\d*\)?|\d+/\d*\)", line):
            assert re.fullmatch(r"\(\d+/\d+\)", piece), (piece, line)


def test_r_stat_3_a_year_not_begun_is_refused_in_words(db, province_admin, client):
    """R-STAT-3: no report for a year to come (web and API), nothing produced."""
    client.force_login(province_admin)

    web = client.get("/stats/report/", {"at": "44", "year": "2099", "format": "pdf"})
    api = _api(client, province_admin).get("/api/v1/stats/report", {"at": "44", "year": 2099})

    assert web.status_code == 422
    assert "has not started yet" in web.content.decode()
    assert not web.content.startswith(b"%PDF")
    assert api.status_code == 422
    assert "2099" in api.json()["errors"]["year"][0]


def test_r_stat_3_the_year_in_progress_says_it_is_partial_and_to_which_day(db):
    """R-STAT-3: a 2026 report made on 2 December 2026 says it counts to that day only; a 2025
    report made in 2026 is whole."""
    today = dt.date(2026, 12, 2)
    partial = annual_report(jurisdiction="44", year=2026, today=today)
    whole = annual_report(jurisdiction="44", year=2025, today=today)

    text = _pdf_text(report_pdf(partial))
    about = load_workbook(io.BytesIO(report_xlsx(partial)))["About"]

    assert partial.partial_until == today and whole.partial_until is None
    assert "Partial report" in text
    assert "2026-01-01 to 2026-12-02 only" in text
    assert "2025-12-31" in whole.period_text
    assert any("2026-12-02" in str(c.value) for row in about.iter_rows() for c in row)


def test_r_stat_5_one_birth_is_a_sample_too_small_not_a_flag(db, settings):
    """R-STAT-5: one boy and no girl is not 'outside 103-107': the report says the sample is
    below the stated minimum (settings.SEX_RATIO_MIN_BIRTHS)."""
    settings.SEX_RATIO_MIN_BIRTHS = 1000
    bump("birth.male", "440305", dt.date(2025, 5, 1), 1)
    bump("birth.female", "440305", dt.date(2025, 5, 1), 1)
    bump("birth.male", "440305", dt.date(2025, 6, 1), 1)
    report = annual_report(jurisdiction="44", year=2025, today=AFTER_2025)

    text = " ".join(_pdf_text(report_pdf(report)).split())
    sex = next(f for f in report.figures if f.rate.code == "sex_ratio")

    assert (sex.numerator, sex.denominator) == (2, 1)
    assert sex.meets is None and sex not in report.flagged
    assert "too small to judge: 3 births, fewer than the 1000" in text
    assert "Outside the normal range" not in text


def test_r_stat_3_xlsx_has_native_charts_over_its_own_cells(db):
    """R-STAT-3: the summary carries a bar chart of the rates against their targets and the
    month sheet a line chart of the trend, as Excel charts reading the sheet's cells."""
    _big_year()
    content = report_xlsx(annual_report(jurisdiction="44", year=2025, today=AFTER_2025))

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        charts = [archive.read(n).decode() for n in archive.namelist() if "charts/chart" in n]
    book = load_workbook(io.BytesIO(content))

    assert len(charts) == 2, charts
    assert any("barChart>" in c and "Summary!$E$2" in c.replace("'", "") for c in charts)
    assert any("lineChart>" in c and "By month" in c for c in charts)
    summary = {r[0]: r for r in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Free-service rate"][4] == pytest.approx(93.39, abs=0.01)


def test_r_stat_3_report_api_json_and_files_are_the_web_s_figures(db, province_admin, client):
    """R-STAT-3 in the API: typed JSON with the same figures, and the PDF / XLSX files."""
    _big_year()
    api = _api(client, province_admin)

    data = api.get("/api/v1/stats/report", {"at": "44", "year": 2025}).json()
    pdf = api.get("/api/v1/stats/report", {"at": "44", "year": 2025, "format": "pdf"})
    xlsx = api.get("/api/v1/stats/report", {"at": "44", "year": 2025, "format": "xlsx"})

    inflow = next(r for r in data["rates"] if r["code"] == "registration_inflow")
    assert (inflow["numerator"], inflow["denominator"]) == (4001403 + 90, 4284655 + 99)
    shenzhen = next(r for r in data["rows"] if r["code"] == "4403")
    assert shenzhen["rates"][0]["numerator"] == 4001403
    assert len(data["months"]) == 12
    assert data["partial_until"] is None
    assert pdf.content.startswith(b"%PDF") and pdf["content-type"] == "application/pdf"
    assert xlsx.content.startswith(b"PK")


def test_r_stat_2_assessment_api_and_403_for_the_separated_roles(
    world, township_operator, auditor, client
):
    """R-STAT-2 in the API: the scorecard's sides, lines and requests by type; the auditor
    (三员) gets 403; a month is refused in words."""
    api = _api(client, township_operator)

    card = api.get("/api/v1/stats/assessment", {"at": "510722", "period": "2026"})
    month = api.get("/api/v1/stats/assessment", {"at": "510722", "period": "2026-10"})
    refused = _api(client, auditor).get("/api/v1/stats/assessment", {"period": "2026"})

    assert card.status_code == 200
    body = card.json()
    assert [s["side"] for s in body["sections"]] == ["home", "residence", "both"]
    assert body["requests_by_type"]
    assert all("failures" in i for s in body["sections"] for i in s["items"])
    assert month.status_code == 422
    assert refused.status_code == 403
