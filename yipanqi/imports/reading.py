"""Opening uploaded files: XLSX/XLS (python-calamine) and CSV in UTF-8, UTF-8 with BOM or GB18030.

A table is read as lists of cells. CSV cells are strings; spreadsheet cells keep their types
(dates, numbers), so Excel date serials and typed dates both reach the value parsers.
"""

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from yipanqi.imports import guard
from yipanqi.imports.guard import UnreadableFile
from yipanqi.imports.sheet_process import SheetError, sheet_rows, sheet_size, workbook_sheets

# Enough bytes to tell UTF-8 from GB18030 without reading a large file twice.
SNIFF_BYTES = 4 * 1024 * 1024


@dataclass
class Table:
    """A sheet: its rows (a fresh iterator each call), the encoding and the sheet name."""

    path: Path
    format: str  # csv, xlsx
    encoding: str = ""
    sheet: str = ""

    def rows(self, *, limit: int = 0) -> Iterator[list]:
        """The rows (at most `limit` when given); a row wider than the column limit, or
        more rows than the row limit, stop the reading with UnreadableFile."""
        if self.format == "csv":
            return _csv_rows(self.path, self.encoding)
        return _sheet_rows(self.path, self.sheet, limit)

    def head(self, count: int) -> list[list]:
        rows = []
        for row in self.rows(limit=count):
            rows.append(row)
            if len(rows) >= count:
                break
        return rows

    def height(self) -> int:
        """How many rows the sheet has (a CSV: its line breaks), for the progress bar."""
        if self.format == "csv":
            count = 0
            with self.path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    count += chunk.count(b"\n")
            return count
        try:
            return sheet_size(self.path, self.sheet)[0]
        except SheetError as exc:
            raise _sheet_error(exc) from None


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
    guard.check_file(path)
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
    try:
        names = workbook_sheets(path)
    except SheetError as exc:
        raise _sheet_error(exc) from None
    if not names:
        raise UnreadableFile(_("The spreadsheet has no sheets."))
    if sheet and sheet not in names:
        raise UnreadableFile(_("The spreadsheet has no sheet named %(sheet)s.") % {"sheet": sheet})
    return Table(path=path, format="xlsx", sheet=sheet or names[0])


def _sheet_error(exc: SheetError) -> UnreadableFile:
    """The reader process's refusal or failure in words for the person who sent the file."""
    if exc.kind == "rows":
        return guard.FileRefused(guard.rows_message())
    if exc.kind == "columns":
        return guard.FileRefused(guard.columns_message())
    if exc.kind == "no_sheet":
        return UnreadableFile(
            _("The spreadsheet has no sheet named %(sheet)s.") % {"sheet": exc.detail[:40]}
        )
    if exc.kind == "crashed":
        return guard.FileRefused(
            _(
                "The spreadsheet is too large or damaged to be read. Please keep only the rows "
                "and columns to import, save it again from Excel or WPS as XLSX, and try again."
            )
        )
    return UnreadableFile(
        _(
            "The spreadsheet cannot be opened. Please open it in Excel or WPS and save it again as XLSX."
        )
    )


def _csv_rows(path: Path, encoding: str) -> Iterator[list]:
    # errors="strict" on the whole file: a stray byte past the sniffed sample is reported.
    with path.open("r", encoding=encoding, newline="") as handle:
        sample = handle.read(64 * 1024)
        dialect = _sniff_dialect(sample)
        handle.seek(0)
        max_columns = guard.Limits.from_settings().max_columns
        try:
            for row in csv.reader(handle, dialect):
                if len(row) > max_columns:
                    raise guard.FileRefused(guard.columns_message())
                yield row
        except UnicodeDecodeError:
            raise UnreadableFile(
                _("Part of the file is not valid %(encoding)s text. Please save it again.")
                % {"encoding": encoding}
            ) from None
        except csv.Error:
            # A cell longer than any register's (csv.field_size_limit), a NUL byte.
            raise UnreadableFile(
                _(
                    "The file is not a table the platform can read (a cell is far too long, or "
                    "it contains control characters). Please save it again as CSV (UTF-8) or XLSX."
                )
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


def _sheet_rows(path: Path, sheet: str, limit: int = 0) -> Iterator[list]:
    # Merged title cells come back as one value and empty neighbours, which header detection skips.
    try:
        yield from sheet_rows(path, sheet, limit=limit)
    except SheetError as exc:
        raise _sheet_error(exc) from None


def text_of(cell) -> str:
    """A cell as text: '' for empty, integers without '.0'."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, str):
        return cell.strip()
    return str(cell).strip()


@dataclass
class Layout:
    """Where the data is in a table: the header row and which column holds which field."""

    header_row: int
    headers: list
    mapping: dict[str, str]  # column index as text -> field name

    def columns(self) -> list[tuple[int, str]]:
        return sorted((int(index), name) for index, name in self.mapping.items())


def iter_records(table: Table, layout: Layout):
    """(row number, {field: cell}) for the data rows; blank rows and footers left out.

    A row with neither an ID number nor a name and at most two filled cells is a note
    (填表人：…, 合计) rather than a person; it is counted as skipped.
    """
    columns = layout.columns()
    for number, row in enumerate(table.rows(), start=1):
        if number <= layout.header_row + 1:
            continue
        width = len(row)
        cells = {name: row[index] for index, name in columns if index < width}
        if not cells.get("id_number") and not cells.get("name"):
            filled = sum(1 for cell in row if cell not in (None, ""))
            yield number, None if filled <= 2 else cells
            continue
        yield number, cells
