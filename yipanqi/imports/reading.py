"""Opening uploaded files: XLSX/XLS (python-calamine) and CSV in UTF-8, UTF-8 with BOM or GB18030.

A table is read as lists of cells. CSV cells are strings; spreadsheet cells keep their types
(dates, numbers), so Excel date serials and typed dates both reach the value parsers.
"""

import codecs
import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

# Enough bytes to tell UTF-8 from GB18030 without reading a large file twice.
SNIFF_BYTES = 4 * 1024 * 1024


class UnreadableFile(Exception):
    """A file that is not a spreadsheet or a CSV in a known encoding; the message says why."""


@dataclass
class Table:
    """A sheet: its rows (a fresh iterator each call), the encoding and the sheet name."""

    path: Path
    format: str  # csv, xlsx
    encoding: str = ""
    sheet: str = ""

    def rows(self) -> Iterator[list]:
        if self.format == "csv":
            return _csv_rows(self.path, self.encoding)
        return _sheet_rows(self.path, self.sheet)

    def head(self, count: int) -> list[list]:
        rows = []
        for row in self.rows():
            rows.append(row)
            if len(rows) >= count:
                break
        return rows


def detect_encoding(sample: bytes, *, complete: bool) -> str:
    """utf-8-sig for a BOM, utf-8 when the bytes decode, else gb18030 (a superset of GBK)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        # An incomplete sample may end inside a multi-byte character: decode incrementally.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(sample, final=complete)
        return "gb18030"
    except UnicodeDecodeError:
        raise UnreadableFile(
            _("The file is neither UTF-8 nor GBK text. Please save it as CSV (UTF-8) or XLSX.")
        ) from None


def open_table(path: Path, *, sheet: str = "") -> Table:
    """Recognise the file by its content (not its name) and return its table."""
    path = Path(path)
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
        complete = len(head) < SNIFF_BYTES
    if not head.strip():
        raise UnreadableFile(_("The file is empty."))
    if head[:4] == b"PK\x03\x04" or head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return _open_workbook(path, sheet)
    encoding = detect_encoding(head, complete=complete)
    return Table(path=path, format="csv", encoding=encoding)


def _open_workbook(path: Path, sheet: str) -> Table:
    from python_calamine import CalamineError, load_workbook

    try:
        workbook = load_workbook(str(path))
        names = workbook.sheet_names
    except (CalamineError, zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnreadableFile(
            _("The spreadsheet cannot be opened (%(reason)s). Please save it again as XLSX.")
            % {"reason": str(exc)[:100]}
        ) from None
    if not names:
        raise UnreadableFile(_("The spreadsheet has no sheets."))
    if sheet and sheet not in names:
        raise UnreadableFile(_("The spreadsheet has no sheet named %(sheet)s.") % {"sheet": sheet})
    return Table(path=path, format="xlsx", sheet=sheet or names[0])


def _csv_rows(path: Path, encoding: str) -> Iterator[list]:
    # errors="strict" on the whole file: a stray byte past the sniffed sample is reported.
    with path.open("r", encoding=encoding, newline="") as handle:
        sample = handle.read(64 * 1024)
        dialect = _sniff_dialect(sample)
        handle.seek(0)
        try:
            yield from csv.reader(handle, dialect)
        except UnicodeDecodeError:
            raise UnreadableFile(
                _("Part of the file is not valid %(encoding)s text. Please save it again.")
                % {"encoding": encoding}
            ) from None


class _Comma(csv.excel):
    pass


def _sniff_dialect(sample: str) -> type[csv.Dialect]:
    """Comma unless the first lines are clearly separated by tabs or semicolons."""
    first = sample.split("\n", 5)[:5]
    for delimiter in ("\t", ";"):
        separated = all(line.count(delimiter) >= 2 for line in first if line.strip())
        commas = any(line.count(",") >= line.count(delimiter) for line in first)
        if first and separated and not commas:
            return type("_Sniffed", (csv.excel,), {"delimiter": delimiter})
    return _Comma


def _sheet_rows(path: Path, sheet: str) -> Iterator[list]:
    from python_calamine import load_workbook

    workbook = load_workbook(str(path))
    # Merged title cells come back as one value and empty neighbours, which header detection skips.
    yield from workbook.get_sheet_by_name(sheet).iter_rows()


def text_of(cell) -> str:
    """A cell as text: '' for empty, integers without '.0'."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, str):
        return cell.strip()
    return str(cell).strip()
