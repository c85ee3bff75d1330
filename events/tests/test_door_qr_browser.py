"""The door test: a real ticket PDF, rendered by our code and turned into an image, is read by
zxing-cpp (a regular QR code holding the ticket's signed token) and by the door page's own
decoder (the vendored jsQR, through the page's "Read a photo of the ticket"), and that scan
checks the ticket in; a second scan says when it was first used, and the holder's ticket page
shows it checked in."""

import re
import subprocess

import pytest
import zxingcpp
from PIL import Image

pytestmark = pytest.mark.browser

TICKET_PDF = """
from pathlib import Path
from events import documents, links
from events.models import EventPage, Registration
event = EventPage.objects.get(slug="survivor-leadership-gathering")
registration = Registration.objects.create(
    event=event, ticket_type=event.ticket_types.first(), email="door-photo@example.org",
    attendee_name="Photo Test", status="confirmed",
)
Path({path!r}).write_bytes(documents.ticket_pdf(registration))
from events.door_tokens import ticket_token
print(event.pk, registration.code, links.ticket_path(registration), ticket_token(registration))
"""


@pytest.mark.parametrize("width", [390, 1280])
def test_a_ticket_pdf_photo_is_read_by_the_door_pages_decoder_and_checks_the_ticket_in(
    demo_server, browser_page, sign_in, axe, tmp_path, width
):
    base = demo_server.url
    _staff, password = demo_server.staff_login
    pdf = tmp_path / "ticket.pdf"
    event_pk, _code, ticket_path, token = demo_server.shell(TICKET_PDF.format(path=str(pdf))).split()
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", str(pdf), str(tmp_path / "ticket")], check=True)
    photo = tmp_path / "ticket.png"
    found = zxingcpp.read_barcodes(Image.open(photo))
    assert [(result.format, result.text) for result in found] == [(zxingcpp.BarcodeFormat.QRCode, token)]

    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, base, "events@thrive.example", password)
    page.goto(f"{base}/admin/events/{event_pk}/check-in/")
    counted = int(page.locator("#count-in").inner_text())
    assert page.get_by_text("Read a photo of the ticket").is_visible()
    assert axe(page) == []

    page.get_by_label("Read a photo of the ticket").set_input_files(str(photo))
    result = page.get_by_role("status")
    result.get_by_text("Checked in: Photo Test").wait_for()
    assert page.evaluate("typeof window.jsQR") == "function"  # read by the vendored decoder
    assert int(page.locator("#count-in").inner_text()) == counted + 1

    page.get_by_label("Read a photo of the ticket").set_input_files(str(photo))
    result.get_by_text(re.compile(r"^Already checked in at \d\d:\d\d(?: on \d+ \w+)?: Photo Test")).wait_for()
    assert int(page.locator("#count-in").inner_text()) == counted + 1
    page.screenshot(path=str(tmp_path / f"door-{width}.png"), full_page=True)
    assert page.recorder.console_errors == []
    assert all(url.startswith(base) for url in page.recorder.requests)

    page.goto(base + ticket_path)
    assert page.get_by_text(re.compile(r"^Checked in at \d\d:\d\d")).is_visible()


def test_a_photo_without_a_qr_code_says_so_and_checks_nobody_in(demo_server, browser_page, sign_in, tmp_path):
    base = demo_server.url
    _staff, password = demo_server.staff_login
    event_pk = demo_server.shell(
        'from events.models import EventPage; print(EventPage.objects.get(slug="survivor-leadership-gathering").pk)'
    )
    blank = tmp_path / "blank.png"
    Image.new("RGB", (400, 300), "white").save(blank)
    page = browser_page
    sign_in(page, base, "events@thrive.example", password)
    page.goto(f"{base}/admin/events/{event_pk}/check-in/")
    counted = page.locator("#count-in").inner_text()
    page.get_by_label("Read a photo of the ticket").set_input_files(str(blank))
    page.get_by_role("status").get_by_text("No QR code found in that photo").wait_for()
    assert page.locator("#count-in").inner_text() == counted
