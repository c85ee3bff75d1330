"""iCalendar for events. Pure: takes events, returns bytes.

Stable UIDs that are not URLs (`event-<page id>@thrive`), DTSTAMP, TZID with VTIMEZONE,
SEQUENCE from the page (grows on every save), STATUS:CANCELLED for cancelled events.
Public calendars never carry the venue of a sensitive event, nor anything about attendees.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Event

from core.ical import add_timezones, clean, new_calendar

PRODID = "-//Thrive//Events//EN"


def event_component(event, *, now: datetime, url: str) -> Event:
    component = Event()
    component.add("uid", f"event-{event.pk}@thrive")
    component.add("dtstamp", now)
    component.add("sequence", event.sequence)
    if event.all_day:
        start_day = event.starts_at.astimezone(ZoneInfo(event.time_zone)).date()
        end_day = event.ends_at.astimezone(ZoneInfo(event.time_zone)).date()
        component.add("dtstart", start_day)
        component.add("dtend", max(end_day, start_day) + timedelta(days=1))
    else:
        zone = ZoneInfo(event.time_zone)
        component.add("dtstart", event.starts_at.astimezone(zone))
        component.add("dtend", event.ends_at.astimezone(zone))
    component.add("summary", clean(event.title))
    component.add("description", clean(event.summary))
    component.add("url", url)
    component.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    if event.online:
        component.add("location", "Online")
    elif event.venue and not event.sensitive:
        component.add("location", clean(event.venue))
    return component


def events_calendar(events, *, name: str, base_url: str, path_of=lambda event: event.url) -> bytes:
    events = list(events)
    calendar = new_calendar(prodid=PRODID, name=name)
    now = datetime.now(UTC)
    zones: dict[str, list] = {}
    for event in events:
        if not event.all_day:
            zones.setdefault(event.time_zone, []).append(event.starts_at.date())
    add_timezones(calendar, zones)
    for event in events:
        calendar.add_component(event_component(event, now=now, url=base_url.rstrip("/") + path_of(event)))
    return calendar.to_ical()
