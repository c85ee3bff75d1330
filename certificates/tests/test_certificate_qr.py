"""A certificate's QR code is a regular QR code (never Micro QR), read back from the PDF."""

import subprocess
from datetime import date
from decimal import Decimal

import pytest
import zxingcpp
from PIL import Image

from accounts.tests.factories import MemberProfileFactory
from certificates.services import certificate_issue
from certificates.tasks import certificate_render
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_rendered_certificates_qr_code_is_a_regular_qr_code_of_its_verification_address(
    demo_site, settings, tmp_path
):
    profile = MemberProfileFactory(display_name="Q", certificate_name="Quillfeather Zanthorpe")
    source = AuditEvent.objects.create(action="test.achievement", object_type="test", object_id="1")
    certificate = certificate_issue(
        recipient=profile.user, source=source, title="Foundations", awarded_on=date(2027, 3, 3), hours=Decimal("2")
    )
    certificate_render.call(certificate_id=certificate.pk, send_email=False)
    certificate.refresh_from_db()
    (tmp_path / "certificate.pdf").write_bytes(certificate.pdf.open("rb").read())
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-singlefile", str(tmp_path / "certificate.pdf"), str(tmp_path / "page")],
        check=True,
    )
    found = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert [(result.format, result.text) for result in found] == [
        (zxingcpp.BarcodeFormat.QRCode, f"{settings.SITE_URL}/verify/{certificate.code}/")
    ]
