"""Links an attendee is given: signed ticket and offer links, and "add to calendar" links.

Ticket links sign the registration id together with its ticket code, so a transfer (which
gives the ticket a new code) kills every earlier link. Offer links sign the waiting-list
entry with the email it was offered to and the end of the offer. Nothing is stored: a link
is valid while what it signs still matches the database.

Google and Outlook links hand the event's title and times to another company's website,
so they carry only what a public event page shows, and never the venue of a sensitive event
or an online meeting link. For a member in discreet mode they carry the times only, titled
"Appointment", as their .ics files do.
"""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from core.calendar_text import NEUTRAL_TITLE, clean, clean_place, clean_text
from core.links import absolute
from events.models import Registration, WaitingListEntry
from events.occurrences import Occurrence, event_occurrences

TICKET_SALT = "events.ticket"
OFFER_SALT = "events.waiting-list-offer"


# Signed links --------------------------------------------------------------------------


def ticket_token(registration) -> str:
    return signing.dumps([registration.pk, registration.code], salt=TICKET_SALT, compress=True)


def ticket_path(registration, name: str = "events:ticket") -> str:
    return reverse(name, args=[ticket_token(registration)])


def ticket_url(registration) -> str:
    return absolute(ticket_path(registration))


def registration_from_token(token: str):
    """The registration a ticket link names, or None when the link is forged, or the ticket
    was transferred (new code) or deleted since."""
    try:
        pk, code = signing.loads(token, salt=TICKET_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return (
        Registration.objects.select_related("event", "ticket_type")
        .prefetch_related("event__extra_dates")  # the ticket page shows the dates and calendar links
        .filter(pk=pk, code=code)
        .first()
    )


def offer_token(entry) -> str:
    return signing.dumps(
        [entry.pk, entry.email, entry.offered_until.timestamp() if entry.offered_until else None],
        salt=OFFER_SALT,
        compress=True,
    )


def offer_url(entry) -> str:
    return absolute(reverse("events:offer", args=[offer_token(entry)]))


def entry_from_token(token: str):
    """The waiting-list entry an offer link names, or None when forged or no longer matching."""
    try:
        pk, email, until = signing.loads(token, salt=OFFER_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    entry = WaitingListEntry.objects.select_related("event", "ticket_type").filter(pk=pk, email=email).first()
    if entry is None or entry.offered_until is None or entry.offered_until.timestamp() != until:
        return None
    return entry


# Add to calendar -----------------------------------------------------------------------


def _location(event, discreet: bool) -> str:
    if discreet:
        return ""
    if event.online:
        return _("Online")
    return "" if event.sensitive else clean_place(event.venue)


def _details(event, discreet: bool) -> str:
    if discreet:
        return ""
    return clean_text(f"{event.summary}\n\n{absolute(event.url or '')}" if event.url else event.summary)


def _title(event, discreet: bool) -> str:
    return str(NEUTRAL_TITLE) if discreet else clean(event.title)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def google_calendar_url(event, occurrence: Occurrence, *, discreet: bool = False) -> str:
    if event.all_day:
        zone = ZoneInfo(event.time_zone)
        start = occurrence.starts_at.astimezone(zone).date()
        end = max(occurrence.ends_at.astimezone(zone).date(), start) + timedelta(days=1)  # Google's end is exclusive
        dates = f"{start:%Y%m%d}/{end:%Y%m%d}"
    else:
        dates = f"{_utc(occurrence.starts_at):%Y%m%dT%H%M%SZ}/{_utc(occurrence.ends_at):%Y%m%dT%H%M%SZ}"
    query = {"action": "TEMPLATE", "text": _title(event, discreet), "dates": dates}
    if details := _details(event, discreet):
        query["details"] = details
    if location := _location(event, discreet):
        query["location"] = location
    query["ctz"] = event.time_zone
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def outlook_calendar_url(event, occurrence: Occurrence, *, discreet: bool = False) -> str:
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": _title(event, discreet),
        "startdt": _utc(occurrence.starts_at).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "enddt": _utc(occurrence.ends_at).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if details := _details(event, discreet):
        query["body"] = details
    if event.all_day:
        query["allday"] = "true"
    if location := _location(event, discreet):
        query["location"] = location
    return "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(query)


def calendar_links(event, *, discreet: bool = False) -> list[dict]:
    """For each date: {"occurrence", "google", "outlook"}. Discreet: times only, neutral title."""
    return [
        {
            "occurrence": occurrence,
            "google": google_calendar_url(event, occurrence, discreet=discreet),
            "outlook": outlook_calendar_url(event, occurrence, discreet=discreet),
        }
        for occurrence in event_occurrences(event)
    ]
