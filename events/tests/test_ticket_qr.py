"""Ticket QR codes (each holding the ticket's signed door token, issue 21) are regular QR
codes (never Micro QR, which the door page's jsQR and most phones cannot read), in the PDF
ticket as rendered and on the ticket page."""

import subprocess

import pytest
import zxingcpp
from PIL import Image

from core.qr import qr_svg
from events import documents, door_tokens
from events.tests.factories import RegistrationFactory, make_event

pytestmark = pytest.mark.django_db


def pdf_page_png(pdf: bytes, tmp_path, dpi: int = 150):
    (tmp_path / "ticket.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-singlefile", str(tmp_path / "ticket.pdf"), str(tmp_path / "ticket")],
        check=True,
    )
    return Image.open(tmp_path / "ticket.png")


def test_a_rendered_ticket_pdf_carries_a_regular_qr_code_of_the_tickets_signed_token(tmp_path):
    registration = RegistrationFactory(event=make_event())
    image = pdf_page_png(documents.ticket_pdf(registration), tmp_path)
    found = zxingcpp.read_barcodes(image)
    assert [result.format for result in found] == [zxingcpp.BarcodeFormat.QRCode]
    assert door_tokens.token_read(found[0].text, event=registration.event).ticket_id == registration.pk
    # Drawn at the stylesheet's 46 mm (quiet zone included): the symbol is about 33 mm wide,
    # about 195 pixels at 150 dpi, so a phone reads it from paper at arm's length.
    corners = found[0].position
    assert corners.top_right.x - corners.top_left.x > 170


def test_zbar_reads_the_ticket_pdfs_qr_code_too(tmp_path):
    registration = RegistrationFactory(event=make_event())
    pdf_page_png(documents.ticket_pdf(registration), tmp_path)
    read = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "ticket.png")], capture_output=True, text=True)
    assert read.stdout.split() == [door_tokens.ticket_token(registration)]


def test_even_a_short_code_is_drawn_as_a_regular_qr_code_with_a_full_quiet_zone():
    svg = qr_svg("ABCD-EFGH-JKMN", scale=1)
    # Version 1 is 21 modules, plus 4 of quiet zone each side; Micro QR M4 would be 17 + 2 + 2.
    assert 'width="29" height="29"' in svg
