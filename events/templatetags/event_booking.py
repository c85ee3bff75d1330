"""Template tags for event pages: every date of an event, a moment in the event's zone.

Django imports every tag library when its template engine starts, in every process (the
task worker rendering a certificate too), so this imports only `events.occurrences`, which
is pure and light (no models, no icalendar)."""

from zoneinfo import ZoneInfo

from django import template
from django.utils import dateformat

from events.occurrences import dates_text

register = template.Library()


@register.simple_tag
def event_dates(event) -> list[str]:
    """Every date of the event as text in its own time zone, first date first."""
    return dates_text(event)


@register.filter
def event_time(moment, event) -> str:
    """'11 Dec 2026 19:00 (America/New_York)': a moment in the event's own time zone, named
    (staff screens list events of several zones side by side). Empty for no moment."""
    if not moment:
        return ""
    return f"{dateformat.format(moment.astimezone(ZoneInfo(event.time_zone)), 'j M Y H:i')} ({event.time_zone})"
