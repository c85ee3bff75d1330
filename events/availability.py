"""Capacity maths for events, in one place. Pure reads; callers that sell hold the lock."""

from django.utils import timezone

from events.models import AccessCode, AccessCodeBlock, Registration, SponsoredPlaces, TicketType, WaitingListEntry


def places_key(event_id: int) -> str:
    """The page-cache key an event page depends on (`core.page_cache.depends_on`): bumped
    after every write that may change its places (`events.services`, under the event's
    lock), so a cached event page says what the live booking page says."""
    return f"events:places:{event_id}"


def _annotated_ticket_types(event, now):
    """The event's ticket types, each annotated in the same query with the places it holds:
    registrations that hold a place (`held`: awaiting approval, confirmed, checked in, or
    reserved and not expired), open waiting-list offers (`offered`: their place is kept for
    the person offered it), unused access codes of blocks neither expired nor revoked
    (`reserved`: kept for the partner's codes; back on sale when the block ends), and the places
    donors sponsored for the event (`sponsored`).

    Written as one plain SQL statement: the same query built with the ORM's subqueries
    spent about 3 ms per call compiling itself, on every event page and under the selling
    lock (bench/events.py). The SQL is standard and runs on SQLite and PostgreSQL."""
    Status = Registration.Status
    ticket_types = TicketType._meta.db_table
    sql = f"""
        SELECT tt.*,
          (SELECT COUNT(*) FROM {Registration._meta.db_table} r WHERE r.ticket_type_id = tt.id
             AND (r.status IN (%s, %s, %s) OR (r.status = %s AND r.reserved_until > %s))) AS held,
          (SELECT COUNT(*) FROM {WaitingListEntry._meta.db_table} w WHERE w.ticket_type_id = tt.id
             AND w.status = %s AND w.offered_until > %s) AS offered,
          (SELECT COUNT(*) FROM {AccessCode._meta.db_table} c
             JOIN {AccessCodeBlock._meta.db_table} b ON b.id = c.block_id
             WHERE b.ticket_type_id = tt.id AND c.used_at IS NULL AND b.revoked_at IS NULL
             AND b.expires_at > %s) AS reserved,
          COALESCE((SELECT s.places FROM {SponsoredPlaces._meta.db_table} s WHERE s.event_id = tt.event_id), 0)
            AS sponsored
        FROM {ticket_types} tt WHERE tt.event_id = %s ORDER BY tt.sort_order, tt.id
    """  # noqa: S608 (table names come from our models; every value is a parameter)
    params = [Status.PENDING, Status.CONFIRMED, Status.CHECKED_IN, Status.RESERVED, now]
    params += [WaitingListEntry.Status.OFFERED, now, now, event.pk]
    return TicketType.objects.raw(sql, params)


def _held_by_ticket_type(event, now) -> list[tuple[int, int, int]]:
    """[(ticket type id, its quantity, places it holds)] in one query. The first funded
    type's quantity includes the places donors sponsored (`SponsoredPlaces`)."""
    rows = [
        (t.pk, t.quantity, t.held, t.offered + t.reserved, t.funded and not t.hidden, t.sponsored)
        for t in _annotated_ticket_types(event, now)
    ]
    extra = sponsored_extra((pk, funded, places) for pk, _q, _h, _o, funded, places in rows)
    return [(pk, quantity + extra.get(pk, 0), held + offered) for pk, quantity, held, offered, _f, _s in rows]


def sponsored_extra(rows) -> dict[int, int]:
    """{ticket type id: extra places}: places donors sponsored go to the event's first funded
    ticket type on public sale (`rows` are (pk, funded and not hidden, sponsored places) in
    the ticket types' order): a hidden type's places are the partner's codes'."""
    for pk, funded, places in rows:
        if funded:
            return {pk: places}
    return {}


def sponsored_places_of(event) -> dict[int, int]:
    """{ticket type id: extra places} for one event (admin dashboards; one query)."""
    places = SponsoredPlaces.objects.filter(event_id=event.pk).values_list("places", flat=True).first() or 0
    return sponsored_extra((t.pk, t.funded and not t.hidden, places) for t in event.ticket_types.all())


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


def ticket_types_with_places(event, now=None) -> tuple[list[tuple[TicketType, int]], int]:
    """([(ticket type, places left on it)] in the event's order, places left overall) in one
    query, by the same rules as `places_left_by_ticket_type` (for pages that show them)."""
    ticket_types = list(_annotated_ticket_types(event, now or timezone.now()))
    extra = sponsored_extra((t.pk, t.funded and not t.hidden, t.sponsored) for t in ticket_types)
    overall = max(0, event.capacity - sum(t.held + t.offered + t.reserved for t in ticket_types))
    left = [
        (t, max(0, min(overall, t.quantity + extra.get(t.pk, 0) - t.held - t.offered - t.reserved)))
        for t in ticket_types
    ]
    return left, overall
