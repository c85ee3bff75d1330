"""The event index: upcoming and past, filters, pagination, and the anonymous page cache."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import timezone

from cms.models import Chapter
from events.listing import EVENTS_PER_PAGE
from events.models import EventDate, EventPage
from events.tests.bulk import bulk_events
from events.tests.factories import event_index, make_event

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'<h2><a href="[^"]*">([^<]*)</a></h2>', response.content.decode())


@pytest.fixture
def chapters():
    return (
        Chapter.objects.create(name="United Kingdom", slug="uk", country="GB"),
        Chapter.objects.create(name="United States", slug="us", country="US", time_zone="America/New_York"),
    )


@pytest.fixture
def mixed_events(chapters):
    uk, us = chapters
    soon = timezone.now() + timedelta(days=2)
    return {
        "uk workshop in person": make_event(title="UK workshop", chapter=uk, event_type="workshop", starts_at=soon),
        "uk gathering online": make_event(
            title="UK online gathering", chapter=uk, event_type="gathering", online=True, starts_at=soon
        ),
        "us workshop online": make_event(
            title="US online workshop",
            chapter=us,
            event_type="workshop",
            online=True,
            starts_at=soon,
            time_zone="America/New_York",
        ),
        "uk past": make_event(
            title="UK past gathering",
            chapter=uk,
            starts_at=timezone.now() - timedelta(days=9),
            ends_at=timezone.now() - timedelta(days=9) + timedelta(hours=2),
        ),
    }


def test_upcoming_is_the_default_and_past_events_are_listed_apart(client, mixed_events):
    url = event_index().url
    assert set(titles(client.get(url))) == {"UK workshop", "UK online gathering", "US online workshop"}
    assert titles(client.get(url + "?when=past")) == ["UK past gathering"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("chapter=uk", {"UK workshop", "UK online gathering"}),
        ("type=workshop", {"UK workshop", "US online workshop"}),
        ("where=online", {"UK online gathering", "US online workshop"}),
        ("where=in-person", {"UK workshop"}),
        ("chapter=us&type=workshop&where=online", {"US online workshop"}),
        ("chapter=uk&type=conference", set()),
    ],
)
def test_filters_narrow_the_list(client, mixed_events, query, expected):
    assert set(titles(client.get(f"{event_index().url}?{query}"))) == expected


def test_unknown_filter_values_are_ignored_not_echoed(client, mixed_events):
    response = client.get(event_index().url + '?chapter=<script>&type=party"&where=moon&when=soon&page=x')
    assert len(titles(response)) == 3
    main = response.content.decode().split("<main", 1)[1]
    assert "<script>" not in main and "party" not in main and "moon" not in main and "soon" not in main


def test_the_filter_form_has_labels_and_a_submit_button_and_keeps_the_choice(client, mixed_events):
    body = client.get(event_index().url + "?chapter=us&where=online").content.decode()
    for field in ("chapter", "type", "where", "when"):
        assert f'<label for="filter-{field}">' in body and f'id="filter-{field}" name="{field}"' in body
    assert '<button type="submit">Show events</button>' in body
    assert '<option value="us" selected>' in body and '<option value="online" selected>' in body
    assert "<script>" not in body.split("<main", 1)[1]  # strict CSP: no inline script


def test_each_event_shows_type_place_chapter_and_date(client, mixed_events):
    event = mixed_events["us workshop online"]
    body = client.get(event_index().url + "?chapter=us").content.decode()
    assert "Workshop · Online · United States" in body
    local = event.starts_at.astimezone(ZoneInfo("America/New_York"))  # the event's own zone
    assert f"{local:%-d %B %Y, %H:%M} E" in body  # EST or EDT


def test_a_cancelled_event_is_listed_as_cancelled(client, mixed_events):
    EventPage.objects.filter(pk=mixed_events["uk workshop in person"].pk).update(cancelled=True)
    body = client.get(event_index().url + "?type=workshop&chapter=uk").content.decode()
    assert "UK workshop" in body and "Cancelled." in body


def test_a_sensitive_venue_is_never_on_the_index(client):
    make_event(title="Circle", venue="Safe House, 9 Hidden Lane", sensitive=True, audience="survivors")
    body = client.get(event_index().url).content.decode()
    assert "Circle" in body and "for survivors only" in body
    assert "Hidden Lane" not in body


def test_a_repeating_event_says_how_many_more_dates_and_stays_upcoming_until_its_last(client):
    now = timezone.now()
    first_start = now - timedelta(days=7)
    event = make_event(title="Series", starts_at=first_start, ends_at=first_start + timedelta(hours=2))
    for week in (1, 2):
        EventDate.objects.create(
            event=event,
            starts_at=event.starts_at + timedelta(weeks=week),
            ends_at=event.ends_at + timedelta(weeks=week),
        )
    body = client.get(event_index().url).content.decode()
    assert "Series" in body and "also on 1 more date<" in body  # the next one shown, one after it
    assert "Series" not in client.get(event_index().url + "?when=past").content.decode()
    EventDate.objects.filter(event=event).update(ends_at=now - timedelta(hours=1), starts_at=now - timedelta(hours=3))
    cache.clear()  # a queryset update publishes nothing, so the cached pages stay until they expire
    assert "Series" in client.get(event_index().url + "?when=past").content.decode()


def test_pagination_keeps_the_filters(client, chapters):
    uk, _us = chapters
    bulk_events(EVENTS_PER_PAGE + 3, chapter=uk)
    bulk_events(2, prefix="Elsewhere")
    url = event_index().url
    first = client.get(url + "?chapter=uk").content.decode()
    assert "Page 1 of 2" in first
    assert 'href="?chapter=uk&amp;page=2" rel="next"' in first
    second = client.get(url + "?chapter=uk&page=2")
    assert len(titles(second)) == 3
    assert 'href="?chapter=uk" rel="prev"' in second.content.decode()
    assert "Elsewhere" not in second.content.decode()


def test_a_filtered_view_is_cached_under_its_own_address(client, mixed_events):
    url = event_index().url
    client.get(url)  # the first request of a fresh database creates the site settings, which purges
    assert client.get(url + "?chapter=us").headers.get("X-Page-Cache") == "miss"
    hit = client.get(url + "?chapter=us")
    assert hit.headers.get("X-Page-Cache") == "hit"
    assert set(titles(hit)) == {"US online workshop"}
    assert set(titles(client.get(url + "?chapter=uk"))) == {"UK workshop", "UK online gathering"}


def test_made_up_query_strings_are_served_but_never_stored(client, mixed_events):
    url = event_index().url
    client.get(url)
    for query in ("?utm_source=x", "?chapter=nowhere", "?page=99", "?type=workshop&type=gathering"):
        assert client.get(url + query).headers.get("X-Page-Cache") is None, query
        assert client.get(url + query).headers.get("X-Page-Cache") is None, query
    # what the form itself sends is stored
    assert client.get(url + "?chapter=&type=workshop&where=&when=upcoming").headers["X-Page-Cache"] == "miss"


def test_publishing_an_event_refreshes_the_cached_index(client, mixed_events):
    url = event_index().url + "?chapter=uk"
    client.get(url)
    client.get(url)
    assert client.get(url).headers["X-Page-Cache"] == "hit"
    event = mixed_events["uk workshop in person"]
    event.title = "UK workshop, renamed"
    event.save_revision().publish()
    assert "UK workshop, renamed" in titles(client.get(url))


def test_the_kept_listing_moves_an_event_to_past_when_it_ends_without_a_publish(rf):
    from events.listing import event_listing

    now = timezone.now()
    event = make_event(title="Ends soon", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(minutes=30))
    make_event(title="Later", starts_at=now + timedelta(days=3))
    index = event.get_parent().specific
    params = rf.get("/").GET
    assert [e.title for e in event_listing(index=index, params=params, now=now)["events"]] == ["Ends soon", "Later"]
    later = now + timedelta(hours=1)
    assert [e.title for e in event_listing(index=index, params=params, now=later)["events"]] == ["Later"]
    past = rf.get("/?when=past").GET
    assert [e.title for e in event_listing(index=index, params=past, now=later)["events"]] == ["Ends soon"]
