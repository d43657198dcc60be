"""The printable certificate (R-CERT-5): one A4 page with the holder, the validity, every
verification and a QR code for the public check. Chinese text is in the platform's PDF font
(yipanqi.core.pdffonts: a TrueType CJK font embedded as a subset)."""

import io

import segno
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

from yipanqi.core.pdffonts import cjk_font
from yipanqi.divisions.models import PATH_SEPARATOR


def _qr(pdf: canvas.Canvas, url: str, x: float, y: float, size: float) -> None:
    """Draw the QR code as filled squares: crisp at any print resolution, no image needed."""
    code = segno.make(url, error="m")
    rows = list(code.matrix)
    border = 2
    count = len(rows) + 2 * border
    cell = size / count
    pdf.setFillColorRGB(1, 1, 1)
    pdf.rect(x, y, size, size, stroke=0, fill=1)
    pdf.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                pdf.rect(
                    x + (c + border) * cell,
                    y + size - (r + border + 1) * cell,
                    cell,
                    cell,
                    stroke=0,
                    fill=1,
                )


def _place(division) -> str:
    """A division as printed addresses are written: names run together, no separators."""
    return "".join((division.path_name or division.name).split(PATH_SEPARATOR))


def render_certificate(certificate, *, id_number: str, verifications, check_url: str) -> bytes:
    """The PDF bytes of one certificate with its verifications and QR code."""
    font = cjk_font()
    buffer = io.BytesIO()
    width, height = A4
    # Starting in the Chinese font: the page names no other (Helvetica) font.
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=font)
    pdf.setTitle(f"{certificate.number}")
    pdf.setAuthor("Yipanqi")
    left = 20 * mm
    y = height - 25 * mm

    pdf.setFont(font, 20)
    pdf.drawCentredString(width / 2, y, _("Marriage and childbearing certificate for migrants"))
    y -= 9 * mm
    pdf.setFont(font, 11)
    pdf.drawCentredString(width / 2, y, _("No. %(number)s") % {"number": certificate.number})
    y -= 12 * mm

    person = certificate.person
    if certificate.long_term:
        validity = _("Long-term")
    else:
        validity = _("%(start)s to %(end)s") % {
            "start": certificate.issued_on.isoformat(),
            "end": certificate.valid_until.isoformat(),
        }
    rows = [
        (pgettext("person", "Name"), person.name),
        (_("Sex"), person.get_sex_display()),
        (_("Date of birth"), person.birth_date.isoformat()),
        (_("ID number"), id_number),
        (_("Home place"), _place(person.home)),
        (_("Marital status"), certificate.get_marital_status_display()),
        (_("Children"), str(certificate.children)),
        (_("Issued by"), _place(certificate.issuer)),
        (_("Issued on"), certificate.issued_on.isoformat()),
        (pgettext("validity period", "Valid"), validity),
    ]
    if certificate.proxy_name:
        rows.append(
            (
                _("Applied for by"),
                f"{certificate.proxy_name} ({certificate.get_proxy_relation_display()})",
            )
        )
    if certificate.renewed_from_id:
        rows.append((_("Renews certificate"), certificate.renewed_from.number))
    qr_size = 40 * mm
    _qr(pdf, check_url, width - left - qr_size, y - qr_size + 4 * mm, qr_size)
    pdf.setFont(font, 8)
    pdf.drawCentredString(
        width - left - qr_size / 2, y - qr_size, _("Scan to check whether it is valid")
    )
    pdf.setFont(font, 12)
    value_width = width - 2 * left - 32 * mm - qr_size - 4 * mm
    for label, value in rows:
        pdf.drawString(left, y, label)
        for line in simpleSplit(value, font, 12, value_width) or [""]:
            pdf.drawString(left + 32 * mm, y, line)
            y -= 6 * mm
        y -= 1.5 * mm
    y -= 3 * mm
    pdf.setFont(font, 9)
    pdf.drawString(
        left, y, _("Issued free of charge. Holding it places no obligation on the holder.")
    )
    y -= 12 * mm

    pdf.setFont(font, 14)
    pdf.drawString(left, y, _("Verifications at the place of residence"))
    y -= 8 * mm
    pdf.setFont(font, 10)
    columns = [0, 24 * mm, 80 * mm, 104 * mm]
    for x, label in zip(
        columns, [_("Date"), _("Verified by"), _("Verifier"), _("Note")], strict=True
    ):
        pdf.drawString(left + x, y, label)
    y -= 2 * mm
    pdf.line(left, y, width - left, y)
    y -= 6 * mm
    listed = list(verifications)
    if not listed:
        pdf.drawString(left, y, _("Not verified yet."))
        y -= 6 * mm
    for verification in listed:
        if y < 25 * mm:
            pdf.showPage()
            pdf.setFont(font, 10)
            y = height - 25 * mm
        unit = verification.unit.path_name.split(PATH_SEPARATOR)[-2:]
        note = verification.get_kind_display()
        if verification.late:
            note = _("%(kind)s, late") % {"kind": note}
        if verification.changed:
            note = _("%(kind)s, status changed") % {"kind": note}
        values = [
            verification.verified_on.isoformat(),
            "".join(unit)[:20],
            str(verification.verified_by)[:10],
            note[:40],
        ]
        for x, value in zip(columns, values, strict=True):
            pdf.drawString(left + x, y, value)
        y -= 6 * mm
    pdf.setFont(font, 8)
    pdf.drawString(left, 15 * mm, check_url)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines that fit the width: at spaces where there are any, else between characters
    (Chinese has no spaces, so a long sentence or address breaks anywhere)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    for line in simpleSplit(text, font, size, width) or [""]:
        current = ""
        for char in line:
            if current and stringWidth(current + char, font, size) > width:
                lines.append(current)
                current = ""
            current += char
        lines.append(current)
    return lines


