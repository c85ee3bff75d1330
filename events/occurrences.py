"""The dates of an event (an event that repeats has further dates) and how a date or a time
is said, always in the event's own time zone. Pure: takes an event, returns values."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Occurrence:
    starts_at: datetime
    ends_at: datetime


def event_occurrences(event) -> list[Occurrence]:
    """Every date of the event, first date first (a repeating event has further dates)."""
    dates = [Occurrence(event.starts_at, event.ends_at)]
    dates += [Occurrence(d.starts_at, d.ends_at) for d in event.extra_dates.all()]
    return sorted(dates, key=lambda occurrence: occurrence.starts_at)


def occurrence_text(event, occurrence: Occurrence) -> str:
    """'Saturday 12 April 2026, 18:00 to 21:00 (Europe/London)', in the event's own zone."""
    zone = ZoneInfo(event.time_zone)
    start, end = occurrence.starts_at.astimezone(zone), occurrence.ends_at.astimezone(zone)
    if event.all_day:
        return f"{start:%A %-d %B %Y}" + (f" to {end:%A %-d %B %Y}" if end.date() > start.date() else "")
    if end.date() == start.date():
        return f"{start:%A %-d %B %Y, %H:%M} to {end:%H:%M} ({event.time_zone})"
    return f"{start:%A %-d %B %Y, %H:%M} to {end:%A %-d %B %Y, %H:%M} ({event.time_zone})"


def moment_text(event, moment: datetime) -> str:
    """'Saturday 12 April 2026, 18:00 (Europe/London)': a time in the event's own zone."""
    return f"{moment.astimezone(ZoneInfo(event.time_zone)):%A %-d %B %Y, %H:%M} ({event.time_zone})"


def dates_text(event) -> list[str]:
    return [occurrence_text(event, occurrence) for occurrence in event_occurrences(event)]
