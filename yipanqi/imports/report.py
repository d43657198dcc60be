"""The rejection report: a copy of the input as XLSX with one added column that says, in Chinese,
what is wrong with each rejected row (issue 5). Very large files get the title and header rows
and the rejected rows only, each with its row number in the original, so the report stays small.
Cells are copied through `core.sheets`: an uploaded `=...` comes back as the text it was, never
as a formula (issue 16.3).
"""

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from yipanqi.core import sheets
from yipanqi.imports.reading import Layout, Table

ERROR_HEADER = "错误说明"
ROW_HEADER = "原文件行号"
# Above this many data rows only the rejected rows are copied (openpyxl writes ~30,000 rows/s).
FULL_COPY_LIMIT = 100_000
_RED = Font(color="C00000", bold=True)
_FILL = PatternFill("solid", fgColor="FDECEA")


def write_rejection_report(
    table: Table, layout: Layout, errors: dict[int, list[str]], path: Path, *, rows: int
) -> Path:
    """Write the report to path (XLSX) and return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("导入检查结果")
    full = rows <= FULL_COPY_LIMIT
    width = len(layout.headers)
    header_number = layout.header_row + 1
    for number, row in enumerate(table.rows(), start=1):
        values = sheets.xlsx_row(sheet, row)
        if number < header_number:
            sheet.append(values)
            continue
        if number == header_number:
            values += [None] * (width - len(values))
            head = [] if full else [ROW_HEADER]
            sheet.append(head + values + [_styled(sheet, ERROR_HEADER)])
            continue
        messages = errors.get(number)
        if not messages and not full:
            continue
        values += [None] * (width - len(values))
        if not full:
            values = [number, *values]
        if messages:
            sheet.append(values + [_styled(sheet, "；".join(messages))])
        else:
            sheet.append(values)
    workbook.save(path)
    return path


def _styled(sheet, text: str):
    cell = sheets.cell(sheet, text)
    cell.font = _RED
    cell.fill = _FILL
    return cell
