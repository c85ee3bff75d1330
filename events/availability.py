"""Capacity maths for events, in one place. Pure reads; callers that sell hold the lock."""

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from events.models import Registration, TicketType, WaitingListEntry


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
    """{ticket type id: places left}, limited by the type's quantity and the event's capacity.
    One query (sellers call it while holding the event's lock, so it is kept short)."""
    now = now or timezone.now()

    def per_type(rows):
        counted = rows.filter(ticket_type=OuterRef("pk")).order_by().values("ticket_type").annotate(n=Count("pk"))
        return Coalesce(Subquery(counted.values("n")), 0)

    offers = WaitingListEntry.objects.filter(status=WaitingListEntry.Status.OFFERED, offered_until__gt=now)
    rows = list(
        TicketType.objects.filter(event_id=event.pk)
        .annotate(held=per_type(Registration.objects.filter(_holding(now))), offered=per_type(offers))
        .values_list("pk", "quantity", "held", "offered")
    )
    overall = max(0, event.capacity - sum(held + offered for _pk, _quantity, held, offered in rows))
    return {pk: max(0, min(overall, quantity - held - offered)) for pk, quantity, held, offered in rows}
