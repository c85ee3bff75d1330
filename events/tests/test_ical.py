from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.ical import events_calendar
from events.models import EventPage
from events.services import registration_reserve
from events.tests.factories import make_event


def unsaved_events(count: int) -> list[SimpleNamespace]:
    """Plain values with an event's attributes: the builder is pure and needs no database."""
    start = datetime(2027, 3, 1, 18, tzinfo=UTC)
    return [
        SimpleNamespace(
            pk=n + 1,
            title=f"Event {n}",
            summary="Summary",
            starts_at=start + timedelta(days=n),
            ends_at=start + timedelta(days=n, hours=2),
            time_zone=["Europe/London", "America/New_York"][n % 2],
            all_day=False,
            sequence=0,
            cancelled=False,
            online=False,
            venue="Hall",
            sensitive=False,
        )
        for n in range(count)
    ]


def build(events) -> icalendar.Calendar:
    body = events_calendar(events, name="Test", base_url="https://thrive.example", path_of=lambda e: f"/e/{e.pk}/")
    return icalendar.Calendar.from_ical(body)


def test_a_feed_of_1000_events_parses_back_with_unique_uids_and_zoned_times():
    calendar = build(unsaved_events(1000))
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1000
    assert len({str(e["uid"]) for e in events}) == 1000
    assert all("://" not in str(e["uid"]) for e in events)
    assert {e["dtstart"].params["TZID"] for e in events} == {"Europe/London", "America/New_York"}
    assert {str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")} == {"Europe/London", "America/New_York"}


def test_a_title_with_cr_lf_semicolon_and_comma_round_trips_without_adding_a_property():
    event = unsaved_events(1)[0]
    event.title = "Meet;up, then\r\nDTSTART:20000101T000000Z\nLOCATION:Secret"
    parsed = list(build([event]).walk("VEVENT"))[0]
    assert str(parsed["summary"]) == "Meet;up, then \nDTSTART:20000101T000000Z\nLOCATION:Secret"
    assert str(parsed["location"]) == "Hall"  # the real one, not the injected one
    assert parsed["dtstart"].dt.year == 2027


@pytest.mark.django_db
def test_uids_are_stable_across_edits_and_sequence_grows(client):
    event = make_event()
    first = list(icalendar.Calendar.from_ical(client.get(f"/events/{event.pk}/calendar.ics").content).walk("VEVENT"))[0]
    event.title = "Renamed"
    event.save_revision().publish()
    second = list(icalendar.Calendar.from_ical(client.get(f"/events/{event.pk}/calendar.ics").content).walk("VEVENT"))[
        0
    ]
    assert str(first["uid"]) == str(second["uid"])
    assert int(second["sequence"]) > int(first["sequence"])
    assert str(second["summary"]) == "Renamed"


@pytest.mark.django_db
def test_the_public_feed_holds_no_sensitive_venue_and_no_attendee_data(client):
    open_event = make_event(venue="Open Hall, 1 High Street")
    secret = make_event(venue="Safe House, 9 Hidden Lane", sensitive=True)
    registration_reserve(
        event=secret,
        ticket_type=secret.ticket_types.first(),
        email="attendee@example.org",
        attendee_name="Attendee Name",
    )
    body = client.get("/events/feed.ics").content.decode()
    assert "Open Hall" in body
    assert "Hidden Lane" not in body and "Safe House" not in body
    assert "attendee@example.org" not in body and "Attendee Name" not in body
    assert open_event.title in body


@pytest.mark.django_db
def test_a_cancelled_event_says_so_in_the_calendar(client):
    event = make_event()
    EventPage.objects.filter(pk=event.pk).update(cancelled=True)
    parsed = list(icalendar.Calendar.from_ical(client.get(f"/events/{event.pk}/calendar.ics").content).walk("VEVENT"))
    assert str(parsed[0]["status"]) == "CANCELLED"


@pytest.mark.django_db
def test_the_feed_is_cached_until_an_event_changes(client):
    event = make_event(title="Before")
    assert b"Before" in client.get("/events/feed.ics").content
    with CaptureQueriesContext(connection) as captured:
        client.get("/events/feed.ics")
    assert len(captured) == 0
    event.title = "After"
    event.save_revision().publish()
    assert b"After" in client.get("/events/feed.ics").content


@pytest.mark.django_db
def test_feed_queries_do_not_grow_with_events(client):
    from django.core.cache import cache

    for _ in range(10):
        make_event()
    cache.clear()
    with CaptureQueriesContext(connection) as at_10:
        client.get("/events/feed.ics")
    for _ in range(40):
        make_event()
    cache.clear()
    with CaptureQueriesContext(connection) as at_50:
        client.get("/events/feed.ics")
    assert len(at_10) == len(at_50)
