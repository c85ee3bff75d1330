"""Emails to attendees: confirmation (PDF ticket and .ics attached), waiting-list offers,
transfers, self-service cancellations, a cancelled event, and the reminder the day before.

Each `*_send` here builds and sends one kind of email; each is run by the task of the same
name in `events/tasks.py`, queued after the transaction that caused it commits.
Confirmation and reminder are sent once: the task claims the row with an UPDATE ... WHERE
the `*_sent_at` field is empty (or, for reminders of a repeating event, older than the
window of the date being reminded), so two workers running it at once send one email. A
failed delivery releases the claim so the next run tries again. Discreet mode is applied by
`core.email.email_send`; the attachments are made neutral here for the same people. Logs
carry ids only.
"""

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import dateformat, timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from core.email import email_send
from core.i18n import language_of
from core.money import format_money
from events import documents, links
from events.for_payments import paid_online
from events.models import EventPage, Registration, WaitingListEntry
from events.occurrences import dates_text, event_occurrences, moment_text, occurrence_text

logger = logging.getLogger(__name__)

REMINDER_WINDOW = timedelta(hours=24)
Status = Registration.Status


def _ticket_email_context(registration: Registration) -> dict:
    event = registration.event
    return {
        "registration": registration,
        "event_title": event.title,
        "dates": dates_text(event),
        "where": documents.public_where(event),
        "ticket_type": registration.ticket_type.name,
        "code": registration.code,
        "attendee_name": registration.attendee_name,
        "ticket_url": links.ticket_url(registration),
    }


def registration_confirmation_send(*, registration_id: int) -> str:
    """Email the holder their confirmation with the PDF ticket and an .ics attached, once.
    Sends nothing for a booking that is not confirmed or was already confirmed by email.
    Safe to run twice at once (the row is claimed first). Sends one email."""
    now = timezone.now()
    claimed = Registration.objects.filter(
        pk=registration_id, status=Status.CONFIRMED, confirmation_sent_at__isnull=True
    ).update(confirmation_sent_at=now)
    if not claimed:
        return "skipped"
    registration = (
        Registration.objects.select_related("event", "ticket_type")
        .prefetch_related("event__extra_dates")  # the email, its PDF and its .ics each show the dates
        .get(pk=registration_id)
    )
    try:
        _send_confirmation(registration)
    except Exception:
        Registration.objects.filter(pk=registration_id, confirmation_sent_at=now).update(confirmation_sent_at=None)
        logger.exception("confirmation for registration %s not sent; it will be retried", registration_id)
        raise
    return "sent"


def _send_confirmation(registration: Registration) -> None:
    # A holder in discreet mode (the address or the account) gets no PDF (attachments show in
    # inbox previews) and a neutral calendar entry. The ticket page decides by who is looking
    # (documents.viewer_wants_discretion): signed in, the owner gets the neutral PDF there.
    discreet = documents.holder_wants_discretion(registration)
    attachments = [("event.ics", documents.ticket_ics(registration, discreet=discreet), "text/calendar")]
    if not discreet:
        attachments.insert(
            0, (f"ticket-{registration.code}.pdf", documents.ticket_pdf(registration), "application/pdf")
        )
    # the dates and place, in the words of the email
    with language_of(registration.email, registration.language):
        context = _ticket_email_context(registration)
    email_send(
        to=[registration.email],
        subject=format_lazy(gettext_lazy("Your place: {event}"), event=registration.event.title),
        template="event_confirmation",
        context=context,
        attachments=attachments,
        language=registration.language,
    )


def registration_reissued_send(*, registration_id: int) -> str:
    """Send the holder their re-issued ticket after the event's door key was rotated (the QR
    code of the old one no longer passes the door). The PDF is attached unless the holder is
    in discreet mode (then only the neutral link). Sends nothing for a ticket no longer
    confirmed. Sends one email."""
    registration = (
        Registration.objects.select_related("event", "ticket_type")
        .prefetch_related("event__extra_dates")
        .filter(pk=registration_id, status=Status.CONFIRMED)
        .first()
    )
    if registration is None:
        return "skipped"
    discreet = documents.holder_wants_discretion(registration)
    attachments = (
        [] if discreet else [(f"ticket-{registration.code}.pdf", documents.ticket_pdf(registration), "application/pdf")]
    )
    with language_of(registration.email, registration.language):
        context = _ticket_email_context(registration)
    email_send(
        to=[registration.email],
        subject=format_lazy(gettext_lazy("Your new ticket: {event}"), event=registration.event.title),
        template="event_ticket_reissued",
        context=context,
        attachments=attachments,
        language=registration.language,
    )
    return "sent"


def waiting_list_offer_send(*, entry_id: int) -> str:
    """Tell the person at the front of the waiting list that a place is held for them, with a
    signed link to take it before the offer ends. Sends nothing if the offer is no longer
    open. A retried task may send the same offer twice (never a wrong one). Sends one email."""
    entry = WaitingListEntry.objects.select_related("event", "ticket_type").filter(pk=entry_id).first()
    if entry is None or entry.status != WaitingListEntry.Status.OFFERED or entry.offered_until <= timezone.now():
        return "skipped"
    event = entry.event
    with language_of(entry.email, entry.language):
        context = {
            "event_title": event.title,
            "dates": dates_text(event),
            "ticket_type": entry.ticket_type.name,
            "offered_until": moment_text(event, entry.offered_until),
            "offer_url": links.offer_url(entry),
        }
    email_send(
        to=[entry.email],
        subject=format_lazy(gettext_lazy("A place is free: {event}"), event=event.title),
        template="event_offer",
        context=context,
        language=entry.language,
    )
    return "sent"


