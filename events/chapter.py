"""A chapter's upcoming events, for its chapter page (core.hooks CHAPTER_LISTINGS_HOOK)."""

from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from events.listing import _last_end, public_events
from events.models import EventIndexPage

CHAPTER_EVENTS = 6


def chapter_events_listing(*, chapter, request) -> dict:
    """Two queries whatever the number of events: the events (an event counts until its last
    date is over) and the events index for the link to all of them."""
    events = list(
        public_events()
        .filter(chapter=chapter, cancelled=False)
        .annotate(last_ends_at=_last_end())
        .filter(last_ends_at__gte=timezone.now())
        .order_by("starts_at", "pk")[:CHAPTER_EVENTS]
    )
    items = [
        {
            "title": event.title,
            "url": event.get_url(request),
            # The day in the event's own zone, in the reader's language.
            "when": formats.date_format(event.starts_at.astimezone(ZoneInfo(event.time_zone)), "DATE_FORMAT"),
        }
        for event in events
    ]
    index = EventIndexPage.objects.live().first()
    more_url = f"{index.get_url(request)}?{urlencode({'chapter': chapter.slug})}" if index else None
    return {
        "title": _("Upcoming events"),
        "items": items,
        "more_url": more_url,
        "more_label": _("All events of this chapter"),
        "empty": _("No events are planned yet."),
    }
