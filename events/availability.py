"""Capacity maths for events, in one place. Pure reads; callers that sell hold the lock."""

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from events.models import Registration, SponsoredPlaces, TicketType, WaitingListEntry


def _holding(now):
    """Registrations that hold a place: awaiting approval, confirmed or checked in, or reserved and not expired;
    plus waiting-list offers still open (their place is kept for the person offered it)."""
    return Q(
        status__in=[Registration.Status.PENDING, Registration.Status.CONFIRMED, Registration.Status.CHECKED_IN]
    ) | Q(status=Registration.Status.RESERVED, reserved_until__gt=now)


def _held_by_ticket_type(event, now) -> list[tuple[int, int, int]]:
    """[(ticket type id, its quantity, places it holds)] in one query: registrations that
    hold a place plus open waiting-list offers, counted per ticket type. The first funded
    type's quantity includes the places donors sponsored (`SponsoredPlaces`)."""

    def per_type(rows):
        counted = rows.filter(ticket_type=OuterRef("pk")).order_by().values("ticket_type").annotate(n=Count("pk"))
        return Coalesce(Subquery(counted.values("n")), 0)

    offers = WaitingListEntry.objects.filter(status=WaitingListEntry.Status.OFFERED, offered_until__gt=now)
    sponsored = SponsoredPlaces.objects.filter(event_id=OuterRef("event_id")).values("places")
    rows = list(
        TicketType.objects.filter(event_id=event.pk)
        .annotate(
            held=per_type(Registration.objects.filter(_holding(now))),
            offered=per_type(offers),
            sponsored=Coalesce(Subquery(sponsored), 0),
        )
        .values_list("pk", "quantity", "held", "offered", "funded", "sponsored")
    )
    extra = sponsored_extra((pk, funded, places) for pk, _q, _h, _o, funded, places in rows)
    return [(pk, quantity + extra.get(pk, 0), held + offered) for pk, quantity, held, offered, _f, _s in rows]


def sponsored_extra(rows) -> dict[int, int]:
    """{ticket type id: extra places}: places donors sponsored go to the event's first funded
    ticket type (`rows` are (pk, funded, sponsored places) in the ticket types' order)."""
    for pk, funded, places in rows:
        if funded:
            return {pk: places}
    return {}


def sponsored_places_of(event) -> dict[int, int]:
    """{ticket type id: extra places} for one event (admin dashboards; one query)."""
    places = SponsoredPlaces.objects.filter(event_id=event.pk).values_list("places", flat=True).first() or 0
    return sponsored_extra((t.pk, t.funded, places) for t in event.ticket_types.all())


def places_taken(event, now=None) -> int:
    """Places held across the event (every registration and offer is for one of its ticket types)."""
    return sum(held for _pk, _quantity, held in _held_by_ticket_type(event, now or timezone.now()))


def places_left(event, now=None) -> int:
    return max(0, event.capacity - places_taken(event, now))


def places_left_by_ticket_type(event, now=None) -> dict[int, int]:
    """{ticket type id: places left}, limited by the type's quantity and the event's capacity.
    One query (sellers call it while holding the event's lock, so it is kept short)."""
    rows = _held_by_ticket_type(event, now or timezone.now())
    overall = max(0, event.capacity - sum(held for _pk, _quantity, held in rows))
    return {pk: max(0, min(overall, quantity - held)) for pk, quantity, held in rows}
