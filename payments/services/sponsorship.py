"""Sponsored places: gifts earmarked for one event or course pay for funded places there.

The count is always recomputed from the gifts themselves (succeeded, unrefunded donations
earmarked for the page, divided by what one place costs), never incremented, so running it
twice, out of order or after a refund gives the same answer. For an event the count is
handed to events (`event_sponsored_places_set`), which adds those places to the event's
first funded ticket type. The training app has no funded-place count for courses (only a
free-text line), so a course's sponsored places are counted here for Finance and the
course team to allocate by hand. Donors see totals only, never who took a place.
"""

from dataclasses import dataclass

from django.db.models import Sum
from wagtail.models import Page

from payments.models import Donation

# What one sponsored place costs when the event or course has no price of its own.
SPONSORED_PLACE_DEFAULT_MINOR = 2500


@dataclass(frozen=True)
class SponsoredCount:
    page_id: int
    given_minor: int
    place_minor: int
    places: int


def sponsored_place_cost(page) -> int:
    """What one sponsored place costs on this event or course, in minor units: the lowest
    price of the event's paid (not funded) tickets, or the course's price, else the default."""
    from events.models import EventPage
    from training.models import CoursePage

    prices: list[int] = []
    if isinstance(page, EventPage):
        for ticket_type in page.ticket_types.all():
            if ticket_type.funded:
                continue
            prices.append(ticket_type.minimum_minor if ticket_type.pay_what_you_can else ticket_type.price_minor)
    elif isinstance(page, CoursePage):
        prices.append(page.price_minor)
    prices = [price for price in prices if price > 0]
    return min(prices) if prices else SPONSORED_PLACE_DEFAULT_MINOR


def sponsored_places_count(page) -> SponsoredCount:
    """How many places the gifts earmarked for this page pay for. Only succeeded gifts
    exist as Donation rows; refunded ones are left out. Reads only."""
    given = (
        Donation.objects.filter(sponsored_page_id=page.pk, refunded=False).aggregate(total=Sum("amount_minor"))["total"]
        or 0
    )
    cost = sponsored_place_cost(page)
    return SponsoredCount(page_id=page.pk, given_minor=given, place_minor=cost, places=given // cost)


def sponsored_places_recount(*, page_id: int) -> SponsoredCount | None:
    """Recount the sponsored places of one event or course and, for an event, set them on
    the event (under its lock, in events). Idempotent. Moves no money, sends no email.
    Returns the count, or None when the page no longer exists."""
    from events.models import EventPage
    from events.services import event_sponsored_places_set

    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return None
    page = page.specific
    count = sponsored_places_count(page)
    if isinstance(page, EventPage):
        event_sponsored_places_set(event=page, places=count.places)
    return count


def sponsorable_pages() -> list:
    """Live, upcoming events that have funded places, and live courses: what a donor may
    earmark a gift for. At most 20 of each, soonest events first."""
    from django.utils import timezone

    from events.models import EventPage
    from training.models import CoursePage

    events = list(
        EventPage.objects.live()
        .public()
        .filter(cancelled=False, ends_at__gt=timezone.now(), ticket_types__funded=True)
        .distinct()
        .order_by("starts_at")[:20]
    )
    courses = list(CoursePage.objects.live().public().order_by("title")[:20])
    return events + courses
