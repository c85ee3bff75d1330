"""iCalendar (RFC 5545) for live sessions. Pure: takes sessions, returns bytes.

UIDs are stable and not URLs; DTSTAMP is the generation time; times carry their TZID with
a matching VTIMEZONE; SEQUENCE grows on every change. Sensitive sessions never carry their
venue, and discreet mode gives neutral titles and no description.
"""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
NEUTRAL_TITLE = "Appointment"
PRODID = "-//Thrive//Training sessions//EN"
YEAR = timedelta(days=366)


def clean(text: str) -> str:
    """User-entered text without control characters (no CR/LF injection into properties)."""
    return CONTROL_CHARACTERS.sub(" ", text or "").strip()


def session_event(session, *, discreet: bool, now: datetime) -> Event:
    cohort = session.cohort
    zone = ZoneInfo(cohort.time_zone)
    event = Event()
    event.add("uid", f"session-{session.uid}@thrive")
    event.add("dtstamp", now)
    event.add("sequence", session.sequence)
    event.add("dtstart", session.starts_at.astimezone(zone))
    event.add("dtend", session.ends_at.astimezone(zone))
    if discreet:
        event.add("summary", NEUTRAL_TITLE)
        return event
    event.add("summary", clean(f"{cohort.course.title}: {session.title}"))
    details = []
    if session.online_url:
        details.append(f"Join online: {session.online_url}")
    if session.venue and not session.sensitive:
        event.add("location", clean(session.venue))
    elif session.sensitive:
        details.append("The venue is on your learning page.")
    if details:
        event.add("description", "\n".join(clean(line) for line in details))
    return event


def sessions_calendar(sessions, *, name: str, discreet: bool) -> bytes:
    """A VCALENDAR with one VEVENT per session and a compact VTIMEZONE per zone used."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", NEUTRAL_TITLE + "s" if discreet else clean(name))
    now = datetime.now(UTC)
    sessions = list(sessions)
    zones: dict[str, list] = {}
    for session in sessions:
        zones.setdefault(session.cohort.time_zone, []).append(session.starts_at.date())
    for zone_name, dates in sorted(zones.items()):
        # A year either side, so the VTIMEZONE always holds at least one STANDARD/DAYLIGHT
        # rule (RFC 5545 3.6.5); a single-day range can leave it empty, which parsers reject.
        calendar.add_component(Timezone.from_tzid(zone_name, first_date=min(dates) - YEAR, last_date=max(dates) + YEAR))
    for session in sessions:
        calendar.add_component(session_event(session, discreet=discreet, now=now))
    return calendar.to_ical()
