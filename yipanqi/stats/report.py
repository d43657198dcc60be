"""The annual report (年度报告, R-STAT-3): a province's year-end summary, or a region's compiled
by its rotating convenor province, as PDF (reportlab, tables and charts drawn with
reportlab.graphics, Chinese in the embedded font of yipanqi.core.pdffonts) and as XLSX with the
same figures. Everything is read from the counters, so a national-size year takes a few queries."""

import datetime as dt
import io
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yipanqi.core import sheets
from yipanqi.core.errors import NotFound, Rejected
from yipanqi.core.pdffonts import cjk_font
from yipanqi.divisions.models import PATH_SEPARATOR
from yipanqi.stats import exports, selectors
from yipanqi.stats.assessment import scorecard
from yipanqi.stats.periods import Period
from yipanqi.stats.periods import year as year_period
from yipanqi.stats.rates import RATES
from yipanqi.stats.rulewords import in_words
from yipanqi.stats.selectors import Figure, TargetBook

# The rates of the monthly trend, in the PDF's chart and the XLSX's.
TREND_CODES = ("registration_inflow", "timeliness", "verification_rate", "service_coverage")


@dataclass
class ReportRow:
    code: str
    name: str
    figures: list[Figure]


@dataclass
class AnnualReport:
    title: str
    subject: str  # the province's or the region's name
    code: str  # 2-digit province code or region slug
    year: int
    compiled_by: str
    figures: list[Figure]
    rows: list[ReportRow]  # cities of a province, provinces of a region
    row_label: str
    months: list[dt.date]
    monthly: dict[str, list[Figure]]  # rate code -> 12 monthly figures
    scores: list[tuple[str, float | None]] = field(default_factory=list)
    generated_on: dt.date = field(default_factory=timezone.localdate)
    # R-STAT-3: a report of the year in progress counts up to this day only (None: a whole year).
    partial_until: dt.date | None = None

    @property
    def period_text(self) -> str:
        if self.partial_until is not None:
            return _("partial: %(year)s-01-01 to %(day)s only, the year is not over") % {
                "year": self.year,
                "day": self.partial_until.isoformat(),
            }
        return _("period %(year)s-01-01 to %(year)s-12-31") % {"year": self.year}

    @property
    def flagged(self) -> list[Figure]:
        return [f for f in self.figures if f.meets is False]


def _sum_figures(per_code: list[list[Figure]], targets) -> list[Figure]:
    result = []
    for index, rate in enumerate(RATES):
        numerator = sum(figures[index].numerator for figures in per_code)
        denominator = sum(figures[index].denominator for figures in per_code)
        result.append(Figure(rate, numerator, denominator, selectors.target_of(rate, targets)))
    return result


def _monthly(codes: list[str], period: Period, targets) -> tuple[list[dt.date], dict]:
    months = period.months()
    metrics = selectors.metrics_of(RATES)
    data = {m: {} for m in months}
    from django.db.models import Sum

    from yipanqi.ledger.models import StatCounter

    rows = (
        StatCounter.objects.filter(
            division_code__in=codes,
            metric__in=metrics,
            key="",
            period_start__gte=period.start,
            period_start__lt=period.end,
        )
        .values_list("period_start", "metric")
        .annotate(total=Sum("value"))
        .order_by()
    )
    for month, metric, total in rows:
        data[month][metric] = int(total or 0)
    monthly = {
        rate.code: [
            Figure(
                rate,
                data[m].get(rate.numerator, 0),
                data[m].get(rate.denominator, 0),
                selectors.target_of(rate, targets),
            )
            for m in months
        ]
        for rate in RATES
    }
    for rate in RATES:
        if rate.window == "year":
            # A year measure: each month shows the year from 1 January to its end.
            values = selectors.monthly(codes, rate, months)
            target = selectors.target_of(rate, targets)
            monthly[rate.code] = [Figure(rate, *values[m], target) for m in months]
    return months, monthly


def annual_report(*, jurisdiction: str, year: int, today: dt.date | None = None) -> AnnualReport:
    """The report of a province (2-digit code) or of a region (its code, e.g. pan-pearl).

    R-STAT-3: a year that has not begun has no report; the year in progress gives a partial
    report that says to which day it counts.
    """
    report = _annual_report(jurisdiction=jurisdiction, year=year, today=today)
    today = today or timezone.localdate()
    report.generated_on = today
    if report.year == today.year:
        report.partial_until = today
    return report


