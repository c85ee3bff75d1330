"""Gift Aid claims made to HMRC, kept as a history: each claim holds its donations (a donation
is in one claim at most), so its schedule can be downloaded again, the same file, for as long
as HMRC may ask about it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.money import format_money

# Gift Aid is worth 25p for every £1 given (basic rate tax on the gross gift).
GIFT_AID_PERCENT = 25


class GiftAidClaim(models.Model):
    """One claim: the dates its donations were given in, who made it and when, and its totals.
    Made only by `payments.services.gift_aid_claim_create`; never changed afterwards."""

    CURRENCY = "GBP"  # HMRC pays Gift Aid on gifts in pounds sterling only

    starts_on = models.DateField(_("donations given from"))
    ends_on = models.DateField(_("donations given to"))
    aggregate_small = models.BooleanField(_("small donations added together"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("made by"),
    )
    created_at = models.DateTimeField(_("made at"), default=timezone.now)
    donation_count = models.PositiveIntegerField(_("donations"))
    total_minor = models.PositiveBigIntegerField(_("donations total in minor units"))
    donations = models.ManyToManyField(
        "payments.Donation", through="GiftAidClaimDonation", related_name="gift_aid_claims", verbose_name=_("donations")
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Gift Aid claim")

    def __str__(self):
        return f"Gift Aid claim {self.pk}"

    @property
    def total_display(self) -> str:
        return format_money(self.total_minor, self.CURRENCY)

    @property
    def gift_aid_minor(self) -> int:
        return self.total_minor * GIFT_AID_PERCENT // 100

    @property
    def gift_aid_display(self) -> str:
        return format_money(self.gift_aid_minor, self.CURRENCY)


class GiftAidClaimDonation(models.Model):
    """A donation in a claim. One-to-one on the donation: the database itself refuses to put a
    donation in a second claim."""

    claim = models.ForeignKey(GiftAidClaim, on_delete=models.PROTECT, related_name="+", verbose_name=_("claim"))
    donation = models.OneToOneField(
        "payments.Donation", on_delete=models.PROTECT, related_name="gift_aid_claim_entry", verbose_name=_("donation")
    )

    def __str__(self):
        return f"donation {self.donation_id} in Gift Aid claim {self.claim_id}"
