"""The dates of an event (an event that repeats has further dates) and how a date or a time
is said, always in the event's own time zone. Pure: takes an event, returns values."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import dateformat
from django.utils.translation import gettext as _


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
        if end.date() > start.date():
            return _("%(start)s to %(end)s") % {"start": _day(start), "end": _day(end)}
        return _day(start)
    end_text = f"{end:%H:%M}" if end.date() == start.date() else _day_time(end)
    return _("%(start)s to %(end)s (%(time_zone)s)") % {
        "start": _day_time(start),
        "end": end_text,
        "time_zone": event.time_zone,
    }


def _day(moment: datetime) -> str:
    """'Saturday 12 April 2026', the day and month named in the active language."""
    return dateformat.format(moment, "l j F Y")


def _day_time(moment: datetime) -> str:
    """'Saturday 12 April 2026, 18:00'."""
    return dateformat.format(moment, "l j F Y, H:i")


def moment_text(event, moment: datetime) -> str:
    """'Saturday 12 April 2026, 18:00 (Europe/London)': a time in the event's own zone."""
    return f"{_day_time(moment.astimezone(ZoneInfo(event.time_zone)))} ({event.time_zone})"


def dates_text(event) -> list[str]:
    return [occurrence_text(event, occurrence) for occurrence in event_occurrences(event)]
