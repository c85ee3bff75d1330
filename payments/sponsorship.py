"""Sponsored places, what payments reads: the targets the apps offer (the hook's answer type,
`SponsorshipTarget`), what one place costs, and how many places a page's gifts pay for. Reads
only; the recount that sends the count out is `payments.services.sponsorship`.

The count is always recomputed from the gifts themselves (succeeded, unrefunded donations
earmarked for the page, divided by what one place costs), never incremented. Payments does not
know which pages can be sponsored: the apps that own them say so through
`SPONSORSHIP_TARGETS_HOOK` (contract in core/hooks.py).
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Sum
from wagtail import hooks

from core.hooks import SPONSORSHIP_TARGETS_HOOK
from core.money import currency_code
from payments.models import Donation

# What one sponsored place costs when the event or course has no price of its own.
SPONSORED_PLACE_DEFAULT_MINOR = 2500


@dataclass(frozen=True)
class SponsorshipTarget:
    """A page whose funded places gifts can pay for, as the app that owns it describes it."""

    page_id: int
    label: str  # what the donation form offers, e.g. "Funded places at Spring gathering"
    place_minor: int = 0  # what one place costs there; 0 when it has no price of its own
    currency: str = ""  # of place_minor, ISO 4217 ("USD"); "" for the default currency

    @property
    def currency_code(self) -> str:
        return currency_code(self.currency or settings.PAYMENTS_DEFAULT_CURRENCY)


@dataclass(frozen=True)
class SponsoredCount:
    page_id: int
    given_minor: int
    place_minor: int
    places: int


def sponsorship_targets(page_ids: list[int] | None = None) -> list[SponsorshipTarget]:
    """What the apps offer for sponsorship now (`page_ids` None), or the targets among
    `page_ids`, in hook order. Reads only."""
    targets: list[SponsorshipTarget] = []
    for answer in hooks.get_hooks(SPONSORSHIP_TARGETS_HOOK):
        targets.extend(answer(page_ids=page_ids))
    return targets


def sponsored_place_cost(page) -> tuple[int, str]:
    """What one sponsored place costs on this event or course, in minor units, and in which
    currency, as its app says (the lowest price of an event's paid tickets, a course's price,
    in its chapter's currency), else the default."""
    targets = sponsorship_targets(page_ids=[page.pk])
    currency = targets[0].currency_code if targets else currency_code(settings.PAYMENTS_DEFAULT_CURRENCY)
    prices = [target.place_minor for target in targets if target.place_minor > 0]
    return (min(prices) if prices else SPONSORED_PLACE_DEFAULT_MINOR), currency


def sponsored_places_count(page) -> SponsoredCount:
    """How many places the gifts earmarked for this page pay for: only gifts in the page's
    own currency count (the donation form offers no other). Only succeeded gifts exist as
    Donation rows; refunded ones are left out. Reads only."""
    cost, currency = sponsored_place_cost(page)
    given = (
        Donation.objects.filter(sponsored_page_id=page.pk, refunded=False, currency=currency).aggregate(
            total=Sum("amount_minor")
        )["total"]
        or 0
    )
    return SponsoredCount(page_id=page.pk, given_minor=given, place_minor=cost, places=given // cost)
