"""The event journey as people take it, in Chromium at a phone's width and a desktop's: find an
event from the home page by following links, book a free place, open the ticket page, its
.ics and the question before cancelling; then Event staff check the ticket in by typing its
code at the door. Screenshots of each step are kept in the test's temporary folder."""

import re
import urllib.request

import icalendar
import pytest
import vobject

pytestmark = pytest.mark.browser

WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}


def rgb(page, selector: str, prop: str) -> str:
    return page.eval_on_selector(selector, f"e => getComputedStyle(e).{prop}")


@pytest.mark.parametrize("device", WIDTHS)
def test_find_book_keep_and_use_a_free_place_by_following_links(
    demo_server, browser_page, axe, sign_in, tmp_path, device
):
    base = demo_server.url
    page = browser_page
    width, height = WIDTHS[device]
    page.set_viewport_size({"width": width, "height": height})
    shot = 0

    def snap(name):
        nonlocal shot
        shot += 1
        page.screenshot(path=str(tmp_path / f"{device}-{shot:02d}-{name}.png"), full_page=True)

    page.goto(base + "/")
    snap("home")
    menu = page.get_by_role("button", name=re.compile("menu", re.I))
    if menu.count() and menu.first.is_visible():
        menu.first.click()
    page.get_by_role("link", name="Events", exact=True).first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Events", level=1).is_visible()
    snap("events")
    page.get_by_role("link", name="Survivor leadership gathering").first.click()
    page.wait_for_load_state()
    snap("event")
    assert axe(page) == []
    places = re.search(r"(\d+) places? left\.", page.content())
    assert places
    page.get_by_role("link", name="Book a place").click()
    page.wait_for_load_state()
    snap("book")
    label = re.search(r"Free place: free, (\d+) places? left", page.content())
    assert label and label.group(1) == places.group(1)  # one number on both pages
    page.get_by_label("Email address").fill(f"journey-{device}@example.org")
    page.get_by_label("Name on the ticket (optional)").fill(f"Journey {device}")
    page.get_by_role("button", name="Book my place").click()
    page.wait_for_url("**/events/ticket/**")
    snap("ticket")
    assert axe(page) == []
    code = page.locator(".facts").get_by_text(re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")).inner_text()
    assert page.locator("figure svg").count() == 1  # the QR code
    ticket_url = page.url

    ics_href = page.get_by_role("link", name="Add to my calendar (.ics)").get_attribute("href")
    with urllib.request.urlopen(base + ics_href) as response:  # noqa: S310 (our test server)
        body = response.read()
    assert icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert next(vobject.readComponents(body.decode())).vevent.summary.value == "Survivor leadership gathering"

    page.get_by_role("link", name="Cancel my booking").click()
    page.wait_for_load_state()
    snap("cancel-question")
    assert page.get_by_role("heading", name="Cancel your booking?").is_visible()
    assert axe(page) == []
    yes = page.get_by_role("button", name="Yes, cancel my booking")
    assert yes.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 255, 255)"  # outlined
    page.get_by_role("link", name="No, keep my booking").click()
    page.wait_for_url(ticket_url)

    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.recorder.console_errors == []
    assert all(url.startswith(base) for url in page.recorder.requests)

    _staff, password = demo_server.staff_login
    sign_in(page, base, "events@thrive.example", password)
    event_pk = demo_server.shell(
        'from events.models import EventPage; print(EventPage.objects.get(slug="survivor-leadership-gathering").pk)'
    )
    page.goto(f"{base}/admin/events/{event_pk}/check-in/")
    page.get_by_label("Ticket code").fill(code)
    page.get_by_role("button", name="Check in", exact=True).click()
    page.get_by_role("status").get_by_text(f"Checked in: Journey {device}").wait_for()
    snap("door")
    page.get_by_label("Ticket code").fill(code)
    page.get_by_role("button", name="Check in", exact=True).click()
    page.get_by_role("status").get_by_text(re.compile(r"^Already checked in at \d\d:\d\d")).wait_for()
    page.goto(ticket_url)
    assert page.get_by_text(re.compile(r"^Checked in at \d\d:\d\d")).is_visible()
    snap("ticket-checked-in")