def render_document(
    *,
    title: str,
    number: str,
    rows: list[tuple[str, str]],
    note: str,
    table_title: str = "",
    table_columns: list[tuple[str, float]] | None = None,
    table_rows: list[list[str]] | None = None,
    empty_table: str = "",
    qr_url: str = "",
    qr_caption: str = "",
) -> bytes:
    """One printable A4 document in the certificate's layout: a centred title and number, the
    facts as label and value rows (with a QR code on the right when there is a code to check),
    the note, then a table. The birth registration (R-BIRTH) and the interim certificate
    (R-CERT-4) are printed with it, so the family's papers all look alike."""
    font = cjk_font()
    buffer = io.BytesIO()
    width, height = A4
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=font)
    pdf.setTitle(number)
    pdf.setAuthor("Yipanqi")
    left = 20 * mm
    y = height - 25 * mm
    pdf.setFont(font, 20)
    pdf.drawCentredString(width / 2, y, title)
    y -= 9 * mm
    pdf.setFont(font, 11)
    pdf.drawCentredString(width / 2, y, _("No. %(number)s") % {"number": number})
    y -= 12 * mm
    qr_size = 40 * mm if qr_url else 0
    if qr_url:
        _qr(pdf, qr_url, width - left - qr_size, y - qr_size + 4 * mm, qr_size)
        pdf.setFont(font, 8)
        for i, line in enumerate(wrap(qr_caption, font, 8, qr_size + 10 * mm)):
            pdf.drawCentredString(width - left - qr_size / 2, y - qr_size - i * 3.5 * mm, line)
    pdf.setFont(font, 12)
    value_width = width - 2 * left - 32 * mm - (qr_size + 4 * mm if qr_url else 0)
    for label, value in rows:
        pdf.drawString(left, y, label)
        for line in wrap(value, font, 12, value_width):
            pdf.drawString(left + 32 * mm, y, line)
            y -= 6 * mm
        y -= 1.5 * mm
    if qr_url:
        y = min(y, height - 46 * mm - qr_size - 8 * mm)
    y -= 3 * mm
    pdf.setFont(font, 9)
    for line in wrap(note, font, 9, width - 2 * left):
        pdf.drawString(left, y, line)
        y -= 5 * mm
    y -= 7 * mm
    if table_columns:
        pdf.setFont(font, 14)
        pdf.drawString(left, y, table_title)
        y -= 8 * mm
        pdf.setFont(font, 10)
        for label, x in table_columns:
            pdf.drawString(left + x, y, label)
        y -= 2 * mm
        pdf.line(left, y, width - left, y)
        y -= 6 * mm
        if not table_rows:
            pdf.drawString(left, y, empty_table)
            y -= 6 * mm
        for values in table_rows or []:
            if y < 25 * mm:
                pdf.showPage()
                pdf.setFont(font, 10)
                y = height - 25 * mm
            for (_label, x), value in zip(table_columns, values, strict=True):
                pdf.drawString(left + x, y, value)
            y -= 6 * mm
    if qr_url:
        pdf.setFont(font, 8)
        pdf.drawString(left, 15 * mm, qr_url)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def place_name(division) -> str:
    """A division as printed addresses are written (names run together)."""
    return _place(division)
