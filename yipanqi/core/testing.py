"""Helpers for the tests of other apps."""


def assert_chinese_font(content: bytes) -> None:
    """The PDF's Chinese text is in the platform's PDF font (yipanqi.core.pdffonts): the
    TrueType font embedded as a subset when one is installed, else the named CID fallback."""
    from reportlab.pdfbase import pdfmetrics

    from yipanqi.core.pdffonts import pdf_font

    font = pdf_font()
    if font.embedded:
        face = pdfmetrics.getFont(font.name).face.name
        assert b"/FontFile2" in content, "the TrueType font is not embedded"
        assert b"+" + face in content, "the embedded subset is not the platform's font"
    else:
        assert font.name.encode() in content
