"""The periodic runs: every minute, holds for payment and waiting-list offers that ran out are
released and their places passed on; every 10 minutes, reminders and lost confirmations."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from events.emails import reminders_send
from events.models import EventPage, Registration, WaitingListEntry
from events.services.rules import event_lock
from events.services.waiting_list import waiting_list_offer_next
from events.tasks import registration_confirmation_send

Status = Registration.Status
# Confirmations that a lost task never sent are picked up by the periodic run, but only
# for recent ones: an old booking must not suddenly receive a confirmation.
CONFIRMATION_CATCH_UP = timedelta(days=2)


def events_housekeeping(*, now=None) -> dict[str, int]:
    """Release expired reservations and untaken offers, and pass places on. Idempotent. Each
    event in its own transaction, under its lock."""
    now = now or timezone.now()
    released = expired = 0
    event_ids = set(
        Registration.objects.filter(status=Status.RESERVED, reserved_until__lte=now).values_list("event_id", flat=True)
    ) | set(
        WaitingListEntry.objects.filter(status=WaitingListEntry.Status.OFFERED, offered_until__lte=now).values_list(
            "event_id", flat=True
        )
    )
    for event in EventPage.objects.filter(pk__in=event_ids):
        with transaction.atomic():
            event_lock(event)
            released += Registration.objects.filter(
                event=event, status=Status.RESERVED, reserved_until__lte=now
            ).update(status=Status.CANCELLED)
            expired += WaitingListEntry.objects.filter(
                event=event, status=WaitingListEntry.Status.OFFERED, offered_until__lte=now
            ).update(status=WaitingListEntry.Status.EXPIRED)
            waiting_list_offer_next(event=event, now=now)
    return {"reservations_released": released, "offers_expired": expired}


def confirmations_catch_up(*, now=None) -> int:
    """Queue confirmations that were never sent (a lost task, or a confirmation made by a
    path that does not queue one), for bookings confirmed in the last two days only."""
    now = now or timezone.now()
    missing = Registration.objects.filter(
        status=Status.CONFIRMED,
        confirmation_sent_at__isnull=True,
        confirmed_at__gte=now - CONFIRMATION_CATCH_UP,
        event__ends_at__gt=now,
    ).values_list("pk", flat=True)
    count = 0
    for registration_id in missing:
        registration_confirmation_send.enqueue(registration_id=registration_id)
        count += 1
    return count


def event_reminders_send(*, now=None) -> dict[str, int]:
    """Reminders for dates starting in the next 24 hours (`events.emails.reminders_send`, once
    per date), and confirmations a lost task never sent (queued). Sends email."""
    return {"reminders": reminders_send(now=now), "confirmations_queued": confirmations_catch_up(now=now)}
