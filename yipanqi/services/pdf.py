"""The printable service report 《流动人口避孕节育情况报告单》 (R-SVC-2), with reportlab.

Chinese text is in the platform's PDF font (yipanqi.core.pdffonts: TrueType, embedded).
The form is printed in Chinese whatever the user's language: it is an official document.
"""

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from yipanqi.core.pdffonts import cjk_font
from yipanqi.divisions.models import PATH_SEPARATOR
from yipanqi.services.models import ServiceReport


def _place(division, code: str) -> str:
    """A place as printed addresses write it, 四川省绵阳市三台县潼川镇."""
    return (division.path_name if division else code).replace(PATH_SEPARATOR, "")


def service_report_pdf(report: ServiceReport) -> bytes:
    """The report as a one-page A4 PDF: the person, the sides, every service and the R-SVC-2
    statement that the report is the proof."""
    font = cjk_font()
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=1)
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=15)
    small = ParagraphStyle("small", fontName=font, fontSize=9, leading=13)
    person = report.person
    request = report.request
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        initialFontName=font,  # no page names another (Helvetica) font
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title="流动人口避孕节育情况报告单",
        author="一盘棋",
    )
    facts = [
        [
            "编号",
            report.number,
            "报告期",
            f"{report.period_from:%Y-%m-%d} 至 {report.period_to:%Y-%m-%d}",
        ],
        ["姓名", person.name, "身份证号", person.id_number_masked],
        ["出生日期", f"{person.birth_date:%Y-%m-%d}", "婚姻状况", _zh_marital(person)],
        ["户籍地", Paragraph(_place(report.receiver, report.receiver_id), body), "", ""],
        ["现居住地", Paragraph(_place(report.sender, report.sender_id), body), "", ""],
        ["避孕方法", report.contraception or "—", "", ""],
    ]
    facts_table = Table(facts, colWidths=[22 * mm, 62 * mm, 22 * mm, 68 * mm])
    facts_table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 10.5),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
                ("BACKGROUND", (2, 0), (2, 2), colors.whitesmoke),
                ("SPAN", (1, 3), (3, 3)),
                ("SPAN", (1, 4), (3, 4)),
                ("SPAN", (1, 5), (3, 5)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    rows = [["日期", "服务项目", "服务机构", "收费（元）"]]
    for record in report.records.select_related("service_type").order_by("given_on", "pk"):
        charged = f"{record.amount_charged:.2f}"
        if record.charged_violation:
            charged += "（违规收费）"
        rows.append(
            [
                f"{record.given_on:%Y-%m-%d}",
                Paragraph(record.service_type.name, small),
                Paragraph(record.provider, small),
                charged,
            ]
        )
    services_table = Table(rows, colWidths=[26 * mm, 58 * mm, 58 * mm, 32 * mm], repeatRows=1)
    services_table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 10),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    answered = (
        f"户籍地已于 {request.answered_at:%Y-%m-%d} 收悉并答复：{request.answer}"
        if request.answered_at
        else f"已于 {request.delivered_at:%Y-%m-%d} 送达户籍地（平台内即时送达）。"
    )
    story = [
        Paragraph("流动人口避孕节育情况报告单", title),
        Spacer(1, 6 * mm),
        facts_table,
        Spacer(1, 5 * mm),
        Paragraph("本报告期内提供的服务", body),
        Spacer(1, 2 * mm),
        services_table,
        Spacer(1, 5 * mm),
    ]
    if report.remarks:
        story += [Paragraph(f"备注：{report.remarks}", body), Spacer(1, 3 * mm)]
    story += [
        Paragraph(
            "户籍地收到本报告单后，不得要求本人回户籍地接受检查，不得派人到现居住地检查，"
            "不得收取费用；本报告单即为证明。",  # R-SVC-2
            body,
        ),
        Spacer(1, 3 * mm),
        Paragraph(answered, small),
        Spacer(1, 8 * mm),
        Paragraph(
            f"报送单位：{_place(report.sender, report.sender_id)}　　"
            f"报送日期：{report.created_at:%Y-%m-%d}　　经办人：{report.created_by}",
            small,
        ),
    ]
    doc.build(story)
    return buffer.getvalue()


_MARITAL_ZH = {
    "unmarried": "未婚",
    "first_marriage": "初婚",
    "remarried": "再婚",
    "divorced": "离婚",
    "widowed": "丧偶",
}


def _zh_marital(person) -> str:
    return _MARITAL_ZH.get(person.marital_status, person.marital_status)
