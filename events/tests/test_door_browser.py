"""Browser journey at the door, on a phone-sized screen: Event staff type a ticket code,
see the count go up, and a second try says when the ticket was first used."""

import re

import pytest

pytestmark = pytest.mark.browser

CREATE_TICKET = """
from events.models import EventPage, Registration
event = EventPage.objects.get(slug="survivor-leadership-gathering")
registration = Registration.objects.create(
    event=event, ticket_type=event.ticket_types.first(), email="door-test@example.org",
    attendee_name="Door Test", status="confirmed",
)
print(event.pk, registration.code)
"""


def test_event_staff_check_a_ticket_in_by_typing_its_code_on_a_phone(demo_server, browser_page, axe, sign_in):
    base = demo_server.url
    _staff, password = demo_server.staff_login
    event_pk, code = demo_server.shell(CREATE_TICKET).split()
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, "events@thrive.example", password)

    page.goto(f"{base}/admin/events/{event_pk}/check-in/")
    assert page.get_by_role("heading", name="Check-in", exact=True).is_visible()
    assert axe(page) == []
    counted = int(page.locator("#count-in").inner_text())
    page.evaluate("window.stillTheSamePage = true")  # check-in.js answers without reloading

    page.get_by_label("Ticket code").fill(code.lower())
    page.get_by_role("button", name="Check in", exact=True).click()
    result = page.get_by_role("status")
    result.get_by_text("Checked in: Door Test").wait_for()
    assert int(page.locator("#count-in").inner_text()) == counted + 1
    assert page.get_by_label("Ticket code").input_value() == ""  # ready for the next person

    page.get_by_label("Ticket code").fill(code)
    page.get_by_role("button", name="Check in", exact=True).click()
    result.get_by_text(re.compile(r"^Already checked in at \d\d:\d\d")).wait_for()
    assert int(page.locator("#count-in").inner_text()) == counted + 1
    assert axe(page) == []
    assert page.evaluate("window.stillTheSamePage") is True

    # The page fits the phone's width: nothing to scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.recorder.console_errors == []
    assert all(url.startswith(base) for url in page.recorder.requests)