def _annual_report(*, jurisdiction: str, year: int, today: dt.date | None) -> AnnualReport:
    from yipanqi.regions.models import Region, RegionKind
    from yipanqi.regions.rules import province_name

    code = (jurisdiction or "").strip()
    if not 2000 <= int(year) < 2100:
        raise Rejected.because(_("The year must be between 2000 and 2099."), "year")
    today = today or timezone.localdate()
    if int(year) > today.year:
        raise Rejected.because(
            _(
                "The year %(year)s has not started yet, so there is nothing to report. Its "
                "report can be made from 1 January %(year)s; a full report after 31 December."
            )
            % {"year": year},
            "year",
        )
    period = year_period(int(year))
    book = TargetBook(dt.date(int(year), 12, 31))
    if code.isdigit() and len(code) == 2:
        try:
            place = selectors.get_place(code)
        except NotFound:
            raise Rejected.because(
                _("There is no province with code %(code)s.") % {"code": code}, "jurisdiction"
            ) from None
        targets = book.for_code(code)
        figures = selectors.figures_for(place, period, RATES, targets)
        rows = [
            ReportRow(r.place.code, r.place.name, r.figures)
            for r in selectors.children_rows(place, period, RATES, book)
        ]
        months, monthly = _monthly([code], period, targets)
        card = scorecard(place, period)
        subject = place.name
        return AnnualReport(
            title=_("%(year)s annual report on migrant population services: %(place)s")
            % {"year": year, "place": subject},
            subject=subject,
            code=code,
            year=int(year),
            compiled_by=subject,
            figures=figures,
            rows=rows,
            row_label=_("City"),
            months=months,
            monthly=monthly,
            scores=[(str(s.title), s.score) for s in card.sections],
        )
    region = Region.objects.filter(code=code).exclude(kind=RegionKind.NATIONAL).first()
    if region is None:
        raise Rejected.because(
            _("%(code)s is neither a province code (44) nor a region (pan-pearl).")
            % {"code": code[:40]},
            "jurisdiction",
        )
    targets = book.for_region(region) or book.for_code("")
    rows = []
    for province in sorted(region.provinces):
        try:
            place = selectors.get_place(province)
        except NotFound:
            continue
        rows.append(
            ReportRow(
                province,
                place.name,
                selectors.figures_for(place, period, RATES, book.for_code(province)),
            )
        )
    figures = _sum_figures([r.figures for r in rows], targets)
    months, monthly = _monthly([r.code for r in rows], period, targets)
    convenor = province_name(region.convenor) if region.convenor else ""
    return AnnualReport(
        title=_("%(year)s annual report of the %(region)s collaboration region")
        % {"year": year, "region": region.name},
        subject=region.name,
        code=region.code,
        year=int(year),
        compiled_by=convenor,
        figures=figures,
        rows=rows,
        row_label=_("Province"),
        months=months,
        monthly=monthly,
    )


# --- XLSX --------------------------------------------------------------------------------------


def report_xlsx(report: AnnualReport) -> bytes:
    """The report's figures, sheet by sheet, with native Excel charts (openpyxl.chart): the
    rates against their targets on the summary, the monthly trend on the month sheet."""
    book = exports.workbook()
    header = [_("Rate"), _("Rule"), _("Numerator"), _("Denominator"), _("Value"), _("Target"),
              _("Met"), _("Target (number)")]  # fmt: skip
    rows = [
        [str(f.rate.label), in_words(f.rate.rule), f.numerator, f.denominator, exports.percent(f.value),
         f.target_text, _judgement(f), f.target.value if f.target else None]
        for f in report.figures
    ]  # fmt: skip
    summary = exports.sheet(book, _("Summary"), header, rows, first=True)
    _summary_chart(summary, report)
    header = [_("Code"), report.row_label]
    for rate in RATES:
        header += [f"{rate.label}: {_('numerator')}", f"{rate.label}: {_('denominator')}",
                   f"{rate.label}"]  # fmt: skip
    rows = []
    for row in report.rows:
        line = [row.code, row.name]
        for f in row.figures:
            line += [f.numerator, f.denominator, exports.percent(f.value)]
        rows.append(line)
    exports.sheet(book, report.row_label, header, rows)
    header = [_("Month")]
    for rate in RATES:
        header += [f"{rate.label}: {_('numerator')}", f"{rate.label}: {_('denominator')}"]
    trend = _trend_rates()
    header += [f"{rate.label} (%)" for rate in trend]
    rows = []
    for index, month in enumerate(report.months):
        line = [f"{month:%Y-%m}"]
        for rate in RATES:
            f = report.monthly[rate.code][index]
            line += [f.numerator, f.denominator]
        line += [exports.percent(report.monthly[r.code][index].value) for r in trend]
        rows.append(line)
    months = exports.sheet(book, _("By month"), header, rows)
    _trend_chart(months, report, first_column=1 + 2 * len(RATES) + 1, count=len(trend))
    if report.scores:
        exports.sheet(
            book,
            _("Assessment"),
            [_("Side"), _("Score")],
            [[title, exports.percent(score)] for title, score in report.scores],
        )
    info = book.create_sheet(sheets.sheet_title(_("About")))
    for line in (
        [report.title],
        [_("Compiled by"), report.compiled_by],
        [_("Generated on"), report.generated_on.isoformat()],
        [pgettext("report period", "Period"), report.period_text],
        [_("Source"), _("Live statistics of the Yipanqi platform")],
    ):
        sheets.append(info, line)
    return exports.to_bytes(book)


