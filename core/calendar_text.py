"""Calendar wording every app shares (neutral titles, stable UIDs, text cleaned for one-line
and multi-line values), without loading icalendar: links and emails use it in processes that
never build a calendar file. `core.ical` builds the files."""

import hashlib

from django.utils.translation import gettext_lazy as _

from core.text import one_line, plain_lines

# Discreet calendars (a member's neutral entries) name no product, no organisation, no event.
# Lazy: read (str()) where a calendar or a link is made, in the language then active.
NEUTRAL_TITLE = _("Appointment")
NEUTRAL_CALENDAR_NAME = _("Appointments")  # a discreet calendar's name
NEUTRAL_PRODID = "-//Calendar//Appointments//EN"


def entry_uid(local: str, *, discreet: bool = False) -> str:
    """A stable UID that is not a URL. A discreet entry's UID names neither us nor what it
    is (a digest of the ordinary one, so it stays stable too)."""
    if discreet:
        return hashlib.sha256(local.encode()).hexdigest()[:24] + "@calendar.invalid"
    return f"{local}@thrive"


def clean(text: str | None) -> str:
    """User-entered text for a one-line value (SUMMARY, LOCATION, a calendar's name, a link's
    title): line breaks and other control characters become spaces. icalendar escapes TEXT
    values, but not every property is TEXT to it (X-WR-CALNAME is not: a newline there fails
    an assert, or under `python -O` starts an injected line), so nothing unescaped is left."""
    return one_line(text)


def clean_place(text: str | None) -> str:
    """A multi-line venue on one line, its lines separated by commas."""
    return one_line(text, lines_joined_by=", ")


def clean_text(text: str | None) -> str:
    """User-entered text for DESCRIPTION: line breaks kept (icalendar escapes them as \\n),
    every other control character removed."""
    return plain_lines(text)
