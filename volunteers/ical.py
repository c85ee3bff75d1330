"""iCalendar (RFC 5545) for a volunteer's shift. Pure: takes a shift, returns bytes.

The UID is stable and not a URL (`shift-<id>@thrive`); SEQUENCE grows with every change staff
make; times carry their TZID with a compact VTIMEZONE. In discreet mode the entry has a neutral
title, a neutral UID, no place and no description.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from icalendar import Event

from core.ical import (
    NEUTRAL_CALENDAR_NAME,
    NEUTRAL_PRODID,
    NEUTRAL_TITLE,
    add_timezones,
    clean,
    clean_place,
    clean_text,
    entry_uid,
    new_calendar,
)

PRODID = "-//Thrive//Volunteer shifts//EN"


def shift_calendar(shift, *, discreet: bool) -> bytes:
    """One VEVENT for `shift`, its words in the language active."""
    if discreet:
        calendar = new_calendar(prodid=NEUTRAL_PRODID, name=str(NEUTRAL_CALENDAR_NAME))
    else:
        calendar = new_calendar(prodid=PRODID, name=_("Volunteering"))
    zone = ZoneInfo(shift.time_zone)
    add_timezones(calendar, {shift.time_zone: [shift.starts_at.date()]})
    entry = Event()
    entry.add("uid", entry_uid(f"shift-{shift.pk}", discreet=discreet))
    entry.add("dtstamp", datetime.now(UTC))
    entry.add("sequence", shift.sequence)
    entry.add("dtstart", shift.starts_at.astimezone(zone))
    entry.add("dtend", shift.ends_at.astimezone(zone))
    if shift.cancelled:
        entry.add("status", "CANCELLED")
    if discreet:
        entry.add("summary", str(NEUTRAL_TITLE))
    else:
        entry.add("summary", clean(_("Volunteering: %(shift)s") % {"shift": shift.display_title}))
        entry.add("location", clean_place(shift.place))
        if shift.notes:
            entry.add("description", clean_text(shift.notes))
    calendar.add_component(entry)
    return calendar.to_ical()