def _trend_rates():
    return [r for r in RATES if r.code in TREND_CODES]


def _summary_chart(ws, report: AnnualReport) -> None:
    """A bar chart of each percent rate's value beside its target (columns E and H)."""
    from openpyxl.chart import BarChart, Reference

    last = 1 + len(report.figures)
    chart = BarChart()
    chart.type = "bar"  # horizontal: the long rate names read on the axis
    chart.title = _("Rates against their targets (%)")
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
    chart.y_axis.title = "%"
    chart.height, chart.width = 12, 22
    for column in (5, 8):
        chart.add_data(
            Reference(ws, min_col=column, min_row=1, max_row=last), titles_from_data=True
        )
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=last))
    ws.add_chart(chart, "J2")


def _trend_chart(ws, report: AnnualReport, *, first_column: int, count: int) -> None:
    """A line chart of the main rates month by month (the % columns at the sheet's end)."""
    from openpyxl.chart import LineChart, Reference

    last = 1 + len(report.months)
    chart = LineChart()
    chart.title = _("Monthly trend (%)")
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
    chart.height, chart.width = 10, 22
    chart.add_data(
        Reference(ws, min_col=first_column, max_col=first_column + count - 1, min_row=1,
                  max_row=last),
        titles_from_data=True,
    )  # fmt: skip
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=last))
    ws.add_chart(chart, f"A{last + 3}")


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("yes") if value else _("no")


# --- PDF ---------------------------------------------------------------------------------------


def _pdf_text(text) -> str:
    """Text every PDF font shows: the path separator › is not in the fallback CID font."""
    return str(text).replace(PATH_SEPARATOR, " ").replace("–", "-").replace(" · ", " | ")


