"""iCalendar for events. Pure: takes events, returns bytes.

Stable UIDs that are not URLs (`event-<page id>@thrive`), DTSTAMP, TZID with VTIMEZONE,
SEQUENCE from the page (grows on every save), STATUS:CANCELLED for cancelled events.
Further dates of a repeating event are RDATEs in the zone of DTSTART (DATE values for
all-day events), so the entry keeps one UID and one SEQUENCE. Public calendars never carry
the venue of a sensitive event, nor anything about attendees.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from icalendar import Event

from core.ical import add_timezones, clean, clean_place, clean_text, entry_uid, new_calendar

PRODID = "-//Thrive//Events//EN"


def further_dates(event) -> list:
    """The event's further dates (`EventDate` rows, or plain values with `starts_at`),
    in order. Reads a prefetch when there is one: pass events with `extra_dates` prefetched
    to keep a feed at a fixed number of queries."""
    dates = getattr(event, "extra_dates", ())
    dates = dates.all() if hasattr(dates, "all") else dates
    return sorted(dates, key=lambda extra: extra.starts_at)


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def event_component(event, *, now: datetime, url: str) -> Event:
    zone = ZoneInfo(event.time_zone)
    component = Event()
    component.add("uid", entry_uid(f"event-{event.pk}"))
    component.add("dtstamp", now)
    component.add("sequence", event.sequence)
    extra = further_dates(event)
    if event.all_day:
        start_day = _local_day(event.starts_at, zone)
        end_day = _local_day(event.ends_at, zone)
        component.add("dtstart", start_day)
        component.add("dtend", max(end_day, start_day) + timedelta(days=1))
        if extra:
            component.add("rdate", [_local_day(d.starts_at, zone) for d in extra])
    else:
        component.add("dtstart", event.starts_at.astimezone(zone))
        component.add("dtend", event.ends_at.astimezone(zone))
        if extra:
            # One RDATE line: icalendar gives it the TZID of the values, the zone of DTSTART.
            component.add("rdate", [d.starts_at.astimezone(zone) for d in extra])
    component.add("summary", clean(event.title))
    component.add("description", clean_text(event.summary))
    component.add("url", url)
    component.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    if event.online:
        component.add("location", _("Online"))
    elif event.venue and not event.sensitive:
        component.add("location", clean_place(event.venue))
    return component


def calendar_of(events, *, prodid: str, name: str, component_of) -> bytes:
    """A calendar named `name` with `component_of(event)` for each event, and one VTIMEZONE
    per zone its timed events use (every date counted, further dates too)."""
    events = list(events)
    calendar = new_calendar(prodid=prodid, name=name)
    zones: dict[str, list] = {}
    for event in events:
        if not event.all_day:
            days = zones.setdefault(event.time_zone, [])
            days.append(event.starts_at.date())
            days.extend(extra.starts_at.date() for extra in further_dates(event))
    add_timezones(calendar, zones)
    for event in events:
        calendar.add_component(component_of(event))
    return calendar.to_ical()


def events_calendar(events, *, name: str, base_url: str, path_of=lambda event: event.url) -> bytes:
    now = datetime.now(UTC)
    base_url = base_url.rstrip("/")
    return calendar_of(
        events,
        prodid=PRODID,
        name=name,
        component_of=lambda event: event_component(event, now=now, url=base_url + path_of(event)),
    )
