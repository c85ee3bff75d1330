"""Pieces every iCalendar (RFC 5545) builder here shares. Pure: values in, values out."""

import re
from datetime import date, timedelta

from icalendar import Calendar, Timezone

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
YEAR = timedelta(days=366)


def clean(text: str) -> str:
    """User-entered text without control characters other than newline. icalendar escapes
    newlines, commas and semicolons in TEXT values, so nothing can add a property."""
    return CONTROL_CHARACTERS.sub(" ", text or "").strip()


def new_calendar(*, prodid: str, name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", prodid)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", clean(name))
    return calendar


def add_timezones(calendar: Calendar, zone_dates: dict[str, list[date]]) -> None:
    """One VTIMEZONE per zone used, covering a year either side of its events, so it always
    holds at least one STANDARD/DAYLIGHT rule (RFC 5545 3.6.5; a one-day range can leave it
    empty, which parsers such as vobject reject)."""
    for zone_name, dates in sorted(zone_dates.items()):
        calendar.add_component(Timezone.from_tzid(zone_name, first_date=min(dates) - YEAR, last_date=max(dates) + YEAR))


def calendar_response(body: bytes, filename: str, *, private: bool = False):
    """An HTTP response carrying a calendar. Private calendars are never stored by caches."""
    from django.http import HttpResponse

    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'{"attachment" if private else "inline"}; filename="{filename}"'
    if private:
        response["Cache-Control"] = "no-store"
    return response
