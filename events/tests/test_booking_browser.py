"""Booking in Chromium: a free place end to end (with the emailed ticket), the waiting list,
and axe-core on the event, booking and ticket pages."""

import json

import pytest

pytestmark = pytest.mark.browser


def create_event(demo_server, *, title: str, capacity: int, taken: int = 0) -> dict:
    """A published event of our own (the demo content may change), with `taken` places sold."""
    code = (
        "import json;"
        "from events.tests.factories import make_event, RegistrationFactory;"
        f"event = make_event(title={title!r}, capacity={capacity}, venue='Community Hall, 1 High Street');"
        f"[RegistrationFactory(event=event) for _ in range({taken})];"
        "print(json.dumps({'pk': event.pk, 'url': event.url}))"
    )
    return json.loads(demo_server.shell(code).splitlines()[-1])


def mail_with(demo_server, text: str) -> str:
    for path in sorted((demo_server.var_dir / "mail").glob("*.log")):
        body = path.read_text()
        if text in body:
            return body
    return ""


def test_booking_a_free_place_end_to_end(demo_server, browser_page, axe):
    base = demo_server.url
    event = create_event(demo_server, title="Browser booking evening", capacity=5)
    browser_page.goto(base + event["url"])
    assert axe(browser_page) == []
    browser_page.get_by_role("link", name="Book a place").click()
    browser_page.wait_for_load_state()
    assert axe(browser_page) == []
    browser_page.get_by_label("Email address").fill("browser.booker@example.org")
    browser_page.get_by_label("Name on the ticket (optional)").fill("Robin")
    browser_page.get_by_role("button", name="Book my place").click()
    browser_page.wait_for_url("**/events/ticket/**")
    content = browser_page.content()
    assert "Your place is booked" in content and "Confirmed" in content and "Community Hall" in content
    assert axe(browser_page) == []
    code = demo_server.shell(
        "from events.models import Registration;"
        "print(Registration.objects.get(email='browser.booker@example.org').code)"
    )
    assert code in content
    email = mail_with(demo_server, code)
    assert "Browser booking evening" in email and "ticket-" in email
    assert browser_page.recorder.console_errors == []


def test_joining_the_waiting_list_of_a_full_event(demo_server, browser_page, axe):
    base = demo_server.url
    event = create_event(demo_server, title="Browser full evening", capacity=1, taken=1)
    browser_page.goto(base + event["url"])
    assert "Fully booked." in browser_page.content()
    browser_page.get_by_role("link", name="Join the waiting list").click()
    browser_page.wait_for_load_state()
    assert axe(browser_page) == []
    browser_page.get_by_label("Email address").fill("browser.waiter@example.org")
    browser_page.get_by_role("button", name="Join the waiting list").click()
    browser_page.wait_for_load_state()
    assert "You are on the waiting list" in browser_page.content()
    assert axe(browser_page) == []
    waiting = demo_server.shell(
        "from events.models import WaitingListEntry;"
        "print(WaitingListEntry.objects.filter(email='browser.waiter@example.org').count())"
    )
    assert waiting == "1"


def test_a_booking_page_with_errors_passes_axe_and_names_the_problems(demo_server, browser_page, axe):
    event = create_event(demo_server, title="Browser error evening", capacity=3)
    browser_page.goto(f"{demo_server.url}/events/{event['pk']}/book/")
    browser_page.get_by_role("button", name="Book my place").click()
    browser_page.wait_for_load_state()
    content = browser_page.content()
    assert "There is a problem" in content and "Enter an email address so we can send your ticket." in content
    assert axe(browser_page) == []
