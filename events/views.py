"""Calendars for events: one event's .ics, and the public feed (filterable by chapter and
type). The feed is kept in the cache under the page-cache version, so it is rebuilt only
after an event is published, unpublished, moved or deleted."""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from core.page_cache import VERSION_KEY
from events import ical
from events.models import EventPage, EventType


def _calendar_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def event_ics(request, pk: int):
    event = get_object_or_404(EventPage.objects.live().public(), pk=pk)
    return _calendar_response(ical.events_calendar([event], name=event.title, base_url=settings.SITE_URL), "event.ics")


def public_feed(request):
    chapter = request.GET.get("chapter", "")[:50]
    event_type = request.GET.get("type", "")
    event_type = event_type if event_type in EventType.values else ""
    key = f"events-feed:{chapter}:{event_type}"
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY, 1)
    if key in found and found[key][0] == version:
        return _calendar_response(found[key][1], "events.ics")
    events = EventPage.objects.live().public().order_by("starts_at")
    if chapter:
        events = events.filter(chapter__slug=chapter)
    if event_type:
        events = events.filter(event_type=event_type)
    body = ical.events_calendar(events, name="Thrive events", base_url=settings.SITE_URL)
    cache.set(key, (version, body), None)
    return _calendar_response(body, "events.ics")