def report_pdf(report: AnnualReport) -> bytes:
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    font = cjk_font()
    t = _pdf_text
    title = ParagraphStyle("t", fontName=font, fontSize=17, leading=24, alignment=TA_CENTER)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=13, leading=19, spaceBefore=8, spaceAfter=4)
    body = ParagraphStyle("b", fontName=font, fontSize=9.5, leading=14, wordWrap="CJK")
    small = ParagraphStyle("s", fontName=font, fontSize=8, leading=11, wordWrap="CJK")
    brand = colors.HexColor("#b3261e")
    grid = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("fontSIZE", (0, 0), (-1, -1), 8.5),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b9c2cd")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f4f6f9")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ]
    )

    def cell(text):
        return Paragraph(t(text), small)

    def numbers(text, width):
        """A cell of figures: it may break only between its words ("90.0%" / "(90/99)"), never
        inside a number or a fraction; the font shrinks until the widest word fits."""
        return _number_cell(t(text), width, font)

    story = [
        Paragraph(t(report.title), title),
        Spacer(1, 4 * mm),
        *(
            [Paragraph(t(_("Partial report: the year is not over.")), h2)]
            if report.partial_until
            else []
        ),
        Paragraph(
            t(
                _("Compiled by %(by)s · generated on %(day)s · %(period)s")
                % {
                    "by": report.compiled_by,
                    "day": report.generated_on.isoformat(),
                    "period": report.period_text,
                }
            ),
            body,
        ),
        Spacer(1, 3 * mm),
        Paragraph(t(_("1. Rates against their targets")), h2),
    ]
    rows = [[cell(_("Rate")), cell(_("Numerator")), cell(_("Denominator")), cell(_("Value")),
             cell(_("Target")), cell(_("Met"))]]  # fmt: skip
    for f in report.figures:
        rows.append([cell(f.rate.label), f.numerator, f.denominator, f.value_text.replace("—", "-"),
                     cell(f.target_text), cell(_judgement(f))])  # fmt: skip
    table = Table(rows, colWidths=[62 * mm, 22 * mm, 22 * mm, 20 * mm, 24 * mm, 14 * mm])
    table.setStyle(grid)
    for index, f in enumerate(report.figures, start=1):
        if f.meets is False:
            table.setStyle(TableStyle([("TEXTCOLOR", (3, index), (3, index), brand)]))
    story += [table, Spacer(1, 4 * mm)]

    # Chart: each percent rate beside its target.
    percent = [f for f in report.figures if f.rate.kind == "percent"]
    drawing = Drawing(170 * mm, 70 * mm, initialFontName=font)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 14 * mm, 150 * mm, 50 * mm
    chart.data = [
        [round(f.value, 1) if f.value is not None else 0 for f in percent],
        [f.target.value if f.target else 0 for f in percent],
    ]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.categoryAxis.categoryNames = [str(i + 1) for i in range(len(percent))]
    chart.categoryAxis.labels.fontName = font
    chart.valueAxis.labels.fontName = font
    chart.bars[0].fillColor = brand
    chart.bars[1].fillColor = colors.HexColor("#1e7a3c")
    drawing.add(chart)
    drawing.add(String(12 * mm, 4 * mm, t(_("Red: value (%); green: target (%). Bars numbered as the rates below.")),
                       fontName=font, fontSize=7.5))  # fmt: skip
    story.append(drawing)
    legend = "　".join(f"{i + 1}. {t(f.rate.label)}" for i, f in enumerate(percent))
    story += [Paragraph(legend, small), Spacer(1, 3 * mm)]

    sex = next((f for f in report.figures if f.rate.code == "sex_ratio"), None)
    if sex is not None:
        text = _(
            "Sex ratio at birth: %(ratio)s boys per 100 girls (%(boys)s boys, %(girls)s girls); "
            "the normal range is 103 to 107."
        ) % {
            "ratio": sex.value_text.replace("—", "-"),
            "boys": sex.numerator,
            "girls": sex.denominator,
        }
        if sex.sample_too_small:
            text += " " + _(
                "The sample is too small to judge: %(births)s births, fewer than the %(minimum)s "
                "a ratio needs before it is compared with the normal range."
            ) % {"births": sex.numerator + sex.denominator, "minimum": sex.rate.min_sample}
        elif sex.meets is False:
            text += " " + _("Outside the normal range: flagged.")
        story.append(Paragraph(t(text), body))

    if report.scores:
        story.append(Paragraph(t(_("2. Two-way assessment")), h2))
        score_rows = [[cell(_("Side")), cell(_("Score"))]] + [
            [cell(title), f"{score:.1f}" if score is not None else "-"]
            for title, score in report.scores
        ]
        table = Table(score_rows, colWidths=[120 * mm, 30 * mm])
        table.setStyle(grid)
        story.append(table)

    story += [PageBreak(), Paragraph(t(_("3. Monthly trend")), h2)]
    trend_rates = _trend_rates()
    palette = [
        brand,
        colors.HexColor("#0b57d0"),
        colors.HexColor("#1e7a3c"),
        colors.HexColor("#8a5a00"),
    ]
    drawing = _line_chart(
        [[f.value for f in report.monthly[r.code]] for r in trend_rates],
        [str(m.month) for m in report.months],
        [str(r.label) for r in trend_rates],
        palette,
        font,
    )
    story.append(drawing)
    month_rows = [[cell(_("Month"))] + [cell(r.label) for r in trend_rates]]
    for index, month in enumerate(report.months):
        month_rows.append(
            [f"{month:%Y-%m}"]
            + [numbers(_figure_text(report.monthly[r.code][index]), 38 * mm) for r in trend_rates]
        )
    table = Table(month_rows, colWidths=[24 * mm] + [38 * mm] * len(trend_rates))
    table.setStyle(grid)
    story.append(table)

    story += [PageBreak(), Paragraph(t(_("4. By %(unit)s") % {"unit": report.row_label}), h2)]
    shown_codes = ("registration_inflow", "served_30_days", "timeliness", "verification_rate",
                   "service_coverage", "free_service_rate", "certificate_rate")  # fmt: skip
    shown = [r for r in RATES if r.code in shown_codes]
    header = [cell(report.row_label)] + [cell(r.label) for r in shown]
    body_rows = [header]
    for row in report.rows:
        by_code = {f.rate.code: f for f in row.figures}
        body_rows.append(
            [cell(row.name)] + [numbers(_figure_text(by_code[r.code]), 22 * mm) for r in shown]
        )
    table = Table(body_rows, colWidths=[26 * mm] + [22 * mm] * len(shown), repeatRows=1)
    table.setStyle(grid)
    story.append(table)
    story += [Spacer(1, 4 * mm), Paragraph(t(_(
        "Figures are counted live by the platform: registrations in the month they were received, "
        "requests in the month they fell due, verifications in the month of arrival, services and "
        "births in the month they happened."
    )), small), Paragraph(t(_(
        "Service coverage is a year measure: married women aged 18 to 49 (on 31 December) whose "
        "inflow registration was open on some day of the year, and those of them given a free "
        "check-up during their stay; each month shows the year from 1 January to its end."
    )), small)]  # fmt: skip

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        initialFontName=font,  # no page names another (Helvetica) font
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=t(report.title),
        author=t(report.compiled_by),
    )

    def footer(canvas, doc):
        canvas.setFont(font, 8)
        canvas.drawRightString(A4[0] - 15 * mm, 8 * mm, f"{doc.page}")
        canvas.drawString(15 * mm, 8 * mm, t(report.subject))

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _figure_text(f: Figure) -> str:
    """ "90.9% (90/99)": two words, each kept whole on a line."""
    return f"{f.value_text.replace('—', '-')} ({f.numerator}/{f.denominator})"


