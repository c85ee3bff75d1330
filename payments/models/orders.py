"""Orders (what someone is paying for), their payments through Stripe, refunds, and the
webhook events already handled. Amounts are integer minor units with a currency code;
statuses change only in payments.services."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from core.codes import random_code
from core.money import CURRENCY_CHOICES, format_money


def new_order_reference() -> str:
    """Opaque and unguessable (60 bits); the only thing about an order Stripe ever sees."""
    return "T" + random_code(12).replace("-", "")


class Order(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")
        PARTLY_REFUNDED = "partly_refunded", _("Partly refunded")

    class Attention(models.TextChoices):
        NONE = "", _("Nothing")
        AMOUNT_MISMATCH = "amount_mismatch", _("Stripe's amount or currency differs from the order")
        NO_PLACE = "no_place", _("Paid after the hold expired and the event filled: refund")
        PAID_AFTER_CANCEL = "paid_after_cancel", _("Paid after the order was closed: refund")
        REFUND_FAILED = "refund_failed", _("A refund could not be sent")
        STRIPE_REFUSED = "stripe_refused", _("Stripe refused to say how its payment stands: check it in Stripe")

    # Still to be paid (a failed attempt can be followed by another card).
    OPEN_STATES = (Status.OPEN, Status.FAILED)
    # Paid, whatever has been refunded since.
    PAID_STATES = (Status.PAID, Status.PARTLY_REFUNDED, Status.REFUNDED)

    reference = models.CharField(_("reference"), max_length=16, unique=True, default=new_order_reference)
    email = models.EmailField(_("email"))
    # The interface language the person used when this was made (a guest has no account to hold
    # a preference): their emails and documents are made in it (core.i18n.language_of).
    language = models.CharField(_("language"), max_length=16, blank=True, choices=settings.LANGUAGES)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        verbose_name=_("account"),
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="GBP")
    total_minor = models.PositiveIntegerField(_("total in minor units"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    attention_reason = models.CharField(
        _("attention reason"), max_length=20, choices=Attention.choices, blank=True, default=""
    )
    payment_attempts = models.PositiveIntegerField(default=0, editable=False, verbose_name=_("payment attempts"))
    # The SetupIntent the checkout page offers (reused on every view until it is used up).
    stripe_setup_intent_id = models.CharField(
        max_length=255, blank=True, default="", editable=False, verbose_name=_("Stripe SetupIntent ID")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))
    paid_at = models.DateTimeField(null=True, blank=True, verbose_name=_("paid"))
    receipt_sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("receipt sent"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("order")
        # The Finance list pages through every order, latest first (without the second index
        # a page of 165,000 orders sorted them all: 96 ms), and finds a payer's by address.
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["created_at", "id"], name="payments_order_created_idx"),
            models.Index(Upper("email"), name="payments_order_email_idx"),
        ]

    @property
    def needs_attention(self) -> bool:
        """Finance has to look at it: it was flagged, with a reason (`order_flag`)."""
        return bool(self.attention_reason)

    def __str__(self):
        return f"order {self.reference}"

    @property
    def total_display(self) -> str:
        return format_money(self.total_minor, self.currency)


class OrderLine(models.Model):
    """One ticket (sold by another app, named by its `item_reference`) or one donation. Only
    donation lines may carry Gift Aid."""

    class Kind(models.TextChoices):
        TICKET = "ticket", _("Ticket")
        DONATION = "donation", _("Donation")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # The selling app's own reference for a ticket ("registration:12"): payments stores it and
    # hands it back (payments.signals, hooks), never reads it, so it needs no foreign key.
    item_reference = models.CharField(_("item reference"), max_length=64, blank=True, default="", db_index=True)
    amount_minor = models.PositiveIntegerField(_("amount in minor units"))
    description = models.CharField(_("description"), max_length=200)
    gift_aid_eligible = models.BooleanField(_("Gift Aid eligible"), default=False)
    # What the donor chose, kept until the payment succeeds and a Donation is recorded.
    campaign = models.ForeignKey(
        "payments.CampaignPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("campaign"),
    )
    gift_aid_declaration = models.ForeignKey(
        "payments.GiftAidDeclaration",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Gift Aid declaration"),
    )
    anonymous = models.BooleanField(default=False, verbose_name=_("anonymous"))
    message = models.CharField(max_length=500, blank=True, verbose_name=_("message"))
    earmark = models.CharField(max_length=20, blank=True, verbose_name=_("earmark"))
    sponsored_event = models.BooleanField(_("for a sponsored event"), default=False)
    sponsored_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sponsored page"),
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("order line")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="donation") | Q(gift_aid_eligible=False), name="payments_gift_aid_only_donations"
            ),
            models.CheckConstraint(
                condition=Q(kind="donation") | ~Q(item_reference=""), name="payments_ticket_has_item_reference"
            ),
        ]

    def __str__(self):
        return f"{self.kind} line {self.pk}"


class Payment(models.Model):
    """One attempt to take an order's money through one Stripe PaymentIntent."""

    class Status(models.TextChoices):
        CREATED = "created", _("Created")
        REQUIRES_ACTION = "requires_action", _("Requires action")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")
        PARTLY_REFUNDED = "partly_refunded", _("Partly refunded")

    # Money was taken, whatever has been refunded since; and what can still be refunded.
    PAID_STATES = (Status.SUCCEEDED, Status.REFUNDED, Status.PARTLY_REFUNDED)
    REFUNDABLE = (Status.SUCCEEDED, Status.PARTLY_REFUNDED)

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments", verbose_name=_("order"))
    stripe_payment_intent_id = models.CharField(
        max_length=255, unique=True, null=True, blank=True, verbose_name=_("Stripe PaymentIntent ID")
    )
    idempotency_key = models.CharField(max_length=100, unique=True, verbose_name=_("idempotency key"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.CREATED)
    amount_minor = models.PositiveIntegerField(_("amount in minor units"))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    amount_refunded_minor = models.PositiveIntegerField(_("refunded in minor units"), default=0)
    failure_message = models.CharField(_("failure message"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))
    succeeded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("succeeded"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("payment")
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["created_at", "id"], name="payments_payment_created_idx"),
        ]

    def __str__(self):
        return f"payment {self.pk}"

    @property
    def refundable_minor(self) -> int:
        return self.amount_minor - self.amount_refunded_minor


class Refund(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("payment"))
    stripe_refund_id = models.CharField(
        max_length=255, unique=True, null=True, blank=True, verbose_name=_("Stripe refund ID")
    )
    idempotency_key = models.CharField(max_length=100, unique=True, verbose_name=_("idempotency key"))
    # One per refund form shown, so a double-clicked button finds the refund it already made.
    request_token = models.CharField(
        max_length=64,
        unique=True,
        verbose_name=_("request token"),
        help_text=_("One per refund form shown, so a double-clicked button finds the refund it already made."),
    )
    amount_minor = models.PositiveIntegerField(_("amount in minor units"))
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("made by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("refund")

    def __str__(self):
        return f"refund {self.pk}"


class WebhookEvent(models.Model):
    """A Stripe event already handled; the unique id makes a replay change nothing."""

    stripe_event_id = models.CharField(max_length=255, unique=True, verbose_name=_("Stripe event ID"))
    type = models.CharField(max_length=100, verbose_name=_("event type"))
    received_at = models.DateTimeField(auto_now_add=True, verbose_name=_("received"))

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("webhook event")

    def __str__(self):
        return self.stripe_event_id
