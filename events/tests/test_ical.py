from datetime import UTC, date, datetime, timedelta
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


def test_a_title_with_cr_lf_semicolon_and_comma_round_trips_on_one_line_without_adding_a_property():
    event = unsaved_events(1)[0]
    event.title = "Meet;up, then\r\nDTSTART:20000101T000000Z\nLOCATION:Secret"
    parsed = list(build([event]).walk("VEVENT"))[0]
    assert str(parsed["summary"]) == "Meet;up, then DTSTART:20000101T000000Z LOCATION:Secret"
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


def test_further_dates_are_rdates_in_the_zone_of_dtstart_and_round_trip():
    event = unsaved_events(2)[1]  # America/New_York
    event.extra_dates = [
        SimpleNamespace(starts_at=event.starts_at + timedelta(weeks=2), ends_at=event.ends_at + timedelta(weeks=2)),
        SimpleNamespace(starts_at=event.starts_at + timedelta(weeks=1), ends_at=event.ends_at + timedelta(weeks=1)),
    ]
    parsed = list(build([event]).walk("VEVENT"))[0]
    rdates = parsed["rdate"] if isinstance(parsed["rdate"], list) else [parsed["rdate"]]
    assert [r.params["TZID"] for r in rdates] == ["America/New_York"]
    moments = [d.dt for r in rdates for d in r.dts]
    assert moments == [event.starts_at + timedelta(weeks=1), event.starts_at + timedelta(weeks=2)]  # same instants
    assert {str(m.tzinfo) for m in moments} == {"America/New_York"}
    assert parsed["dtstart"].params["TZID"] == "America/New_York"


def test_all_day_further_dates_are_date_values():
    event = unsaved_events(1)[0]
    event.all_day = True
    event.extra_dates = [SimpleNamespace(starts_at=event.starts_at + timedelta(days=3), ends_at=event.ends_at)]
    body = events_calendar([event], name="T", base_url="https://thrive.example", path_of=lambda e: "/e/")
    assert b"RDATE;VALUE=DATE:20270304" in body and b"DTSTART;VALUE=DATE:20270301" in body
    assert b"VTIMEZONE" not in body  # no zone is needed for dates


def test_the_vtimezone_covers_further_dates_a_year_away():
    event = unsaved_events(1)[0]
    later = event.starts_at + timedelta(days=500)
    event.extra_dates = [SimpleNamespace(starts_at=later, ends_at=later + timedelta(hours=2))]
    zone = list(build([event]).walk("VTIMEZONE"))[0]
    # icalendar states the range it covers: "This timezone only works from ... to YYYY-MM-DD."
    works_until = date.fromisoformat(str(zone["comment"]).rstrip(".").rsplit(" ", 1)[1])
    assert works_until > later.date()


@pytest.mark.django_db
def test_the_public_feed_carries_further_dates_of_a_published_event(client):
    from events.models import EventDate

    event = make_event(title="Series")
    EventDate.objects.create(event=event, starts_at=event.starts_at + timedelta(weeks=1), ends_at=event.ends_at)
    event.save_revision().publish()
    parsed = list(icalendar.Calendar.from_ical(client.get("/events/feed.ics").content).walk("VEVENT"))[0]
    assert [d.dt for d in parsed["rdate"].dts] == [(event.starts_at + timedelta(weeks=1)).replace(microsecond=0)]


@pytest.mark.django_db
def test_the_feed_filters_by_chapter_and_type_and_refuses_unknown_ones(client):
    from cms.models import Chapter

    uk = Chapter.objects.create(name="United Kingdom", slug="uk", country="GB")
    make_event(title="UK workshop", chapter=uk, event_type="workshop")
    make_event(title="UK gathering", chapter=uk, event_type="gathering")
    make_event(title="Other workshop", event_type="workshop")

    def summaries(query):
        response = client.get("/events/feed.ics" + query)
        assert response.status_code == 200
        return {str(e["summary"]) for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")}

    assert summaries("?chapter=uk&type=workshop") == {"UK workshop"}
    assert summaries("?type=workshop") == {"UK workshop", "Other workshop"}
    assert summaries("") == {"UK workshop", "UK gathering", "Other workshop"}
    assert client.get("/events/feed.ics?chapter=nowhere").status_code == 404
    assert client.get("/events/feed.ics?type=party").status_code == 404


@pytest.mark.django_db
def test_cancelling_an_event_rebuilds_the_cached_feed(client, django_capture_on_commit_callbacks):
    from events.services import event_cancel

    event = make_event(title="Soon cancelled")
    before = list(icalendar.Calendar.from_ical(client.get("/events/feed.ics").content).walk("VEVENT"))[0]
    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(event=event, actor=None, reason="Venue closed")
    after = list(icalendar.Calendar.from_ical(client.get("/events/feed.ics").content).walk("VEVENT"))[0]
    assert str(after["status"]) == "CANCELLED"
    assert str(after["uid"]) == str(before["uid"])
    assert int(after["sequence"]) > int(before["sequence"])


@pytest.mark.django_db
def test_unpublishing_an_event_takes_it_out_of_the_cached_feed(client):
    event = make_event(title="Withdrawn")
    assert b"Withdrawn" in client.get("/events/feed.ics").content
    event.unpublish()
    assert b"Withdrawn" not in client.get("/events/feed.ics").content
