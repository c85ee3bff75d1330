"""Template tags for event pages: every date of an event.

Django imports every tag library when its template engine starts, in every process (the
task worker rendering a certificate too), so the event modules (and icalendar, about 4 MB)
are imported when a tag is first used, not here."""

from django import template

register = template.Library()


@register.simple_tag
def event_dates(event) -> list[str]:
    """Every date of the event as text in its own time zone, first date first."""
    from events.occurrences import dates_text

    return dates_text(event)


@register.filter
def event_time(moment, event) -> str:
    """'11 Dec 2026 19:00 (America/New_York)': a moment in the event's own time zone, named
    (staff screens list events of several zones side by side). Empty for no moment."""
    if not moment:
        return ""
    from zoneinfo import ZoneInfo

    return f"{moment.astimezone(ZoneInfo(event.time_zone)):%-d %b %Y %H:%M} ({event.time_zone})"
