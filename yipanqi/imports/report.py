"""The rejection report: a copy of the input as XLSX with one added column that says, in Chinese,
what is wrong with each rejected row (issue 5). Very large files get the title and header rows
and the rejected rows only, each with its row number in the original, so the report stays small.
"""

from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill

from yipanqi.imports.pipeline import Layout
from yipanqi.imports.reading import Table

ERROR_HEADER = "错误说明"
ROW_HEADER = "原文件行号"
# Above this many data rows only the rejected rows are copied (openpyxl writes ~30,000 rows/s).
FULL_COPY_LIMIT = 100_000
_RED = Font(color="C00000", bold=True)
_FILL = PatternFill("solid", fgColor="FDECEA")


def _clean(value):
    """Cells copied as text: no control characters, and never a formula (=, +, -, @)."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(("=", "+", "-", "@")):
            return "'" + value
    return value


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
        values = [_clean(v) for v in row]
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


def _styled(sheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = _RED
    cell.fill = _FILL
    return cell
