"""The documents an attendee receives: the PDF ticket and the calendar entries (.ics).

Neither ever holds the venue of a sensitive event (confirmed attendees see it on their
ticket page only), nor the online meeting link (also on the ticket page). For a member in
discreet mode, calendar entries are titled "Appointment" with no details, as in training.
"""

from datetime import UTC, datetime
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from cms.models import organisation_name
from core.calendar_text import NEUTRAL_CALENDAR_NAME, NEUTRAL_PRODID, NEUTRAL_TITLE, entry_uid
from core.email import recipients_want_discretion, user_wants_discretion
from core.i18n import language_of
from core.links import absolute
from core.pdf import qr_markup, render_pdf
from events.door_tokens import ticket_token
from events.occurrences import dates_text

PRODID = "-//Thrive//Bookings//EN"


def public_where(event) -> str:
    """Where the event is, as far as email, PDFs and calendars may say."""
    if event.online:
        return _("Online: the link to join is on your ticket page.")
    if event.sensitive:
        return _("The venue is on your ticket page.")
    return event.venue


def holder_wants_discretion(registration) -> bool:
    """The booking's address, or the account it belongs to, is in discreet mode (then the PDF,
    calendar entries and links are neutral)."""
    return recipients_want_discretion([registration.email]) or (
        registration.user_id is not None and user_wants_discretion(registration.user)
    )


def viewer_wants_discretion(registration, viewer) -> bool:
    """Whether the ticket page, PDF or .ics served to `viewer` (the request's user) is neutral:
    the account the booking belongs to is in discreet mode, or the person viewing is signed in
    to an account in discreet mode. Not the booking's address: a guest booking made with a
    discreet member's address would otherwise show whoever typed it that the address is a
    member's (issue 23). What is emailed to the address (its PDF and .ics included) still
    follows the address, through `holder_wants_discretion`: it reaches only the address's owner."""
    if registration.user_id is not None and user_wants_discretion(registration.user):
        return True
    return bool(getattr(viewer, "is_authenticated", False) and user_wants_discretion(viewer))


def holder(registration):
    """Whose language the ticket's documents are in: the account the booking belongs to, else
    its address; with `registration.language` (the language it was booked in) as the fallback
    when that person chose none."""
    return registration.user if registration.user_id is not None else registration.email


def ticket_context(registration, *, discreet: bool = False) -> dict:
    """What the PDF ticket prints. Discreet: titled "Appointment" with only the dates, the
    ticket code and its QR code (what the door needs): no organisation, event, ticket type,
    name or place."""
    event = registration.event
    if discreet:
        return {
            "organisation": "",
            "title": str(NEUTRAL_TITLE),
            "dates": dates_text(event),
            "ticket_type": "",
            "attendee_name": "",
            "where": "",
            "code": registration.code,
            "qr_text": ticket_token(registration),
            "note": _("Show this code (on paper or on a screen) when you arrive."),
        }
    return {
        "organisation": organisation_name(),
        "title": event.title,
        "dates": dates_text(event),
        "ticket_type": registration.ticket_type.name,
        "attendee_name": registration.attendee_name,
        "where": public_where(event),
        "code": registration.code,
        "qr_text": ticket_token(registration),
        "note": _("Show this ticket (on paper or on a screen) at the door. The code is all we need."),
    }


TICKET_STYLESHEET = Path(__file__).parent / "pdf" / "ticket.css"


def ticket_pdf(registration, *, discreet: bool = False) -> bytes:
    """An event ticket as a PDF. The context holds plain values (title, dates, ticket type,
    name, code, and `qr_text`, what the QR code encodes: the ticket's signed door token,
    events.door_tokens); the venue of a
    sensitive event is left out by `ticket_context`, and the template prints only what it is given."""
    with language_of(holder(registration), registration.language):
        context = ticket_context(registration, discreet=discreet)
        html = render_to_string("events/ticket_pdf.html", context | {"qr_svg": qr_markup(context["qr_text"])})
    return render_pdf(html, stylesheet=TICKET_STYLESHEET)


def ticket_pdf_filename(registration, *, discreet: bool) -> str:
    return "appointment.pdf" if discreet else f"ticket-{registration.code}.pdf"


def _component(event, *, now: datetime, discreet: bool):
    from events.ical import event_component  # icalendar loads only when a calendar file is built

    component = event_component(event, now=now, url=absolute(event.url or "/"))
    if discreet:
        for name in ("uid", "summary", "description", "location", "url"):
            component.pop(name, None)
        component.add("uid", entry_uid(f"event-{event.pk}", discreet=True))
        component.add("summary", str(NEUTRAL_TITLE))
    return component


def bookings_calendar(events, *, name: str, discreet: bool) -> bytes:
    """One VEVENT per booked event (further dates come with the event's own component).
    Discreet: neutral PRODID, name, UIDs and titles, no description, place or link."""
    from events.ical import calendar_of  # icalendar loads only when a calendar file is built

    now = datetime.now(UTC)
    return calendar_of(
        events,
        prodid=NEUTRAL_PRODID if discreet else PRODID,
        name=str(NEUTRAL_CALENDAR_NAME) if discreet else name,
        component_of=lambda event: _component(event, now=now, discreet=discreet),
    )


def ticket_ics(registration, *, discreet: bool) -> bytes:
    with language_of(holder(registration), registration.language):
        return bookings_calendar([registration.event], name=registration.event.title, discreet=discreet)
