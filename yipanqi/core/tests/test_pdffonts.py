"""Every PDF embeds its Chinese font (a TrueType subset), so viewers without Asian font packs
show the text; a configured file is used; without any font file the PDFs fall back to the
non-embedded STSong-Light with a warning."""

import io
import logging
import shutil
import subprocess

import pytest
from reportlab.pdfgen import canvas

from yipanqi.core import pdffonts

SAMPLE = "流动人口婚育证明 广东省深圳市南山区"


@pytest.fixture(autouse=True)
def fresh_choice():
    pdffonts.forget()
    yield
    pdffonts.forget()


def installed() -> tuple[str, int]:
    found = pdffonts.find_font_file()
    if found is None:
        pytest.skip(
            "no TrueType Chinese font is installed (scripts/setup installs fonts-wqy-zenhei "
            "as root, or set YIPANQI_PDF_FONT)"
        )
    return found


def _sample_pdf() -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setFont(pdffonts.cjk_font(), 14)
    pdf.drawString(72, 720, SAMPLE)
    pdf.save()
    return buffer.getvalue()


@pytest.mark.django_db
def test_the_annual_report_embeds_a_truetype_chinese_font():
    from yipanqi.stats.report import annual_report, report_pdf

    installed()

    content = report_pdf(annual_report(jurisdiction="44", year=2026))

    font = pdffonts.pdf_font()
    assert font.embedded and font.path
    assert b"/FontFile2" in content  # a TrueType font program inside the file
    assert b"STSong-Light" not in content
    if shutil.which("pdffonts"):
        listing = subprocess.run(
            ["pdffonts", "-"], input=content, capture_output=True, check=True
        ).stdout.decode()
        rows = [line.split() for line in listing.splitlines()[2:]]
        truetype = [row for row in rows if "TrueType" in row]
        assert truetype, listing
        # columns: name, type..., encoding, emb, sub, uni, object, generation
        assert all(row[-5:-2] == ["yes", "yes", "yes"] for row in truetype), listing


def test_the_embedded_text_reads_back_as_the_same_chinese():
    installed()
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")

    content = _sample_pdf()

    text = subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    assert SAMPLE in text


def test_a_configured_font_file_is_the_one_embedded(settings, tmp_path):
    path, index = installed()
    own = tmp_path / "our-font.ttc"
    own.symlink_to(path)
    settings.PDF_FONT_FILE, settings.PDF_FONT_INDEX = str(own), index

    font = pdffonts.pdf_font()

    assert (font.path, font.embedded) == (str(own), True)
    assert font.name == f"YQ-our-font-{index}"
    assert b"/FontFile2" in _sample_pdf()


def test_without_a_font_file_pdfs_fall_back_to_stsong_light_with_a_warning(
    settings, monkeypatch, tmp_path, caplog
):
    settings.PDF_FONT_FILE = str(tmp_path / "missing.ttf")
    monkeypatch.setattr(pdffonts, "DEBIAN_FONTS", ())

    with caplog.at_level(logging.WARNING, logger="yipanqi.core.pdffonts"):
        font = pdffonts.pdf_font()
        content = _sample_pdf()

    assert (font.name, font.embedded) == ("STSong-Light", False)
    assert b"STSong-Light" in content and b"/FontFile2" not in content
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "missing.ttf is not a file" in messages
    assert "fall back to the non-embedded CID font STSong-Light" in messages
    assert [c.id for c in pdffonts.check_pdf_font()] == ["yipanqi.W001"]
    settings.PDF_FONT_FILE = ""
    assert [c.id for c in pdffonts.check_pdf_font()] == ["yipanqi.W002"]


def test_a_file_that_is_not_a_font_is_skipped_with_a_warning(settings, tmp_path, caplog):
    installed()
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font")
    settings.PDF_FONT_FILE = str(broken)

    with caplog.at_level(logging.WARNING, logger="yipanqi.core.pdffonts"):
        font = pdffonts.pdf_font()

    assert font.embedded and font.path != str(broken)
    assert "broken.ttf (index 0) cannot be embedded" in caplog.text
