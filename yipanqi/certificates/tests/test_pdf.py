"""R-CERT-5: the printable certificate carries its verifications and a QR code to the check."""

import datetime as dt
import shutil
import subprocess

import pytest
from PIL import Image

from yipanqi.audit.models import Action, AuditEvent
from yipanqi.certificates import services
from yipanqi.core.errors import NotFound
from yipanqi.core.testing import assert_chinese_font

from .conftest import at


@pytest.fixture
def verified(woman, issue, village_worker):
    certificate = issue(woman)
    services.verify_certificate(
        certificate.pk, verified_on=dt.date(2026, 3, 20), acting_user=village_worker,
        now=at(dt.date(2026, 3, 20)),
    )  # fmt: skip
    return certificate


def test_pdf_renders_with_chinese_font_and_qr(verified, township_operator, tmp_path):
    """R-CERT-5: a one-page PDF; the QR code decodes to the public check URL."""
    url = f"http://testserver/certificates/check/{verified.token}/"
    _certificate, content = services.certificate_pdf(township_operator, verified.pk, check_url=url)
    assert content.startswith(b"%PDF")
    assert_chinese_font(content)
    assert AuditEvent.objects.filter(
        action=Action.EXPORT, object_type="certificate", person_id=verified.person_id
    ).exists()
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(content)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 1
    image = Image.open(pages[0]).convert("L")
    dark = sum(image.histogram()[:128])
    # Text, table lines and the QR modules: a blank page would have none.
    assert dark > 2000


def test_pdf_is_for_her_two_jurisdictions_only(verified, other_county_admin):
    """R-ACC-2: someone outside her home and residence cannot print it."""
    with pytest.raises(NotFound):
        services.certificate_pdf(other_county_admin, verified.pk, check_url="http://x/")
