"""Events of a large network for `manage.py seed_scale` (a `thrive_seed_scale` hook, order 40).

`scale.events` live event pages under the demo's event index, over the last two years and
the next one, across the chapters (each in its chapter's zone and currency): most free, some
sold with a funded place for survivors beside the paid one, some pay what you can (a few
needing approval), one in ten repeating on further dates. `scale.registrations` tickets
spread over them unevenly, as interest is: a few events take a quarter of them (eight of
5,000: four past, four to come) and the rest follow a long tail. Most tickets belong to
members, some to guests; past events were mostly checked in; no hold is left waiting for
payment (housekeeping would have released it); every paid ticket has its paid order (a
ticket line with its reference, a succeeded payment). The fullest events to come have a
waiting list.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import MemberProfile
from cms.models import Chapter
from core.codes import random_code
from core.page_cache import purge_all
from core.seeding import ScaleRequest, Timings, bulk_insert, explicit_times, pages_bulk_add
from events.for_payments import registration_reference
from events.models import EventDate, EventIndexPage, EventPage, EventType, Registration, TicketType, WaitingListEntry
from payments.models import Order, OrderLine, Payment
from payments.scale import paid_order_payment

BIG_EVENTS = 8
BIG_SHARE = 0.25
GUEST_SHARE = 0.15
PRICES = {"GBP": [1000, 1500, 2500, 3500], "USD": [1500, 2000, 3000, 4500], "EUR": [1200, 2000, 3000]}
CITIES = {
    "GB": ["London", "Manchester", "Glasgow", "Cardiff", "Leeds", "Bristol", "Edinburgh", "Birmingham"],
    "US": ["New York", "Chicago", "Houston", "Los Angeles", "Seattle", "Atlanta", "Denver", "Boston"],
}
NAMES = {
    EventType.GATHERING: ["Survivor leaders' gathering", "Community evening", "Peer circle", "Summer picnic"],
    EventType.WORKSHOP: ["Speaking up workshop", "Advocacy skills day", "Wellbeing workshop", "Media training"],
    EventType.FUNDRAISER: ["Fundraising supper", "Charity run", "Quiz night", "Art auction"],
    EventType.CONFERENCE: ["Regional conference", "Policy summit", "Survivor leadership forum"],
}


def seed_events(*, scale: ScaleRequest, timings: Timings) -> None:
    rng = scale.random("events")
    now = timezone.now()
    index = EventIndexPage.objects.first()
    if index is None or not scale.events:
        return
    chapters = list(Chapter.objects.all())
    with timings.table("events_eventpage") as count:
        events = pages_bulk_add(index, [_event(rng, scale, n, chapters, now) for n in range(scale.events)])
        count[0] = len(events)
    per_event = _registrations_per_event(rng, scale, events, now)
    for event, booked in zip(events, per_event, strict=True):
        # Big events get a venue to match; every event keeps room for its waiting list's offers.
        event.capacity = max(event.capacity, int(booked * 1.1) + 1)
    EventPage.objects.bulk_update(events, ["capacity"], batch_size=2000)
    with timings.table("events_ticket_type") as count:
        types = bulk_insert(TicketType, (t for event in events for t in _ticket_types(rng, event)))
        count[0] = len(types)
    with timings.table("events_eventdate") as count:
        count[0] = len(bulk_insert(EventDate, (d for event in events for d in _further_dates(rng, event))))
    members = list(
        MemberProfile.objects.filter(user__email__endswith=scale.email_suffix).values_list("user_id", "user__email")
    )
    types_of = {}
    for ticket_type in types:
        types_of.setdefault(ticket_type.event_id, []).append(ticket_type)
    with timings.table("events_registration") as count, explicit_times(Registration, "created_at"):
        registrations = bulk_insert(Registration, _registrations(rng, scale, events, per_event, types_of, members, now))
        count[0] = len(registrations)
    _orders(scale, timings, registrations, {event.pk: event for event in events})
    with timings.table("events_waitinglistentry") as count, explicit_times(WaitingListEntry, "created_at"):
        count[0] = len(bulk_insert(WaitingListEntry, _waiting_lists(rng, scale, events, per_event, types_of, now)))
    purge_all()  # as publishing would


def _event(rng, scale: ScaleRequest, n: int, chapters: list[Chapter], now) -> EventPage:
    chapter = rng.choice(chapters)
    zone = ZoneInfo(chapter.time_zone)
    day = (now + timedelta(days=rng.uniform(-730, 365))).astimezone(zone)
    starts = day.replace(hour=rng.choice([10, 14, 18, 19]), minute=0, second=0, microsecond=0)
    event_type = rng.choices(list(EventType), [45, 30, 15, 10])[0]
    city = rng.choice(CITIES.get(chapter.country, CITIES["GB"]))
    online = rng.random() < 0.3
    title = f"{rng.choice(NAMES[event_type])}, {'online' if online else city}"
    return EventPage(
        title=title,
        slug=f"event-{scale.tag}-{n}",
        summary=f"{title}: organised by the {chapter.name} chapter. Everyone is welcome unless it says otherwise.",
        event_type=event_type,
        chapter=chapter,  # kept on the page: its currency prices the tickets
        time_zone=chapter.time_zone,
        starts_at=starts,
        ends_at=starts + timedelta(hours=rng.choice([2, 3, 8])),
        online=online,
        venue="" if online else f"Community Hall, {rng.randint(1, 200)} High Street, {city}",
        online_link="https://meet.example.org/thrive" if online else "",
        sensitive=rng.random() < 0.05,
        audience=rng.choices(["public", "members", "survivors"], [75, 15, 10])[0],
        capacity=rng.choice([20, 30, 40, 60, 100, 150]),
        first_published_at=starts - timedelta(days=rng.uniform(20, 90)),
    )


def _registrations_per_event(rng, scale: ScaleRequest, events: list[EventPage], now) -> list[int]:
    """How many tickets each event gets: a quarter shared by a few big events (eight for
    5,000 events, half past and half to come), the rest drawn over the others with
    long-tailed weights."""
    past = [n for n, e in enumerate(events) if e.ends_at < now]
    coming = [n for n, e in enumerate(events) if e.ends_at >= now]
    how_many = max(1, min(BIG_EVENTS, len(events) // 100))  # a few: one for a small network
    big = set(coming[: (how_many + 1) // 2] + past[: how_many // 2])
    counts = [0] * len(events)
    big_total = int(scale.registrations * BIG_SHARE) if big else 0
    for n in big:
        counts[n] = big_total // len(big)
    rest = [n for n in range(len(events)) if n not in big]
    remaining = scale.registrations - sum(counts)
    if rest and remaining:
        weights = [rng.paretovariate(1.5) for _ in rest]
        for n in rng.choices(rest, weights, k=remaining):
            counts[n] += 1
    elif remaining:
        counts[next(iter(big))] += remaining
    return counts


def _ticket_types(rng, event: EventPage):
    currency = _currency(event)
    kind = rng.choices(["free", "paid", "pwyc"], [60, 30, 10])[0]
    if kind == "free":
        yield TicketType(event_id=event.pk, name="Free place", quantity=event.capacity)
    elif kind == "paid":
        funded = max(1, event.capacity // 5)
        price = rng.choice(PRICES[currency])
        yield TicketType(event_id=event.pk, name="Ticket", price_minor=price, quantity=event.capacity - funded)
        yield TicketType(
            event_id=event.pk, name="Funded place for survivors", funded=True, quantity=funded, sort_order=1
        )
    else:
        yield TicketType(
            event_id=event.pk,
            name="Pay what you can",
            price_minor=rng.choice(PRICES[currency]),
            pay_what_you_can=True,
            minimum_minor=0,
            quantity=event.capacity,
            approval_required=rng.random() < 0.3,
        )


def _further_dates(rng, event: EventPage):
    if rng.random() < 0.1:
        for week in range(1, rng.randint(2, 4)):
            yield EventDate(
                event_id=event.pk,
                starts_at=event.starts_at + timedelta(weeks=week),
                ends_at=event.ends_at + timedelta(weeks=week),
                sort_order=week,
            )


def _currency(event: EventPage) -> str:
    return event.chapter.currency


def _registrations(rng, scale: ScaleRequest, events, per_event, types_of, members, now):
    Status = Registration.Status
    n = 0
    for event, booked in zip(events, per_event, strict=True):
        if not booked:
            continue
        types = types_of[event.pk]
        holders = rng.sample(members, min(booked, len(members))) if members else []
        past = event.ends_at < now
        left = {t.pk: t.quantity for t in types}
        for k in range(booked):
            ticket_type = rng.choices(types, [left[t.pk] for t in types])[0]
            left[ticket_type.pk] -= 1  # no type sells more places than it has
            guest = k >= len(holders) or rng.random() < GUEST_SHARE
            user_id, email = (None, scale.email("guest", n)) if guest else holders[k]
            booked_at = event.starts_at - timedelta(days=rng.uniform(0.5, 60))
            if past:
                status = rng.choices([Status.CHECKED_IN, Status.CONFIRMED, Status.CANCELLED], [70, 20, 10])[0]
            elif ticket_type.approval_required and rng.random() < 0.3:
                status = Status.PENDING
            else:
                # No holds waiting for payment: by now housekeeping has cancelled any left unpaid.
                status = rng.choices([Status.CONFIRMED, Status.CANCELLED], [88, 12])[0]
            booked_at = min(booked_at, now - timedelta(minutes=30))
            amount = 0 if ticket_type.is_free else ticket_type.price_minor
            if ticket_type.pay_what_you_can:
                amount = rng.choice([0, amount // 2, amount, amount * 2])
            paid = amount > 0 and status in (Status.CONFIRMED, Status.CHECKED_IN, Status.CANCELLED)
            yield Registration(
                event_id=event.pk,
                ticket_type_id=ticket_type.pk,
                user_id=user_id,
                email=email,
                code=random_code(12),
                status=status,
                created_at=booked_at,
                confirmed_at=booked_at if status in (Status.CONFIRMED, Status.CHECKED_IN) else None,
                checked_in_at=event.starts_at + timedelta(minutes=rng.uniform(-20, 40))
                if status == Status.CHECKED_IN
                else None,
                cancelled_at=booked_at + timedelta(days=1) if status == Status.CANCELLED else None,
                amount_minor=amount,
                paid_at=booked_at if paid else None,
                booking=f"B{scale.tag.upper()}{n:09d}",
            )
            n += 1


def _orders(scale: ScaleRequest, timings: Timings, registrations: list[Registration], events: dict) -> None:
    """A paid order for every ticket paid online: one ticket line, one succeeded payment
    (refunded when the ticket was cancelled)."""
    paid = [r for r in registrations if r.paid_at]
    with timings.table("payments_order (tickets)") as count, explicit_times(Order, "created_at", "updated_at"):
        orders = bulk_insert(
            Order,
            (
                Order(
                    reference=f"TT{scale.tag}{n:08d}".upper()[:16],
                    email=r.email,
                    user_id=r.user_id,
                    currency=_currency(events[r.event_id]),
                    total_minor=r.amount_minor,
                    status=Order.Status.REFUNDED if r.status == Registration.Status.CANCELLED else Order.Status.PAID,
                    payment_attempts=1,
                    created_at=r.created_at,
                    updated_at=r.paid_at,
                    paid_at=r.paid_at,
                    receipt_sent_at=r.paid_at,
                )
                for n, r in enumerate(paid)
            ),
        )
        count[0] = len(orders)
    with timings.table("payments_orderline (tickets)") as count:
        lines = (
            OrderLine(
                order_id=order.pk,
                kind=OrderLine.Kind.TICKET,
                item_reference=registration_reference(r),
                amount_minor=r.amount_minor,
                description=f"{events[r.event_id].title}: ticket",
            )
            for order, r in zip(orders, paid, strict=True)
        )
        count[0] = len(bulk_insert(OrderLine, lines))
    with timings.table("payments_payment (tickets)") as count, explicit_times(Payment, "created_at", "updated_at"):
        count[0] = len(bulk_insert(Payment, (paid_order_payment(scale, "t", order) for order in orders)))


def _waiting_lists(rng, scale: ScaleRequest, events, per_event, types_of, now):
    """Forty people waiting for each of the three fullest events to come."""
    coming = sorted(
        (booked, n) for n, (event, booked) in enumerate(zip(events, per_event, strict=True)) if event.ends_at >= now
    )
    for _booked, n in coming[-3:]:
        event = events[n]
        for k in range(40):
            yield WaitingListEntry(
                event_id=event.pk,
                ticket_type_id=types_of[event.pk][0].pk,
                email=scale.email(f"waiting{event.pk}x", k),
                created_at=now - timedelta(hours=rng.uniform(1, 200)),
            )