def registration_transferred_send(*, event_id: int, email: str) -> None:
    """Tell the previous holder that their ticket now belongs to someone else (their old
    link no longer works). Names no one. Sends one email."""
    event = EventPage.objects.get(pk=event_id)
    with language_of(email):
        dates = dates_text(event)
    email_send(
        to=[email],
        subject=format_lazy(gettext_lazy("Your ticket was passed on: {event}"), event=event.title),
        template="event_transferred",
        context={"event_title": event.title, "dates": dates},
    )


def registration_cancelled_send(*, registration_id: int) -> None:
    """Confirm to the holder that they cancelled their booking; for a ticket paid online,
    that its refund is on its way (payments refunds it from `ticket_cancelled`). Sends one
    email."""
    registration = Registration.objects.select_related("event").get(pk=registration_id)
    refund = paid_online(registration)
    with language_of(registration.email, registration.language):
        dates = dates_text(registration.event)
    email_send(
        to=[registration.email],
        subject=format_lazy(gettext_lazy("Booking cancelled: {event}"), event=registration.event.title),
        template="event_self_cancelled",
        context={
            "event_title": registration.event.title,
            "dates": dates,
            "refund_total": format_money(registration.amount_minor, registration.event.currency) if refund else "",
            "paid_by_hand": registration.paid_at is not None and registration.amount_minor > 0 and not refund,
        },
        language=registration.language,
    )


def event_cancelled_send(*, event_id: int, email: str, reason: str = "") -> None:
    """Tell one person (an attendee or someone on the waiting list) that an event is
    cancelled, once per address however many tickets they held. Never names the venue of
    a sensitive event. For places paid online it says the refund is on its way (payments
    refunds them from `event_cancelled`); for money taken at the door, that the team will
    return it. Sends one email."""
    event = EventPage.objects.get(pk=event_id)
    local_start = event.starts_at.astimezone(ZoneInfo(event.time_zone))  # strings: templates would convert times
    paid_places = Registration.objects.filter(event=event, email=email, paid_at__isnull=False, amount_minor__gt=0)
    refunded_online = sum(paid_places.filter(paid_at_door=False).values_list("amount_minor", flat=True))
    with language_of(email):
        day, when = dateformat.format(local_start, "l j F Y"), dateformat.format(local_start, "l j F Y, H:i")
    email_send(
        to=[email],
        subject=format_lazy(gettext_lazy("Cancelled: {event}"), event=event.title),
        template="event_cancelled",
        context={
            "event": event,
            "day": day,
            "when": when,
            "venue": "" if event.sensitive or event.online else event.venue,
            "reason": reason.strip(),
            "paid": paid_places.exists(),
            "refund_total": format_money(refunded_online, event.currency) if refunded_online else "",
            "paid_by_hand": paid_places.filter(paid_at_door=True).exists()
            or (paid_places.exists() and not refunded_online),
        },
    )


# The day before --------------------------------------------------------------------------


def _next_occurrence_within(event: EventPage, now, window: timedelta):
    upcoming = [o for o in event_occurrences(event) if now < o.starts_at <= now + window]
    return upcoming[0] if upcoming else None


def reminders_send(*, now=None) -> int:
    """Email each confirmed attendee of an event with a date starting in the next 24 hours,
    once per date: a reminder counts as sent for a date when `reminder_sent_at` falls in the
    24 hours before it. People who booked inside that window just had their confirmation
    and get no reminder for that date. Returns how many were sent. Sends email."""
    now = now or timezone.now()
    horizon = now + REMINDER_WINDOW
    events = (
        EventPage.objects.live()
        .filter(cancelled=False)
        .filter(
            Q(starts_at__gt=now, starts_at__lte=horizon)
            | Q(extra_dates__starts_at__gt=now, extra_dates__starts_at__lte=horizon)
        )
        .distinct()
        .prefetch_related("extra_dates")
    )
    sent = 0
    for event in events:
        occurrence = _next_occurrence_within(event, now, REMINDER_WINDOW)
        if occurrence is None:
            continue
        window_opens = occurrence.starts_at - REMINDER_WINDOW
        due = Registration.objects.filter(event=event, status=Status.CONFIRMED, confirmed_at__lt=window_opens).filter(
            Q(reminder_sent_at__isnull=True) | Q(reminder_sent_at__lt=window_opens)
        )
        for registration_id in due.values_list("pk", flat=True):
            sent += _remind(registration_id, event=event, occurrence=occurrence, window_opens=window_opens, now=now)
    return sent


def _remind(registration_id: int, *, event, occurrence, window_opens, now) -> int:
    claimed = (
        Registration.objects.filter(pk=registration_id, status=Status.CONFIRMED)
        .filter(Q(reminder_sent_at__isnull=True) | Q(reminder_sent_at__lt=window_opens))
        .update(reminder_sent_at=now)
    )
    if not claimed:
        return 0
    registration = Registration.objects.select_related("ticket_type").get(pk=registration_id)
    registration.event = event
    try:
        with language_of(registration.email, registration.language):
            context = _ticket_email_context(registration) | {"when": occurrence_text(event, occurrence)}
        email_send(
            to=[registration.email],
            subject=format_lazy(gettext_lazy("Tomorrow: {event}"), event=event.title),
            template="event_reminder",
            context=context,
            language=registration.language,
        )
    except Exception:
        Registration.objects.filter(pk=registration_id, reminder_sent_at=now).update(reminder_sent_at=None)
        logger.exception("reminder for registration %s not sent; it will be retried", registration_id)
        return 0
    return 1
