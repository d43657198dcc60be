"""The one writer of cells into the spreadsheets and CSV files the platform hands out (issue 16.3).

Text that came from a user (a name, an address, a subject, a division name, an uploaded row)
must reach the reader as the text typed, never as a formula a spreadsheet evaluates
(OWASP "CSV injection", ASVS 5.0 1.2.10): `=HYPERLINK("http://x","y")` in a name would
otherwise be a live link in every export that lists her. Every export goes through here:
`csv_writer` for CSV, `append` / `cell` for openpyxl sheets (write-only or not), `sheet_title`
for a sheet's name (a place's name may hold characters Excel refuses there).

- CSV has no types, so formula-looking text gets a leading apostrophe, which Excel, LibreOffice
  and WPS read as "this is text" (the OWASP advice).
- XLSX has types: the text is kept exactly as typed and written as a string cell
  (`data_type` "s"; openpyxl would otherwise turn any str beginning with "=" into an `<f>`
  formula, in write-only mode too) with the cell style's `quotePrefix` set, which is how Excel
  itself stores a value typed with a leading apostrophe: it stays text even when someone edits
  the cell. No apostrophe is added, so a rejection report sent back for import reads the same.

Numbers, dates and booleans are written as they are: a negative number stored as a number is a
number, never text. Control characters openpyxl refuses are dropped from XLSX text.
"""

import csv
import re
from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell

# First characters that make a spreadsheet read a cell as a formula: OWASP's list, NUL (ASVS
# 1.2.10), the line feed, and the full-width forms a Chinese input method types, which
# spreadsheet programs set up for Chinese or Japanese may take for their half-width twins.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "＝", "＋", "－", "＠")
# Leading blanks do not protect: some programs trim them before deciding.
_BLANKS = " \u3000\u00a0"


# What Excel refuses in a sheet's name (openpyxl raises on it), and its length limit.
_BAD_TITLE = re.compile(r"[\\*?:/\[\]]")
TITLE_LENGTH = 31


def sheet_title(text: Any) -> str:
    """A sheet name Excel accepts made from text that may hold a place's name."""
    title = _BAD_TITLE.sub(" ", ILLEGAL_CHARACTERS_RE.sub("", str(text))).strip(" '")
    return title[:TITLE_LENGTH].strip(" '") or "Sheet"


def is_formula_like(value: Any) -> bool:
    """True for text a spreadsheet program could evaluate as a formula."""
    return isinstance(value, str) and value.lstrip(_BLANKS).startswith(FORMULA_START)


def csv_value(value: Any) -> Any:
    """A value for a CSV field: formula-looking text behind an apostrophe, the rest unchanged."""
    if is_formula_like(value):
        return "'" + value
    return value


class _CsvWriter:
    def __init__(self, stream, **options):
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow([csv_value(v) for v in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **options) -> _CsvWriter:
    """csv.writer whose every field goes through csv_value."""
    return _CsvWriter(stream, **options)


def cell(sheet, value: Any) -> Cell:
    """A cell of sheet holding value, text always as text (styles may be added to it)."""
    made = Cell(sheet, row=1, column=1)
    if not isinstance(value, str):
        made.value = value
        return made
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    made.value = text
    # openpyxl makes "=..." a formula ("f") and "#N/A", "#REF!"... error cells ("e").
    if made.data_type != "s" or is_formula_like(text):
        made.data_type = "s"
        made.quotePrefix = True
    return made


def xlsx_value(sheet, value: Any) -> Any:
    """value as sheet.append takes it: plain values as they are, risky text as a text cell."""
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if is_formula_like(text) or text in ERROR_CODES:
        return cell(sheet, text)
    return text


def xlsx_row(sheet, row: Iterable) -> list:
    """A row for sheet.append in which no text can be a formula."""
    return [xlsx_value(sheet, v) for v in row]


def append(sheet, row: Iterable) -> None:
    """sheet.append(row), every text cell written as text (write-only sheets too)."""
    sheet.append(xlsx_row(sheet, row))
