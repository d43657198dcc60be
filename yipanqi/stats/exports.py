"""Spreadsheets of the dashboard table, the scorecard and the annual report (openpyxl).

Every row goes in through `core.sheets.append`: a division or region name is never a formula
(issue 16.3)."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from yipanqi.core import sheets
from yipanqi.stats.rulewords import in_words

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def percent(value: float | None):
    return round(value, 2) if value is not None else None


def workbook() -> Workbook:
    return Workbook()


def sheet(book: Workbook, title: str, header: list[str], rows: list[list], *, first=False):
    ws = book.active if first else book.create_sheet()
    ws.title = sheets.sheet_title(title)
    sheets.append(ws, header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheets.append(ws, row)
    for index, name in enumerate(header, start=1):
        width = max([len(str(name))] + [len(str(r[index - 1] or "")) for r in rows[:200]]) + 2
        ws.column_dimensions[ws.cell(row=1, column=index).column_letter].width = min(width, 40)
    ws.freeze_panes = "B2"
    return ws


def to_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def dashboard_xlsx(board) -> bytes:
    """The dashboard's table: one row per child jurisdiction (and the jurisdiction itself),
    every rate as numerator, denominator, percent and target."""
    header = [_("Code"), _("Jurisdiction")]
    for rate in board.rates:
        label = str(rate.label)
        header += [
            f"{label}: {rate.numerator_label or _('numerator')}",
            f"{label}: {rate.denominator_label or _('denominator')}",
            f"{label} (%)",
            f"{label}: {_('target')}",
        ]
    rows = []
    for place, figures in [(board.place, board.figures)] + [
        (r.place, r.figures) for r in board.rows
    ]:
        line = [place.code or "CN", place.path_name]
        for figure in figures:
            line += [
                figure.numerator,
                figure.denominator,
                percent(figure.value),
                figure.target_text,
            ]
        rows.append(line)
    book = workbook()
    sheet(book, f"{board.place.name} {board.period.code}", header, rows, first=True)
    trend_header = [_("Month"), str(board.rate.label), _("numerator"), _("denominator")]
    trend_rows = [
        [f"{month:%Y-%m}", percent(f.value), f.numerator, f.denominator] for month, f in board.trend
    ]
    sheet(book, _("Trend"), trend_header, trend_rows)
    return to_bytes(book)


def assessment_xlsx(card) -> bytes:
    """R-STAT-2: the scorecard, one sheet per side, and the requests by type."""
    book = workbook()
    first = True
    for section in card.sections:
        header = [_("Item"), _("Rule"), _("Failures"), _("Cases"), _("Compliance (%)")]
        rows = [
            [str(i.label), in_words(i.article), i.failures, i.cases, percent(i.compliance)]
            for i in section.items
        ]
        rows.append([_("Score"), "", "", "", percent(section.score)])
        sheet(book, str(section.title), header, rows, first=first)
        first = False
    header = [_("Request type"), _("Answers it"), _("Due"), _("On time"), _("Late or unanswered"),
              _("Escalated")]  # fmt: skip
    rows = [[r["label"], r["side"], r["due"], r["on_time"], r["late"], r["escalated"]]
            for r in card.requests_by_type]  # fmt: skip
    sheet(book, _("Requests by type"), header, rows)
    return to_bytes(book)
