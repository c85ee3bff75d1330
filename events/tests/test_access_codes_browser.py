"""Allocated places in Chromium (issue 19): Event staff allocate 10 codes on a full-price
event (a hidden funded ticket type), download them, a visitor books a free place with one
through the booking page link, and the staff screen says 1 of 10 used."""

import csv
import io
import json

import pytest

pytestmark = pytest.mark.browser

CREATE_EVENT = (
    "import json;"
    "from datetime import timedelta;"
    "from zoneinfo import ZoneInfo;"
    "from events.tests.factories import make_event;"
    "event = make_event(title='Browser coded supper', capacity=20, tickets=["
    "{'name': 'Supper ticket', 'quantity': 10, 'price_minor': 3500},"
    "{'name': 'Funded place', 'quantity': 10, 'funded': True, 'hidden': True}]);"
    "expiry = (event.starts_at - timedelta(days=1)).astimezone(ZoneInfo(event.time_zone));"
    "print(json.dumps({'pk': event.pk, 'url': event.url, 'expiry': expiry.strftime('%Y-%m-%dT%H:%M')}))"
)


def test_staff_allocate_codes_a_visitor_books_with_one_and_staff_see_one_of_ten_used(
    demo_server, browser_page, chromium, axe, sign_in
):
    base = demo_server.url
    _staff, password = demo_server.staff_login
    event = json.loads(demo_server.shell(CREATE_EVENT).splitlines()[-1])
    page = browser_page
    page.goto(base + event["url"])
    assert "Funded place" not in page.content() and "Supper ticket" in page.content()

    sign_in(page, base, "events@thrive.example", password)
    page.goto(f"{base}/admin/events/{event['pk']}/")
    page.get_by_role("link", name="Access codes").click()
    page.wait_for_load_state()
    page.get_by_label("Partner organisation").select_option(label="Safe Harbour Trust")
    page.get_by_label("Ticket type").select_option(label="Funded place")
    page.get_by_label("Places (one code each)").fill("10")
    page.get_by_label("Codes expire at").fill(event["expiry"])
    page.get_by_role("button", name="Allocate codes").click()
    page.wait_for_load_state()
    assert "10 access codes allocated to Safe Harbour Trust." in page.content()
    assert "0 of 10 used" in page.content()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download codes (CSV)").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))  # noqa: SIM115
    assert rows[0] == ["code", "booking link", "expires"] and len(rows) == 11
    code, link, _expires = rows[1]
    assert link.endswith(f"/events/{event['pk']}/book/?code={code}")

    visitor = chromium.new_context().new_page()  # no staff session: a survivor's own phone
    visitor.goto(link)
    assert "Funded place (with your code)" in visitor.content()
    assert axe(visitor) == []
    visitor.get_by_label("Email address").fill("coded.guest@example.org")
    visitor.get_by_role("button", name="Book my place").click()
    visitor.wait_for_url("**/events/ticket/**")
    assert "Your place is booked" in visitor.content() and "Funded place" in visitor.content()
    visitor.goto(link)
    assert "This code has already been used" in visitor.content()

    page.goto(f"{base}/admin/events/{event['pk']}/access-codes/")
    assert "1 of 10 used" in page.content() and "coded.guest" not in page.content()
    visitor.context.close()
