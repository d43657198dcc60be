"""The one streaming helper of every list export: rows in, a CSV or XLSX download out (issue 5).

Domain-free: each app's selector gives an `Export` (its title, header and rows, already cut to
what the user may see); this module only writes it. Rows are written as they come: CSV goes out
line by line, UTF-8 with a BOM so that Excel opens the Chinese text correctly; XLSX is built row
by row in openpyxl's write-only mode and sent in chunks. Every cell goes through `core.sheets`,
so no text a user typed is ever a live formula (issue 16.3).
"""

import datetime as dt
import io
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.http import StreamingHttpResponse
from django.utils import timezone

from yipanqi.core import sheets

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHUNK = 64 * 1024


@dataclass
class Export:
    """A named export: what it lists and its columns, and the rows already scoped."""

    name: str
    title: str
    header: list[str]
    rows: Iterable[list]
    filename: str


def cell_date(value) -> str:
    """A date or a moment as an export writes it: 2026-03-05, or 2026-03-05 14:30 local time."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def file_name(export: Export, fmt: str) -> str:
    """persons-20260305-1430.xlsx: the export's name and when it was made."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{export.filename}-{stamp}.{fmt}"


def chunks(export: Export, fmt: str) -> Iterator[bytes]:
    """The file's bytes, a chunk at a time."""
    if fmt == "csv":
        return _csv_chunks(export)
    return _xlsx_chunks(export)


def streamed_response(export: Export, fmt: str) -> StreamingHttpResponse:
    """The export as a download, streamed (fmt one of FORMATS)."""
    response = StreamingHttpResponse(chunks(export, fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{file_name(export, fmt)}"
    return response


def _csv_chunks(built: Export) -> Iterator[bytes]:
    """UTF-8 with a BOM, so that Excel opens the Chinese text correctly."""
    buffer = io.StringIO()
    writer = sheets.csv_writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(built.header)
    for row in built.rows:
        writer.writerow(row)
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _xlsx_chunks(built: Export) -> Iterator[bytes]:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheets.sheet_title(built.title))
    sheets.append(sheet, built.header)
    for row in built.rows:
        sheets.append(sheet, row)
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        while chunk := handle.read(CHUNK):
            yield chunk
