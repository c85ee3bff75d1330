"""Calendars for events: one event's .ics, and the public feed (filterable by chapter and
type). The feed is kept in the cache under the page-cache version, so it is rebuilt only
after an event is published, unpublished, moved or deleted."""

from django.conf import settings
from django.shortcuts import get_object_or_404

from core.ical import calendar_response
from core.page_cache import cached_until_published
from events import ical
from events.models import EventPage, EventType


def event_ics(request, pk: int):
    event = get_object_or_404(EventPage.objects.live().public(), pk=pk)
    return calendar_response(ical.events_calendar([event], name=event.title, base_url=settings.SITE_URL), "event.ics")


def public_feed(request):
    chapter = request.GET.get("chapter", "")[:50]
    event_type = request.GET.get("type", "")
    event_type = event_type if event_type in EventType.values else ""

    def build() -> bytes:
        events = EventPage.objects.live().public().order_by("starts_at")
        if chapter:
            events = events.filter(chapter__slug=chapter)
        if event_type:
            events = events.filter(event_type=event_type)
        return ical.events_calendar(events, name="Thrive events", base_url=settings.SITE_URL)

    body = cached_until_published(f"events-feed:{chapter}:{event_type}", build)
    return calendar_response(body, "events.ics")
