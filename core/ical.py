"""Pieces every iCalendar (RFC 5545) builder here shares. Pure: values in, values out."""

import hashlib
from datetime import date, timedelta

from django.http import HttpResponse
from icalendar import Calendar, Timezone, vText

from core.text import one_line, plain_lines

YEAR = timedelta(days=366)
# Discreet calendars (a member's neutral entries) name no product, no organisation, no event.
NEUTRAL_TITLE = "Appointment"
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


def new_calendar(*, prodid: str, name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", prodid)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", vText(clean(name)))
    return calendar


def add_timezones(calendar: Calendar, zone_dates: dict[str, list[date]]) -> None:
    """One VTIMEZONE per zone used, covering a year either side of its events, so it always
    holds at least one STANDARD/DAYLIGHT rule (RFC 5545 3.6.5; a one-day range can leave it
    empty, which parsers such as vobject reject)."""
    for zone_name, dates in sorted(zone_dates.items()):
        calendar.add_component(Timezone.from_tzid(zone_name, first_date=min(dates) - YEAR, last_date=max(dates) + YEAR))


def calendar_response(body: bytes, filename: str, *, private: bool = False):
    """An HTTP response carrying a calendar. Private calendars are never stored by caches."""
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'{"attachment" if private else "inline"}; filename="{filename}"'
    if private:
        response["Cache-Control"] = "no-store"
    return response
