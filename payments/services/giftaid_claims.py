"""Gift Aid claims: which donations go to HMRC in a claim, recorded once and kept.

A claim takes every declared, unrefunded donation in pounds given in its dates that no claim
holds yet, under their row locks, and records them as its own (a donation is in one claim at
most: the database's one-to-one refuses a second). Its schedule is built from those donations
each time it is downloaded, so every download of a claim is the same file."""

from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import audit_record, audit_record_each
from payments.models import Donation, GiftAidClaim, GiftAidClaimDonation


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


@transaction.atomic
def gift_aid_claim_create(*, starts_on: date, ends_on: date, aggregate_small: bool, actor) -> GiftAidClaim:
    """Make a Gift Aid claim of the donations `gift_aid_claimable` finds for these days
    (inclusive), mark them claimed, and audit it. Refuses a range that ends before it starts
    and a claim with no donations (a second click, or a reload, finds none left). Moves no
    money; the schedule is downloaded with `gift_aid_claim_donations`."""
    if ends_on < starts_on:
        raise ValidationError("The end date is before the start date.")
    donations = list(gift_aid_claimable(*day_bounds(starts_on, ends_on)).select_for_update(of=("self",)))
    if not donations:
        raise ValidationError(
            "No donations are left to claim for these dates: any there were are in an earlier claim, listed below."
        )
    now = timezone.now()
    claim = GiftAidClaim.objects.create(
        starts_on=starts_on,
        ends_on=ends_on,
        aggregate_small=aggregate_small,
        created_by=actor,
        created_at=now,
        donation_count=len(donations),
        total_minor=sum(donation.amount_minor for donation in donations),
    )
    GiftAidClaimDonation.objects.bulk_create(
        [GiftAidClaimDonation(claim=claim, donation=donation) for donation in donations]
    )
    Donation.objects.filter(pk__in=[donation.pk for donation in donations]).update(claimed_at=now)
    audit_record(actor=actor, action="gift_aid_claim.created", obj=claim, donations=len(donations))
    audit_record_each(actor=actor, action="donation.gift_aid_claimed", objs=donations, claim=claim.pk)
    return claim


def gift_aid_claim_donations(claim: GiftAidClaim) -> list[Donation]:
    """The donations of a claim in schedule order (when given, then id), with declarations."""
    return list(claim.donations.select_related("gift_aid_declaration").order_by("donated_at", "pk"))
