"""Reads: campaign totals, a monthly gift's next payment and its cancel link, the campaigns open
for gifts, the donations a Gift Aid claim can take."""

import calendar
from datetime import date, datetime, time

from django.core import signing
from django.core.cache import cache
from django.db import models
from django.db.models import Count, F, Sum
from django.utils import timezone

from payments.models import CampaignPage, Donation, GiftAidClaim, RecurringGift

TOTALS_KEY = "payments:campaign-total:{}"
CANCEL_SALT = "payments.recurring-gift-cancel"


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


def _months_after(day: date, months: int) -> date:
    """`day` moved on by whole calendar months, on the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def recurring_gift_next_payment_on(gift: RecurringGift, *, today: date | None = None) -> date | None:
    """When a monthly gift's next payment is taken: Stripe charges a monthly subscription on
    the day of its first payment each month (the month's last day when it is shorter), so the
    first payment's date moved on by whole months to the first one after today. None for a gift
    that is not taking money. One query."""
    if gift.status != RecurringGift.Status.ACTIVE:
        return None
    first = gift.donations.order_by("donated_at").values_list("donated_at", flat=True).first() or gift.created_at
    anchor = timezone.localdate(first)
    today = today or timezone.localdate()
    months = 1
    while (next_on := _months_after(anchor, months)) <= today:
        months += 1
    return next_on


def campaigns_open(limit: int | None = None) -> list:
    """Live, public campaign pages still open (no end date, or ending today or later), soonest
    ending first, for the donate page and the home page. One query."""
    today = timezone.localdate()
    pages = (
        CampaignPage.objects.live()
        .public()
        .filter(models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=today))
        .order_by(F("ends_on").asc(nulls_last=True), "path")
    )
    return list(pages[:limit] if limit else pages)


def cancel_token(gift: RecurringGift) -> str:
    """The token in a monthly gift's cancel link (signed with SECRET_KEY; only its hash is stored)."""
    return signing.Signer(salt=CANCEL_SALT).sign(gift.reference)


def recurring_gift_for_token(token: str) -> RecurringGift | None:
    """The gift a cancel link is for, or None for a tampered or unknown link."""
    try:
        reference = signing.Signer(salt=CANCEL_SALT).unsign(token)
    except signing.BadSignature:
        return None
    gift = RecurringGift.objects.filter(reference=reference).first()
    if gift is None or gift.cancel_token_hash != RecurringGift.hash_token(token):
        return None
    return gift


def gift_aid_claimable(start: datetime, end: datetime):
    """Donations HMRC can be asked about: declared, in pounds, not refunded, in no claim yet,
    given in [start, end]. Only donation lines become Donations, so tickets never appear."""
    return (
        Donation.objects.filter(
            gift_aid_declaration__isnull=False,
            currency=GiftAidClaim.CURRENCY,
            refunded=False,
            claimed_at__isnull=True,
            donated_at__gte=start,
            donated_at__lte=end,
        )
        .select_related("gift_aid_declaration")
        .order_by("donated_at", "pk")
    )


def day_bounds(starts_on: date, ends_on: date) -> tuple[datetime, datetime]:
    """The first and last moments of a range of days, in the site's time zone."""
    return (
        timezone.make_aware(datetime.combine(starts_on, time.min)),
        timezone.make_aware(datetime.combine(ends_on, time.max)),
    )


def gift_aid_claim_donations(claim: GiftAidClaim) -> list[Donation]:
    """The donations of a claim in schedule order (when given, then id), with declarations."""
    return list(claim.donations.select_related("gift_aid_declaration").order_by("donated_at", "pk"))
