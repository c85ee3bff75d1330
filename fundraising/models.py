"""Supporters' fundraising pages: a signed-in supporter raises money for one of the network's
campaigns (`payments.CampaignPage`) with their own page (title, story, target, one photo, an
end date), optionally in a team. Gifts through the page go through payments' checkout; each
is a `Gift` here (how the donor wants to appear, their moderated message) and, once paid, a
`payments.Donation` for the campaign, so the page, its team and the campaign count it alike.

Who sees what (checked in the views):
- the public: approved pages and their approved messages, donors as each chose to appear;
  a page waiting for approval or hidden answers 404; the photo is served only through
  `views.page_photo`, which applies the same rule;
- the fundraiser: their own pages in any state (a preview with a banner while waiting), the
  amounts and how each donor chose to appear; never a donor's email or address (those stay
  in payments, which Finance reads);
- Communications (moderation: pages, messages, teams) and Finance (read, export).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.codes import random_code
from core.money import CURRENCY_CHOICES, format_money
from core.money_fields import MinorAmountField

# A supporter's target: at most 1,000,000.00 (a campaign may aim higher).
PAGE_TARGET_MAX_MINOR = 100_000_000


class Team(models.Model):
    """Supporters fundraising together for one campaign. Its total is its members' pages'."""

    campaign = models.ForeignKey(
        "payments.CampaignPage", on_delete=models.PROTECT, related_name="+", verbose_name=_("campaign")
    )
    name = models.CharField(_("team name"), max_length=80)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    hidden = models.BooleanField(_("hidden by staff"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("fundraising team")
        verbose_name_plural = _("fundraising teams")
        constraints = [
            models.UniqueConstraint(Lower("name"), "campaign", name="fundraising_team_name_unique"),
        ]

    def __str__(self):
        return self.name


def photo_path(instance, filename):
    # No name and no original filename in the stored name; under private/: served only through
    # `views.page_photo`, which checks who may see it.
    from uuid import uuid4  # noqa: PLC0415

    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"private/fundraising/photos/{uuid4().hex}.{extension}"


class FundraisingPage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        HIDDEN = "hidden", _("Hidden")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fundraising_pages",
        verbose_name=_("fundraiser"),
    )
    campaign = models.ForeignKey(
        "payments.CampaignPage", on_delete=models.PROTECT, related_name="+", verbose_name=_("campaign")
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="pages", verbose_name=_("team")
    )
    title = models.CharField(_("title"), max_length=120)
    fundraiser_name = models.CharField(
        _("name shown on the page"),
        max_length=80,
        help_text=_("How you want to be named on your page. It may be a nickname."),
    )
    story = models.TextField(_("your story"), max_length=5000)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, editable=False)
    target_minor = MinorAmountField(_("target"), currency_attr="currency", max_minor=PAGE_TARGET_MAX_MINOR)
    ends_on = models.DateField(_("ends on"))
    sponsored = models.BooleanField(
        _("this is a sponsored challenge"),
        default=False,
        help_text=_("For example a run, a walk or a swim people sponsor you to do."),
    )
    photo = models.FileField(_("photo"), upload_to=photo_path, max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    staff_note = models.CharField(_("note from staff"), max_length=300, blank=True)
    # When the owner was last emailed about a review (approved, hidden): a review after it is
    # told once (emails.page_review_send), whatever the number of times the task runs.
    owner_told_at = models.DateTimeField(_("fundraiser emailed about the review"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("fundraising page")
        verbose_name_plural = _("fundraising pages")
        indexes = [models.Index(fields=["status", "campaign"]), models.Index(fields=["team", "status"])]
        constraints = [models.CheckConstraint(condition=Q(target_minor__gt=0), name="fundraising_target_positive")]

    def __str__(self):
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def target_display(self) -> str:
        return format_money(self.target_minor, self.currency)


def new_form_token() -> str:
    return random_code(16).replace("-", "")


class Gift(models.Model):
    """A gift through a fundraising page: started when the donor sends the form (an order in
    payments with the item reference `fundraising:<pk>`), received when payments records the
    donation (`payments.signals.donation_recorded`), refunded when it is refunded in full.
    The donor's email and address stay in payments; only how they chose to appear is here."""

    class Status(models.TextChoices):
        STARTED = "started", _("Waiting for payment")
        RECEIVED = "received", _("Received")
        REFUNDED = "refunded", _("Refunded")

    class Display(models.TextChoices):
        FULL_NAME = "full_name", _("My full name")
        FIRST_NAME = "first_name", _("My first name only")
        ANONYMOUS = "anonymous", _("Anonymous")

    class MessageStatus(models.TextChoices):
        NONE = "", _("No message")
        PENDING = "pending", _("Waiting for moderation")
        APPROVED = "approved", _("Shown")
        REJECTED = "rejected", _("Not shown")

    page = models.ForeignKey(FundraisingPage, on_delete=models.PROTECT, related_name="gifts", verbose_name=_("page"))
    form_token = models.CharField(max_length=32, unique=True, default=new_form_token, editable=False)
    order_reference = models.CharField(_("order reference"), max_length=16, blank=True, db_index=True)
    donation = models.OneToOneField(
        "payments.Donation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fundraising_gift",
        verbose_name=_("donation"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.STARTED)
    amount_minor = models.PositiveIntegerField(_("amount in minor units"))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    display = models.CharField(_("shown as"), max_length=12, choices=Display.choices, default=Display.ANONYMOUS)
    donor_name = models.CharField(_("donor's name"), max_length=80, blank=True)
    message = models.TextField(_("message"), max_length=500, blank=True)
    message_status = models.CharField(
        _("message"), max_length=10, choices=MessageStatus.choices, blank=True, default=MessageStatus.NONE
    )
    message_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("message reviewed by"),
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    fundraiser_told_at = models.DateTimeField(_("fundraiser emailed"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("gift through a fundraising page")
        verbose_name_plural = _("gifts through fundraising pages")
        indexes = [
            models.Index(fields=["page", "status"]),
            models.Index(fields=["message_status", "status"]),
        ]

    def __str__(self):
        return f"gift {self.pk}"

    @property
    def item_reference(self) -> str:
        return f"fundraising:{self.pk}"

    @property
    def shown_as(self) -> str:
        """What the public and the fundraiser see: the name, the first name, or "Anonymous"."""
        name = " ".join(self.donor_name.split())
        if self.display == self.Display.ANONYMOUS or not name:
            return str(_("Anonymous"))
        if self.display == self.Display.FIRST_NAME:
            return name.split(" ")[0]
        return name

    @property
    def amount_display(self) -> str:
        return format_money(self.amount_minor, self.currency)