def _judgement(f: Figure) -> str:
    if f.sample_too_small:
        return _("sample too small")
    return _yes_no(f.meets)


def _number_cell(text: str, width: float, font: str, size: float = 8.0):
    """A Paragraph that wraps at spaces only (no CJK wrapping, which breaks anywhere), in the
    largest size <= `size` at which its widest word fits `width` less the cell padding."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Paragraph

    room = width - 2 * 6  # reportlab's default cell padding, left and right
    widest = max((w for w in text.split(" ") if w), key=lambda w: stringWidth(w, font, size))
    while size > 4.5 and stringWidth(widest, font, size) > room:
        size -= 0.25
    style = ParagraphStyle(f"n{size}", fontName=font, fontSize=size, leading=size * 1.3)
    return Paragraph(text, style)


def _line_chart(series, labels, names, palette, font):
    """Monthly lines on a 0-100 scale drawn from shapes: a month without cases leaves a gap
    (reportlab's line charts cannot draw a series with fewer than two points)."""
    from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, String
    from reportlab.lib import colors
    from reportlab.lib.units import mm

    width, height = 170 * mm, 80 * mm
    left, bottom, plot_w, plot_h = 14 * mm, 23 * mm, 150 * mm, 50 * mm
    drawing = Drawing(width, height, initialFontName=font)
    grey = colors.HexColor("#b9c2cd")
    for value in range(0, 101, 20):
        y = bottom + plot_h * value / 100
        drawing.add(Line(left, y, left + plot_w, y, strokeColor=grey, strokeWidth=0.3))
        drawing.add(
            String(left - 3, y - 2.5, str(value), fontName=font, fontSize=7, textAnchor="end")
        )
    step = plot_w / max(len(labels), 1)
    for index, label in enumerate(labels):
        x = left + step * (index + 0.5)
        drawing.add(String(x, bottom - 9, label, fontName=font, fontSize=7, textAnchor="middle"))
    for values, color in zip(series, palette, strict=False):
        segment: list[float] = []
        for index, value in enumerate([*values, None]):
            if value is None:
                if len(segment) >= 4:
                    drawing.add(PolyLine(segment, strokeColor=color, strokeWidth=1.6))
                segment = []
                continue
            x, y = left + step * (index + 0.5), bottom + plot_h * min(value, 100) / 100
            segment += [x, y]
            drawing.add(Circle(x, y, 1.6, fillColor=color, strokeColor=color))
    # The legend in two columns, as many rows as needed.
    for index, (name, color) in enumerate(zip(names, palette, strict=False)):
        x, y = left + (index % 2) * 78 * mm, (9 - 4.5 * (index // 2)) * mm
        drawing.add(Line(x, y + 1 * mm, x + 8 * mm, y + 1 * mm, strokeColor=color, strokeWidth=2))
        drawing.add(String(x + 10 * mm, y, _pdf_text(name), fontName=font, fontSize=7.5))
    return drawing
