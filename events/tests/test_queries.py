"""The event index and the public feed use the same number of queries however many events
there are (the events are written in bulk: see events/tests/bulk.py)."""

import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from cms.models import Chapter
from core.page_cache import purge_all
from events.tests.bulk import bulk_events
from events.tests.factories import event_index

pytestmark = pytest.mark.django_db


def index_queries(client, url: str) -> int:
    """Queries of a signed-in request (never page-cached) right after a publish: the listing
    is built again, and so are the menu, settings and chapter list (a fixed number)."""
    client.get(url)  # the very first request creates the site settings, which purges once
    purge_all()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def feed_queries(client, url: str) -> int:
    """Queries of building the feed from nothing (the cache emptied first)."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_index_queries_are_the_same_at_10_and_500_events(client):
    chapter = Chapter.objects.create(name="United Kingdom", slug="uk", country="GB")
    index = event_index()
    client.force_login(UserFactory())
    bulk_events(10, index=index, chapter=chapter)
    for url in (index.url, index.url + "?chapter=uk&type=workshop&where=in-person", index.url + "?when=past"):
        at_10 = index_queries(client, url)
        # 22: after a publish the page's route is found again in the reader's language
        # (content_translation.routing: the locales, then the page by path), a fixed cost.
        assert at_10 <= 22, url
    at_10 = index_queries(client, index.url)
    started = time.monotonic()
    bulk_events(490, index=index, chapter=chapter)
    assert time.monotonic() - started < 60
    at_500 = index_queries(client, index.url)
    assert at_10 == at_500
    assert "Page 1 of 42" in client.get(index.url).content.decode()


def test_index_queries_with_filters_and_a_later_page_do_not_grow_either(client):
    chapter = Chapter.objects.create(name="United Kingdom", slug="uk", country="GB")
    index = event_index()
    client.force_login(UserFactory())
    url = index.url + "?chapter=uk&where=online&page=2"
    bulk_events(30, index=index, chapter=chapter, extra_dates=2)
    at_30 = index_queries(client, url)
    bulk_events(470, index=index, chapter=chapter, extra_dates=2)
    assert index_queries(client, url) == at_30


def test_a_listing_already_built_is_not_queried_again(client):
    index = event_index()
    client.force_login(UserFactory())
    bulk_events(20, index=index)
    index_queries(client, index.url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(index.url).status_code == 200
    assert not [q["sql"] for q in captured if "events_eventpage" in q["sql"] or "events_eventdate" in q["sql"]]


def test_feed_queries_are_the_same_at_10_and_1000_events(client):
    bulk_events(10, extra_dates=2)
    at_10 = feed_queries(client, "/events/feed.ics")
    started = time.monotonic()
    bulk_events(990, extra_dates=2)
    assert time.monotonic() - started < 60
    at_1000 = feed_queries(client, "/events/feed.ics")
    assert at_10 == at_1000
    body = client.get("/events/feed.ics").content
    assert body.count(b"BEGIN:VEVENT") == 1000
    assert body.count(b"RDATE;TZID=Europe/London:") == 1000


def test_filtered_feed_queries_do_not_grow_with_events(client):
    Chapter.objects.create(name="United Kingdom", slug="uk", country="GB")
    chapter = Chapter.objects.get(slug="uk")
    bulk_events(10, chapter=chapter)
    at_10 = feed_queries(client, "/events/feed.ics?chapter=uk&type=workshop")
    bulk_events(490, chapter=chapter)
    assert feed_queries(client, "/events/feed.ics?chapter=uk&type=workshop") == at_10
