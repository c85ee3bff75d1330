"""Template tags for event pages: what can be booked now, and every date of an event."""

from django import template

from events.booking import booking_state
from events.tickets import dates_text

register = template.Library()


@register.simple_tag
def event_booking_state(event):
    """The event's `events.booking.BookingState` (the booking page re-checks it live)."""
    return booking_state(event)


@register.simple_tag
def event_dates(event) -> list[str]:
    """Every date of the event as text in its own time zone, first date first."""
    return dates_text(event)
