"""The Chinese font of every PDF the platform prints (certificates, service reports, the annual
report), set up in one place.

A TrueType CJK font file is embedded in each PDF as a subset (reportlab `TTFont`, a /FontFile2
stream), so any viewer shows the text without an Asian font pack. The file is
`settings.PDF_FONT_FILE` (YIPANQI_PDF_FONT, with YIPANQI_PDF_FONT_INDEX for a .ttc collection)
or else the first Debian font found (`scripts/setup` installs fonts-wqy-zenhei as root). With
none, the PDFs fall back to reportlab's built-in CID font STSong-Light, which is referenced, not
embedded: a viewer without Asian fonts shows garbage, so a warning says so.
"""

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)

FALLBACK = "STSong-Light"
# TrueType outlines only: the Noto CJK .ttc files are CFF (OpenType), which reportlab cannot
# embed. (path, font index in the collection, Debian package)
DEBIAN_FONTS = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0, "fonts-wqy-zenhei"),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0, "fonts-arphic-uming"),  # 0: UMing CN
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0, "fonts-wqy-microhei"),
)

_lock = threading.Lock()
_chosen: dict[tuple[str, int], "PdfFont"] = {}


@dataclass(frozen=True)
class PdfFont:
    """The font registered with reportlab for Chinese text."""

    name: str  # the name to pass to setFont / fontName
    path: str = ""  # the embedded file; "" for the CID fallback
    index: int = 0
    embedded: bool = False


def cjk_font() -> str:
    """The registered name of the font for Chinese text in PDFs (see the module docstring)."""
    return pdf_font().name


def pdf_font() -> PdfFont:
    """The font in use, registered with reportlab on first use (once per configured file)."""
    key = (settings.PDF_FONT_FILE or "", settings.PDF_FONT_INDEX)
    with _lock:
        found = _chosen.get(key)
        if found is None:
            found = _chosen[key] = _register(*key)
    return found


def candidates(configured: str, index: int) -> list[tuple[str, int]]:
    """The font files to try, in order: the configured one, then the Debian ones."""
    chosen = [(configured, index)] if configured else []
    return chosen + [(path, i) for path, i, _package in DEBIAN_FONTS]


def find_font_file() -> tuple[str, int] | None:
    """The first usable TrueType file among the candidates, without registering it."""
    for path, i in candidates(settings.PDF_FONT_FILE or "", settings.PDF_FONT_INDEX):
        if Path(path).is_file():
            return path, i
    return None


def _register(configured: str, index: int) -> PdfFont:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    if configured and not Path(configured).is_file():
        log.warning(
            "YIPANQI_PDF_FONT=%s is not a file; PDFs use the next font found instead.", configured
        )
    for path, i in candidates(configured, index):
        if not Path(path).is_file():
            continue
        name = f"YQ-{Path(path).stem}-{i}"
        try:
            if name not in pdfmetrics.getRegisteredFontNames():
                # Subset embedding is reportlab's default for TrueType fonts.
                pdfmetrics.registerFont(TTFont(name, path, subfontIndex=i))
        except (TTFError, OSError, ValueError) as exc:
            log.warning("The font %s (index %s) cannot be embedded in PDFs: %s", path, i, exc)
            continue
        return PdfFont(name, path, i, embedded=True)
    log.warning(
        "No TrueType Chinese font found (YIPANQI_PDF_FONT, or apt-get install fonts-wqy-zenhei): "
        "PDFs fall back to the non-embedded CID font %s, which viewers without Asian font "
        "packs cannot show.",
        FALLBACK,
    )
    if FALLBACK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
    return PdfFont(FALLBACK)


def forget() -> None:
    """Choose again on next use (tests that change the settings)."""
    with _lock:
        _chosen.clear()


def check_pdf_font(app_configs=None, **kwargs):
    """System check: say at start-up when PDFs would not embed a Chinese font."""
    from django.core.checks import Warning as CheckWarning

    configured = settings.PDF_FONT_FILE or ""
    if configured and not Path(configured).is_file():
        return [
            CheckWarning(
                f"YIPANQI_PDF_FONT={configured} is not a file.",
                hint="Point it to a TrueType .ttf or .ttc font, or leave it empty.",
                id="yipanqi.W001",
            )
        ]
    if find_font_file() is None:
        return [
            CheckWarning(
                f"No TrueType Chinese font: PDFs fall back to the non-embedded {FALLBACK}.",
                hint="Run scripts/setup as root (apt-get install fonts-wqy-zenhei) "
                "or set YIPANQI_PDF_FONT.",
                id="yipanqi.W002",
            )
        ]
    return []
