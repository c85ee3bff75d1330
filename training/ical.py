"""iCalendar (RFC 5545) for live sessions. Pure: takes sessions, returns bytes.

UIDs are stable and not URLs; DTSTAMP is the generation time; times carry their TZID with
a matching VTIMEZONE; SEQUENCE grows on every change. Sensitive sessions never carry their
venue, and discreet mode gives neutral titles and no description.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from icalendar import Event

from core.ical import NEUTRAL_PRODID, NEUTRAL_TITLE, add_timezones, clean, clean_place, entry_uid, new_calendar

PRODID = "-//Thrive//Training sessions//EN"


def session_event(session, *, discreet: bool, now: datetime) -> Event:
    cohort = session.cohort
    zone = ZoneInfo(cohort.time_zone)
    event = Event()
    event.add("uid", entry_uid(f"session-{session.uid}", discreet=discreet))
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
        details.append(_("Join online: %(url)s") % {"url": session.online_url})
    if session.venue and not session.sensitive:
        event.add("location", clean_place(session.venue))
    elif session.sensitive:
        details.append(_("The venue is on your learning page."))
    if details:
        event.add("description", "\n".join(clean(line) for line in details))
    return event


def sessions_calendar(sessions, *, name: str, discreet: bool) -> bytes:
    """A VCALENDAR with one VEVENT per session and a compact VTIMEZONE per zone used, its words
    in the language active (the caller's `core.i18n.language_of(learner)`)."""
    if discreet:
        calendar = new_calendar(prodid=NEUTRAL_PRODID, name=NEUTRAL_TITLE + "s")
    else:
        calendar = new_calendar(prodid=PRODID, name=name)
    now = datetime.now(UTC)
    sessions = list(sessions)
    zones: dict[str, list] = {}
    for session in sessions:
        zones.setdefault(session.cohort.time_zone, []).append(session.starts_at.date())
    add_timezones(calendar, zones)
    for session in sessions:
        calendar.add_component(session_event(session, discreet=discreet, now=now))
    return calendar.to_ical()
