"""Pieces every iCalendar (RFC 5545) builder here shares. Pure: values in, values out."""

from datetime import date, timedelta

from django.http import HttpResponse
from icalendar import Calendar, Timezone, vText

from core.calendar_text import (  # noqa: F401 (re-exported: the calendar builders import them from here)
    NEUTRAL_CALENDAR_NAME,
    NEUTRAL_PRODID,
    NEUTRAL_TITLE,
    clean,
    clean_place,
    clean_text,
    entry_uid,
)

YEAR = timedelta(days=366)


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
