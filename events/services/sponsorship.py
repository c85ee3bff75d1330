"""Funded places that donors paid for (payments counts the gifts and tells events)."""

from django.db import transaction

from core.audit import audit_record
from core.locking import for_update
from events.models import EventPage, SponsoredPlaces
from events.services.rules import event_lock
from events.services.waiting_list import waiting_list_offer_next


@transaction.atomic
def event_sponsored_places_set(*, event: EventPage, places: int) -> int:
    """Set how many funded places donors have paid for on this event (payments recounts them
    from succeeded, unrefunded earmarked gifts and calls this). Absolute, so running it twice
    changes nothing; a lower number (a refund) takes places back off sale, never a ticket
    already booked. Under the event's lock, then offers any freed places to the waiting
    list. Returns the number set. Moves no money and names no one."""
    places = max(0, int(places))
    event_lock(event)
    row, _created = for_update(SponsoredPlaces.objects.all()).get_or_create(event=event)
    if row.places != places:
        row.places = places
        row.save(update_fields=["places", "updated_at"])
        audit_record(actor=None, action="event.sponsored_places", obj=event, places=places)
        waiting_list_offer_next(event=event)
    return places
