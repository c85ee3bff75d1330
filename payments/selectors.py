"""Reads used by more than one view: campaign totals and the finance lists."""

from django.core.cache import cache
from django.db.models import Count, Sum

from payments.models import Donation

TOTALS_KEY = "payments:campaign-total:{}"


def campaign_totals(campaign_id: int) -> dict:
    """{"raised_minor", "donations"} for a campaign from its succeeded, unrefunded
    donations. Kept in the cache until a donation for it is recorded or refunded, so a
    campaign page spends at most one query on it."""
    key = TOTALS_KEY.format(campaign_id)
    totals = cache.get(key)
    if totals is None:
        row = Donation.objects.filter(campaign_id=campaign_id, refunded=False).aggregate(
            raised=Sum("amount_minor"), donations=Count("pk")
        )
        totals = {"raised_minor": row["raised"] or 0, "donations": row["donations"]}
        cache.set(key, totals, timeout=3600)
    return totals


def campaign_totals_forget(campaign_id: int) -> None:
    cache.delete(TOTALS_KEY.format(campaign_id))
