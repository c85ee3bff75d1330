"""Times a booker reads are in the event's own time zone, with the zone named, and every
`<time datetime>` value is valid HTML (whole seconds, no microseconds)."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone

from events import links
from events.for_payments import ticket_lines
from events.services import registration_reserve
from events.tests.factories import make_event
from payments.services import order_create
from payments.views import checkout_url

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
VALID_HTML_DATETIME = re.compile(r'datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d)"')


def held_place_in_new_york():
    event = make_event(
        time_zone="America/New_York", capacity=5, tickets=[{"name": "Standard", "quantity": 5, "price_minor": 1200}]
    )
    held = registration_reserve(event=event, ticket_type=event.ticket_types.first(), email="ny@example.org")
    return event, held


def test_the_checkout_shows_the_hold_in_the_events_zone_and_names_it(client, localstripe, settings):
    settings.TIME_ZONE = "Europe/London"
    _event, held = held_place_in_new_york()
    order = order_create(email="ny@example.org", tickets=ticket_lines([held]), currency="USD")
    page = client.get(checkout_url(order)).content.decode()
    in_new_york = held.reserved_until.astimezone(NEW_YORK)
    assert f">{in_new_york:%H:%M}</time> America/New_York time</strong>" in page
    assert f"{timezone.localtime(held.reserved_until, ZoneInfo('Europe/London')):%H:%M}</time>" not in page
    (value,) = re.findall(r'<time datetime="[^"]*"', page)
    assert VALID_HTML_DATETIME.search(value), value

    response = client.post(checkout_url(order).rstrip("/") + "/more-time/", follow=True)
    assert "America/New_York time" in response.content.decode()


def test_the_ticket_page_shows_a_held_places_time_in_the_events_zone(client):
    _event, held = held_place_in_new_york()
    page = client.get(links.ticket_path(held)).content.decode()
    assert f"held until {held.reserved_until.astimezone(NEW_YORK):%-d %B %Y, %H:%M} (America/New_York)" in page


def test_the_html_datetime_filter_writes_whole_seconds_with_the_offset():
    moment = datetime(2026, 12, 3, 10, 58, 7, 123456, tzinfo=UTC)
    rendered = Template("{% load moments %}{{ moment|html_datetime }}").render(Context({"moment": moment}))
    assert rendered == "2026-12-03T10:58:07+00:00"
    assert Template("{% load moments %}[{{ x|html_datetime }}]").render(Context({"x": "nope"})) == "[]"


def test_booking_opens_is_shown_in_the_events_zone(client):
    opens = datetime(2031, 5, 1, 14, 0, tzinfo=UTC)
    event = make_event(time_zone="America/New_York", registration_opens_at=opens)
    event.save_revision().publish()
    page = client.get(event.url).content.decode()
    assert "Booking opens on 1 May 2031 at 10:00 (America/New_York)." in page


def test_the_home_pages_upcoming_events_give_the_day_in_the_events_zone():
    from events.wagtail_hooks import upcoming_events

    starts = datetime(2031, 3, 11, 0, 30, tzinfo=UTC)  # 10 March, 20:30 in New York
    published = make_event(time_zone="America/New_York", starts_at=starts, ends_at=starts + timedelta(hours=2))
    published.save_revision().publish()
    (item,) = upcoming_events(None)["items"]
    assert item["when"] == "10 March 2031"


def test_my_bookings_and_the_door_page_give_times_in_the_events_zone(client):
    from accounts.tests.factories import UserFactory, sign_in_with_second_factor
    from events.tests.factories import RegistrationFactory

    starts = datetime(2031, 3, 11, 0, 30, tzinfo=UTC)  # 10 March, 20:30 in New York
    event = make_event(time_zone="America/New_York", starts_at=starts, ends_at=starts + timedelta(hours=2))
    member = UserFactory()
    RegistrationFactory(event=event, user=member, email=member.email)
    client.force_login(member)
    page = client.get("/events/my-bookings/").content.decode()
    assert "Monday 10 March 2031, 20:30 (America/New_York)" in page
    sign_in_with_second_factor(client, UserFactory(groups=["Event staff"]))
    assert "10 Mar 2031 20:30" in client.get(f"/admin/events/{event.pk}/check-in/").content.decode()
