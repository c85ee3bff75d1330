"""Calendars for events: one event's .ics, and the public feed (filterable by chapter and
type). The feed is kept in the cache under the page-cache version, so it is rebuilt only
after an event is published, unpublished, moved or deleted."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404

from core.ical import calendar_response
from events import ical
from events.listing import public_feed_body
from events.models import EventPage


def event_ics(request, pk: int):
    event = get_object_or_404(EventPage.objects.live().public().prefetch_related("extra_dates"), pk=pk)
    return calendar_response(ical.events_calendar([event], name=event.title, base_url=settings.SITE_URL), "event.ics")


def public_feed(request):
    chapter, event_type = request.GET.get("chapter", ""), request.GET.get("type", "")
    body = public_feed_body(request=request, chapter=chapter, event_type=event_type)
    if body is None:
        raise Http404("No such chapter or event type.")
    return calendar_response(body, "events.ics")
