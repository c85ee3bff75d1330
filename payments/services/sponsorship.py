"""Sponsored places: gifts earmarked for one event or course pay for funded places there.

The count is always recomputed from the gifts themselves (succeeded, unrefunded donations
earmarked for the page, divided by what one place costs), never incremented, so running it
twice, out of order or after a refund gives the same answer. The count is sent out with
`payments.signals.sponsorship_changed`: events adds an event's places to its first funded
ticket type; training keeps a course's count, shown on the course page and to its trainers,
who allocate the places to cohorts. Donors see totals only, never who took a place.

Payments does not know which pages can be sponsored: the apps that own them say so through
`SPONSORSHIP_TARGETS_HOOK` (contract in core/hooks.py).
"""

from wagtail.models import Page

from payments.models import Donation
from payments.signals import sponsorship_changed
from payments.sponsorship import SponsoredCount, sponsored_places_count


def sponsored_places_recount(*, page_id: int) -> SponsoredCount | None:
    """Recount the sponsored places of one event or course and send the count with
    `sponsorship_changed` (events sets an event's places under its lock). Idempotent. Moves
    no money, sends no email. Returns the count, or None when the page no longer exists."""
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return None
    count = sponsored_places_count(page)
    sponsorship_changed.send(
        sender=Donation,
        page_id=count.page_id,
        places=count.places,
        given_minor=count.given_minor,
        place_minor=count.place_minor,
    )
    return count
