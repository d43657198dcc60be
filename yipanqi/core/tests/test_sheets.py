"""Issue 16.3: core.sheets, the one writer of spreadsheet cells. Every first character that makes
a spreadsheet evaluate a cell (OWASP CSV injection, ASVS 5.0 1.2.10, and the full-width forms)
is neutralised in CSV and XLSX; numbers, dates and ordinary text are written as they are."""

import csv
import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from yipanqi.core import sheets

RISKY = ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "＝1+1", "＋1", "－1", "＠A",
         " =1+1", "\u3000=1+1", '=HYPERLINK("http://x","y")']  # fmt: skip
PLAIN = ["王芳", "138****8000", "2026-03-05", "a=b", "广东省 › 深圳市", ""]


def _read_xlsx(rows, write_only: bool):
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("t") if write_only else book.active
    for row in rows:
        sheets.append(sheet, row)
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        xml = b"".join(archive.read(n) for n in archive.namelist() if "worksheets/" in n)
    return xml, load_workbook(io.BytesIO(out.getvalue())).worksheets[0]


@pytest.mark.parametrize("write_only", [True, False], ids=["write-only", "normal"])
def test_issue_16_3_xlsx_text_is_never_a_formula_and_numbers_stay_numbers(write_only):
    day = dt.date(2026, 3, 5)

    xml, sheet = _read_xlsx([RISKY, PLAIN, [-5, 3.25, 0, day, True], ["#N/A", "#REF!"]], write_only)

    assert b"<f>" not in xml and b"<f " not in xml
    risky, plain, numbers, errors = list(sheet.iter_rows())
    assert [c.value for c in risky] == [v.replace("\r", "\n") for v in RISKY]  # XML normalises CR
    assert all(c.data_type == "s" and c.quotePrefix for c in risky)
    assert [c.value for c in plain if c.value] == [v for v in PLAIN if v]
    assert not any(c.quotePrefix for c in plain)
    assert [c.value for c in numbers[:3]] == [-5, 3.25, 0] and numbers[0].data_type == "n"
    assert numbers[3].value.date() == day and numbers[4].value is True
    assert [(c.value, c.data_type) for c in errors if c.value] == [("#N/A", "s"), ("#REF!", "s")]


def test_issue_16_3_control_characters_cannot_hide_a_formula():
    """A control character openpyxl refuses is dropped first, then the rest is judged."""
    xml, sheet = _read_xlsx([["\x01=1+1", "ok\x02"]], write_only=True)

    assert b"<f>" not in xml
    assert [c.value for c in next(sheet.iter_rows())] == ["=1+1", "ok"]


def test_issue_16_3_csv_fields_that_could_be_formulas_get_an_apostrophe():
    buffer = io.StringIO()

    sheets.csv_writer(buffer).writerows([RISKY, PLAIN, [-5, 3.25]])

    risky, plain, numbers = csv.reader(io.StringIO(buffer.getvalue()))
    assert risky == ["'" + v for v in RISKY]
    assert plain == PLAIN
    assert numbers == ["-5", "3.25"]


@pytest.mark.parametrize(
    ("name", "title"),
    [("南山区 2026", "南山区 2026"), ('=HYPERLINK("http://x","y")', '=HYPERLINK("http   x","y")'),
     ("a[b]*c?d/e\\f", "a b  c d e f"), ("x" * 40, "x" * 31), ("'", "Sheet")],
)  # fmt: skip
def test_issue_16_3_sheet_names_are_ones_excel_accepts(name, title):
    book = Workbook()

    book.active.title = sheets.sheet_title(name)

    assert book.active.title == title


def test_issue_16_3_no_spreadsheet_is_written_beside_the_one_writer():
    """Every module that makes a CSV writer or an openpyxl workbook writes its cells through
    core.sheets (readers and tests excepted): a new export cannot forget the neutraliser."""
    from pathlib import Path

    root = Path(sheets.__file__).resolve().parents[1]
    offenders = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or path.name == "sheets.py":
            continue
        source = path.read_text(encoding="utf-8")
        if "csv.writer(" in source or "csv.DictWriter(" in source:
            offenders.append(f"{path.relative_to(root)}: csv writer")
        if "Workbook(" in source and "sheets." not in source:
            offenders.append(f"{path.relative_to(root)}: openpyxl workbook")
    assert offenders == []
