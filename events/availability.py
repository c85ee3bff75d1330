"""Capacity maths for events, in one place. Pure reads; callers that sell hold the lock."""

from django.db.models import Count, Q
from django.utils import timezone

from events.models import Registration, WaitingListEntry


def _holding(now):
    """Registrations that hold a place: awaiting approval, confirmed or checked in, or reserved and not expired;
    plus waiting-list offers still open (their place is kept for the person offered it)."""
    return Q(
        status__in=[Registration.Status.PENDING, Registration.Status.CONFIRMED, Registration.Status.CHECKED_IN]
    ) | Q(status=Registration.Status.RESERVED, reserved_until__gt=now)


def places_taken(event, now=None) -> int:
    now = now or timezone.now()
    taken = Registration.objects.filter(_holding(now), event=event).count()
    offers = WaitingListEntry.objects.filter(
        event=event, status=WaitingListEntry.Status.OFFERED, offered_until__gt=now
    ).count()
    return taken + offers


def places_left(event, now=None) -> int:
    return max(0, event.capacity - places_taken(event, now))


def places_left_by_ticket_type(event, now=None) -> dict[int, int]:
    """{ticket type id: places left}, limited by the type's quantity and the event's capacity."""
    now = now or timezone.now()
    overall = places_left(event, now)
    taken: dict[int, int] = {}
    held = Registration.objects.filter(_holding(now), event=event).values("ticket_type").annotate(n=Count("pk"))
    for row in held:
        taken[row["ticket_type"]] = row["n"]
    offers = (
        WaitingListEntry.objects.filter(event=event, status=WaitingListEntry.Status.OFFERED, offered_until__gt=now)
        .values("ticket_type")
        .annotate(n=Count("pk"))
    )
    for row in offers:
        taken[row["ticket_type"]] = taken.get(row["ticket_type"], 0) + row["n"]
    return {tt.pk: max(0, min(overall, tt.quantity - taken.get(tt.pk, 0))) for tt in event.ticket_types.all()}
