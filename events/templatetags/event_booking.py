"""Template tags for event pages: every date of an event.

Django imports every tag library when its template engine starts, in every process (the
task worker rendering a certificate too), so the event modules (and icalendar, about 4 MB)
are imported when a tag is first used, not here."""

from django import template

register = template.Library()


@register.simple_tag
def event_dates(event) -> list[str]:
    """Every date of the event as text in its own time zone, first date first."""
    from events.tickets import dates_text

    return dates_text(event)
