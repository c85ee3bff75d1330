"""Gifts: one-off donations (a line of an order), monthly gifts (a Stripe subscription,
one Donation per paid invoice) and UK Gift Aid declarations."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from core.codes import random_code
from core.money import CURRENCY_CHOICES, format_money


class Earmark(models.TextChoices):
    NONE = "", _("Where it is needed most")
    FUNDED_PLACES = "funded_places", _("Funded places for survivors on courses and events")


class GiftAidDeclaration(models.Model):
    """What HMRC needs to accept a Gift Aid claim: the donor's name, house and postcode,
    the exact declaration they agreed to (text and version) and when. Finance only."""

    title = models.CharField(_("title"), max_length=35, blank=True)
    first_name = models.CharField(_("first name"), max_length=35)
    last_name = models.CharField(_("last name"), max_length=35)
    house_name_or_number = models.CharField(_("house name or number"), max_length=40)
    postcode = models.CharField(_("postcode"), max_length=10)
    declaration_text = models.TextField(_("declaration text"))
    declaration_version = models.CharField(_("declaration version"), max_length=20)
    declared_at = models.DateTimeField(_("declared at"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("account"),
    )

    class Meta:
        ordering = ["-declared_at"]
        verbose_name = _("Gift Aid declaration")

    def __str__(self):
        return f"Gift Aid declaration {self.pk}"


def new_gift_reference() -> str:
    return "G" + random_code(12).replace("-", "")


class RecurringGift(models.Model):
    """A monthly gift: a Stripe customer and subscription on a monthly Plan. The donor
    cancels it with a link from any receipt; only a hash of that link's token is stored."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the first payment")
        ACTIVE = "active", _("Active")
        FAILED = "failed", _("First payment failed")
        CANCELLED = "cancelled", _("Cancelled")

    reference = models.CharField(max_length=16, unique=True, default=new_gift_reference, verbose_name=_("reference"))
    email = models.EmailField(_("email"))
    # The interface language the person used when this was made (a guest has no account to hold
    # a preference): their emails and documents are made in it (core.i18n.language_of).
    language = models.CharField(_("language"), max_length=16, blank=True, choices=settings.LANGUAGES)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recurring_gifts",
        verbose_name=_("account"),
    )
    amount_minor = models.PositiveIntegerField(_("monthly amount in minor units"))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="GBP")
    campaign = models.ForeignKey(
        "payments.CampaignPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("campaign"),
    )
    anonymous = models.BooleanField(default=False, verbose_name=_("anonymous"))
    message = models.CharField(max_length=500, blank=True, verbose_name=_("message"))
    earmark = models.CharField(
        max_length=20, choices=Earmark.choices, blank=True, default="", verbose_name=_("earmark")
    )
    sponsored_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sponsored places on"),
        help_text=_("The event or course whose funded places this gift pays for."),
    )
    gift_aid_declaration = models.ForeignKey(
        GiftAidDeclaration,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Gift Aid declaration"),
    )
    stripe_customer_id = models.CharField(max_length=255, blank=True, verbose_name=_("Stripe customer ID"))
    stripe_subscription_id = models.CharField(
        max_length=255, unique=True, null=True, blank=True, verbose_name=_("Stripe subscription ID")
    )
    # The SetupIntent the checkout page offers (reused on every view until it is used up).
    stripe_setup_intent_id = models.CharField(
        max_length=255, blank=True, default="", editable=False, verbose_name=_("Stripe SetupIntent ID")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    cancel_token_hash = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        verbose_name=_("cancel link token hash"),
        help_text=_("SHA-256 of the link's token; the token itself is never stored."),
    )
    payment_attempts = models.PositiveIntegerField(default=0, editable=False, verbose_name=_("payment attempts"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    cancelled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("cancelled"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("monthly gift")

    def __str__(self):
        return f"monthly gift {self.reference}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def amount_display(self) -> str:
        return format_money(self.amount_minor, self.currency)


class Donation(models.Model):
    """Money given and received: recorded once, when its payment (or monthly invoice) succeeded."""

    amount_minor = models.PositiveIntegerField(_("amount in minor units"))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    email = models.EmailField(_("email"))
    campaign = models.ForeignKey(
        "payments.CampaignPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="donations",
        verbose_name=_("campaign"),
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    message = models.CharField(_("message"), max_length=500, blank=True)
    earmark = models.CharField(_("earmark"), max_length=20, choices=Earmark.choices, blank=True, default="")
    # Given for a sponsored challenge (a supporter's fundraising page): HMRC's schedule says so
    # in its "Sponsored event" column and never aggregates it.
    sponsored_event = models.BooleanField(_("for a sponsored event"), default=False)
    sponsored_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sponsored places on"),
        help_text=_("The event or course whose funded places this gift pays for."),
    )
    gift_aid_declaration = models.ForeignKey(
        GiftAidDeclaration,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="donations",
        verbose_name=_("Gift Aid declaration"),
    )
    order_line = models.OneToOneField(
        "payments.OrderLine",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="donation",
        verbose_name=_("order line"),
    )
    recurring_gift = models.ForeignKey(
        RecurringGift,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="donations",
        verbose_name=_("monthly gift"),
    )
    stripe_invoice_id = models.CharField(
        max_length=255, unique=True, null=True, blank=True, verbose_name=_("Stripe invoice ID")
    )
    donated_at = models.DateTimeField(_("donated at"))
    refunded = models.BooleanField(_("refunded"), default=False)
    claimed_at = models.DateTimeField(_("Gift Aid claimed at"), null=True, blank=True)

    class Meta:
        ordering = ["-donated_at", "-pk"]
        verbose_name = _("donation")
        constraints = [
            models.CheckConstraint(
                condition=(Q(order_line__isnull=False) & Q(stripe_invoice_id__isnull=True))
                | (Q(order_line__isnull=True) & Q(stripe_invoice_id__isnull=False)),
                name="payments_donation_one_source",
            )
        ]
        indexes = [
            models.Index(fields=["campaign", "refunded"]),
            models.Index(fields=["donated_at"]),
            models.Index(fields=["sponsored_page", "refunded"]),
            models.Index(Upper("email"), name="payments_donation_email_idx"),  # Finance finds a donor's
        ]

    def __str__(self):
        return f"donation {self.pk}"

    @property
    def amount_display(self) -> str:
        return format_money(self.amount_minor, self.currency)


class SponsoredPlacesCount(models.Model):
    """What an app whose pages donors can sponsor (events, training) keeps per page: how many
    places donors' gifts pay for there, as payments last counted them (absolute, so a replay
    or a refund comes out right). Abstract: each app adds its one-to-one to its own page, and
    keeps the row outside the page so publishing an older revision cannot undo it. Who used
    a sponsored place is never recorded against a gift."""

    places = models.PositiveIntegerField(_("places funded by donors"), default=0)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    class Meta:
        abstract = True
        verbose_name = _("sponsored places")
        verbose_name_plural = _("sponsored places")
