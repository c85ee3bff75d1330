"""Ticket types, registrations (one ticket each) and the waiting list."""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel

from core.codes import random_code
from core.money_fields import MinorAmountField
from core.text import clean_fields_of
from payments.models import SponsoredPlacesCount


def new_ticket_code() -> str:
    return random_code(12)  # 60 bits, XXXX-XXXX-XXXX


class TicketType(models.Model):
    event = ParentalKey(
        "events.EventPage", on_delete=models.CASCADE, related_name="ticket_types", verbose_name=_("event")
    )
    name = models.CharField(_("name"), max_length=120)
    price_minor = MinorAmountField(_("price"), default=0, currency_attr="chapter_currency", help_text=_("0 for free."))
    pay_what_you_can = models.BooleanField(_("pay what you can"), default=False)
    minimum_minor = MinorAmountField(
        _("minimum (pay what you can)"),
        default=0,
        currency_attr="chapter_currency",
        help_text=_("The least a pay-what-you-can ticket costs; 0 lets people book for free."),
    )
    funded = models.BooleanField(_("funded place for survivors"), default=False, help_text=_("No payment is asked."))
    quantity = models.PositiveIntegerField(_("places of this type"))
    sales_start = models.DateTimeField(_("on sale from"), null=True, blank=True)
    sales_end = models.DateTimeField(_("on sale until"), null=True, blank=True)
    approval_required = models.BooleanField(_("approval required"), default=False)
    hidden = models.BooleanField(
        _("only with an access code"),
        default=False,
        help_text=_("Never offered on the public pages; booked only with an access code for it."),
    )
    sort_order = models.IntegerField(default=0, editable=False, verbose_name=_("order"))

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("quantity")]),
        FieldRowPanel([FieldPanel("price_minor"), FieldPanel("pay_what_you_can"), FieldPanel("minimum_minor")]),
        FieldRowPanel([FieldPanel("funded"), FieldPanel("approval_required"), FieldPanel("hidden")]),
        FieldRowPanel([FieldPanel("sales_start"), FieldPanel("sales_end")]),
    ]

    class Meta:
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.name

    @property
    def chapter_currency(self) -> str | None:
        """The currency of its prices: its event's chapter's, or None while that is not known
        (a new ticket type on an event with no chapter yet)."""
        try:
            event = self.event
        except ObjectDoesNotExist:
            return None
        return event.chapter.currency if event is not None and event.chapter_id and event.chapter else None

    def clean(self):
        super().clean()
        clean_fields_of(self, one_line_fields=["name"])

    def on_sale_at(self, now) -> bool:
        """Inside this ticket type's own sales window (if it has one)."""
        return not (self.sales_start and now < self.sales_start) and not (self.sales_end and now >= self.sales_end)

    @property
    def is_free(self) -> bool:
        return self.funded or (self.price_minor == 0 and not self.pay_what_you_can)


class Registration(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        RESERVED = "reserved", _("Reserved")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")
        CHECKED_IN = "checked_in", _("Checked in")

    HOLDS_PLACE = (Status.PENDING, Status.RESERVED, Status.CONFIRMED, Status.CHECKED_IN)

    event = models.ForeignKey(
        "events.EventPage", on_delete=models.CASCADE, related_name="registrations", verbose_name=_("event")
    )
    ticket_type = models.ForeignKey(
        TicketType, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("ticket type")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations",
        verbose_name=_("account"),
    )
    email = models.EmailField(verbose_name=_("email"))
    # The interface language the person used when this was made (a guest has no account to hold
    # a preference): their emails and documents are made in it (core.i18n.language_of).
    language = models.CharField(_("language"), max_length=16, blank=True, choices=settings.LANGUAGES)
    attendee_name = models.CharField(_("attendee name (optional)"), max_length=80, blank=True)
    code = models.CharField(
        max_length=16,
        unique=True,
        default=new_ticket_code,
        verbose_name=_("ticket code"),
        help_text=_("Printed on the ticket and in its QR code; staff search by it at the door."),
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RESERVED, verbose_name=_("status"))
    reserved_until = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("held until"),
        help_text=_("A place waiting for payment is held until then."),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    confirmed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("confirmed"))
    checked_in_at = models.DateTimeField(null=True, blank=True, verbose_name=_("checked in"))
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("checked in by"),
    )
    cancelled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("cancelled"))
    amount_minor = models.PositiveIntegerField(
        _("amount in minor units"),
        default=0,
        help_text=_("What this place costs (pay what you can: the amount chosen)."),
    )
    paid_at = models.DateTimeField(null=True, blank=True, verbose_name=_("paid"))
    paid_at_door = models.BooleanField(
        default=False,
        verbose_name=_("paid at the door"),
        help_text=_("Paid in person, not online: a refund of it is given back by hand."),
    )
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("confirmation sent"))
    reminder_sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reminder sent"))
    # Tickets booked together share this reference, so each ticket page can list the others.
    # Passing a ticket on clears it: the new holder must not see the rest of the booking.
    booking = models.CharField(_("booking reference"), max_length=16, blank=True, default="", db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        # Counting an event's places by status, and the door's latest check-ins: without
        # checked_in_at here the planner scanned all 50,000 tickets of a large network for them
        # (23 ms at the door of an event with 1,500 tickets; 0.1 ms with it).
        indexes = [models.Index(fields=["event", "status", "checked_in_at"], name="events_registration_door_idx")]

    def __str__(self):
        return f"registration {self.code}"


def new_booking_reference() -> str:
    return "B" + random_code(12).replace("-", "")


class SponsoredPlaces(SponsoredPlacesCount):
    """Funded places for survivors paid for by donors' earmarked gifts. They add to the
    event's first funded ticket type (within the event's capacity: a venue holds what it
    holds). Set only by `events.services.event_sponsored_places_set` (from payments)."""

    event = models.OneToOneField(
        "events.EventPage", on_delete=models.CASCADE, related_name="sponsored_places", verbose_name=_("event")
    )

    class Meta(SponsoredPlacesCount.Meta):
        pass

    def __str__(self):
        return f"{self.places} sponsored places for event {self.event_id}"


class WaitingListEntry(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered a place")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Offer not taken")
        LEFT = "left", _("Left the list")

    event = models.ForeignKey(
        "events.EventPage", on_delete=models.CASCADE, related_name="waiting_list", verbose_name=_("event")
    )
    ticket_type = models.ForeignKey(
        TicketType, on_delete=models.CASCADE, related_name="+", verbose_name=_("ticket type")
    )
    email = models.EmailField(verbose_name=_("email"))
    # The interface language the person used when this was made (a guest has no account to hold
    # a preference): their emails and documents are made in it (core.i18n.language_of).
    language = models.CharField(_("language"), max_length=16, blank=True, choices=settings.LANGUAGES)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("account"),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING, verbose_name=_("status"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("joined"))
    offered_until = models.DateTimeField(null=True, blank=True, verbose_name=_("offer open until"))
    registration = models.OneToOneField(
        Registration,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="waiting_list_entry",
        verbose_name=_("booking"),
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"waiting list entry {self.pk}"
