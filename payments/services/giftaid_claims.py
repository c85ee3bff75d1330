"""Gift Aid claims: which donations go to HMRC in a claim, recorded once and kept.

A claim takes every declared, unrefunded donation in pounds given in its dates that no claim
holds yet, under their row locks, and records them as its own (a donation is in one claim at
most: the database's one-to-one refuses a second). Its schedule is built from those donations
each time it is downloaded, so every download of a claim is the same file."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record, audit_record_each
from core.locking import for_update
from payments.giftaid import gift_aid_rows
from payments.models import Donation, GiftAidClaim, GiftAidClaimDonation
from payments.selectors import day_bounds, gift_aid_claim_donations, gift_aid_claimable


@transaction.atomic
def gift_aid_claim_create(*, starts_on: date, ends_on: date, aggregate_small: bool, actor) -> GiftAidClaim:
    """Make a Gift Aid claim of the donations `gift_aid_claimable` finds for these days
    (inclusive), mark them claimed, and audit it. Refuses a range that ends before it starts
    and a claim with no donations (a second click, or a reload, finds none left). Moves no
    money; the schedule is downloaded with `gift_aid_claim_donations`."""
    if ends_on < starts_on:
        raise ValidationError(_("The end date is before the start date."), code="dates")
    donations = list(for_update(gift_aid_claimable(*day_bounds(starts_on, ends_on)), of=("self",)))
    if not donations:
        raise ValidationError(
            _("No donations are left to claim for these dates: any there were are in an earlier claim, listed below."),
            code="empty",
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


def gift_aid_claim_schedule(*, claim: GiftAidClaim, actor) -> list[list[str]]:
    """The rows of a claim's schedule in HMRC's Charities Online layout, built from the claim's
    own donations (every download of a claim is the same file); the download is audited.
    Refuses (code "expired") a claim whose declarations retention has deleted, six years after
    its last claim, when HMRC can no longer ask. Moves no money."""
    donations = gift_aid_claim_donations(claim)
    if any(donation.gift_aid_declaration is None for donation in donations):
        raise ValidationError(
            _("Claim %(number)s is past the six years HMRC may ask about: its donors' details are deleted.")
            % {"number": claim.pk},
            code="expired",
        )
    audit_record(actor=actor, action="gift_aid_claim.downloaded", obj=claim)
    return gift_aid_rows(donations, aggregate_small=claim.aggregate_small)
