"""Every minute: holds for payment and waiting-list offers that ran out are released, and
their places passed on."""

from django.db import transaction
from django.utils import timezone

from events.models import EventPage, Registration, WaitingListEntry
from events.services.rules import event_lock
from events.services.waiting_list import waiting_list_offer_next

Status = Registration.Status


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
