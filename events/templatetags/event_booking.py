"""Template tags for event pages: every date of an event."""

from django import template

from events.tickets import dates_text

register = template.Library()


@register.simple_tag
def event_dates(event) -> list[str]:
    """Every date of the event as text in its own time zone, first date first."""
    return dates_text(event)
