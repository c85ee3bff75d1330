"""Survivor voices: organisations ask for survivor expertise, staff publish an opportunity to the
members eligible for it, members say they are interested and how they want to appear, staff
choose (fewest recent engagements first), the member confirms, both get a brief, and the
member is paid (or thanked the way they chose) with their expenses.

Who sees what (checked in the views, not only in menus):
- the organisation: its request, the opportunity's state, and for each confirmed engagement
  only what the member chose to show (`Engagement.shown_as`); never who else was interested;
- members: opportunities they are eligible for (`selectors.opportunities_for`), their own
  interest, engagements, expenses and tax-year total;
- Membership staff (brokering and safeguarding): requests, opportunities, interest, feedback;
- Finance: fees, expenses, receipts, the reason a member chose not to be paid, the export.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.money_fields import MinorAmountField


class Kind(models.TextChoices):
    TALK = "talk", _("Talk")
    PANEL = "panel", _("Panel")
    CONSULTATION = "consultation", _("Consultation")
    CO_DELIVERY = "co_delivery", _("Co-delivering training")
    RESEARCH = "research", _("Research interview")
    MEDIA = "media", _("Media")


class FeeUnit(models.TextChoices):
    HOUR = "hour", _("per hour")
    HALF_DAY = "half_day", _("per half day (up to 4 hours)")


HALF_DAY_HOURS = 4


class FeePolicy(models.Model):
    """The least the network accepts for one survivor's time, per chapter, in the chapter's
    currency. A request offering less is refused with the policy shown."""

    chapter = models.OneToOneField(
        "cms.Chapter", on_delete=models.CASCADE, related_name="fee_policy", verbose_name=_("chapter")
    )
    unit = models.CharField(_("charged"), max_length=10, choices=FeeUnit.choices, default=FeeUnit.HOUR)
    minimum_minor = MinorAmountField(
        _("minimum fee"),
        currency_attr="currency",
        help_text=_("The least a survivor is paid for each hour or half day, in the chapter's currency."),
    )
    note = models.TextField(
        _("note shown to organisations"), blank=True, help_text=_("For example what the fee covers.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("minimum fee policy")
        verbose_name_plural = _("minimum fee policies")

    def __str__(self):
        return str(self.chapter)

    @property
    def currency(self) -> str | None:
        return self.chapter.currency if self.chapter_id else None

    def minimum_for(self, hours) -> int:
        """The least fee for an engagement of `hours` (a Decimal): whole hours or half days, rounded up."""
        from math import ceil  # noqa: PLC0415

        units = ceil(float(hours)) if self.unit == FeeUnit.HOUR else ceil(float(hours) / HALF_DAY_HOURS)
        return max(units, 1) * self.minimum_minor


class FlaggedOrganisation(models.Model):
    """An organisation staff have flagged: it can submit no new request. Matched by partner
    organisation, or by the contact's email address for organisations that used the public form."""

    partner = models.OneToOneField(
        "cms.PartnerOrganisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("partner organisation"),
    )
    email = models.EmailField(_("contact email"), blank=True)
    reason = models.TextField(_("reason (staff only)"), blank=True)
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("flagged by")
    )
    flagged_at = models.DateTimeField(_("flagged"), auto_now_add=True)

    class Meta:
        verbose_name = _("flagged organisation")
        verbose_name_plural = _("flagged organisations")
        constraints = [
            models.CheckConstraint(condition=Q(partner__isnull=False) | ~Q(email=""), name="voices_flag_names_someone")
        ]

    def __str__(self):
        return self.email or str(self.partner)


class VoiceRequest(models.Model):
    """An organisation's request for survivor expertise. Written by the public form or a partner
    contact; staff publish it as an opportunity, or decline it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        PUBLISHED = "published", _("Published to members")
        FILLED = "filled", _("Confirmed")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    class Format(models.TextChoices):
        ONLINE = "online", _("Online")
        IN_PERSON = "in_person", _("In person")

    class OrganisationPayment(models.TextChoices):
        DUE = "due", _("Not yet paid")
        INVOICED = "invoiced", _("Invoiced")
        PAID = "paid", _("Paid by card")

    chapter = models.ForeignKey("cms.Chapter", on_delete=models.PROTECT, related_name="+", verbose_name=_("chapter"))
    partner = models.ForeignKey(
        "cms.PartnerOrganisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("partner organisation"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    organisation_name = models.CharField(_("organisation"), max_length=200)
    contact_name = models.CharField(_("contact name"), max_length=120)
    contact_email = models.EmailField(_("contact email"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    topic = models.CharField(_("topic"), max_length=200)
    description = models.TextField(_("what you are asking for"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(_("time zone"), max_length=64)
    format = models.CharField(_("online or in person"), max_length=10, choices=Format.choices)
    venue = models.TextField(_("venue"), blank=True)
    access = models.TextField(_("access"), blank=True, help_text=_("Step-free access, hearing loop, quiet room…"))
    audience_size = models.PositiveIntegerField(_("audience size"), validators=[MaxValueValidator(1_000_000)])
    recorded = models.BooleanField(_("recorded"), default=False)
    public = models.BooleanField(_("open to the public"), default=False)
    anonymity = models.TextField(
        _("how anonymity is protected"),
        blank=True,
        help_text=_("Required for media and recorded requests."),
    )
    hours = models.DecimalField(
        _("hours of the survivor's time"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0.5), MaxValueValidator(200)],
    )
    places = models.PositiveSmallIntegerField(
        _("survivors wanted"), default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    currency = models.CharField(_("currency"), max_length=3)
    fee_offered_minor = MinorAmountField(
        _("fee offered to each survivor"), currency_attr="currency", help_text=_("For the whole engagement.")
    )
    expenses_covered = models.BooleanField(_("expenses covered"), default=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    organisation_payment = models.CharField(
        _("organisation's payment"),
        max_length=10,
        choices=OrganisationPayment.choices,
        default=OrganisationPayment.DUE,
    )
    order_id = models.BigIntegerField(_("order"), null=True, blank=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False, verbose_name=_("status link"))
    language = models.CharField(_("language"), max_length=16, blank=True, choices=settings.LANGUAGES)
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("request for survivor expertise")
        verbose_name_plural = _("requests for survivor expertise")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="voices_request_ends_after")
        ]

    def __str__(self):
        return self.topic

    @property
    def needs_anonymity_statement(self) -> bool:
        return self.kind == Kind.MEDIA or self.recorded


class Opportunity(models.Model):
    """A request published to eligible members only (never public). Eligibility: every condition
    set must hold (a completed course, a certificate of a template, membership of a chapter)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open for interest")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    request = models.OneToOneField(
        VoiceRequest, on_delete=models.CASCADE, related_name="opportunity", verbose_name=_("request")
    )
    title = models.CharField(_("title shown to members"), max_length=200)
    summary = models.TextField(_("what members read"))
    will_be_asked = models.TextField(_("what will be asked"), blank=True)
    will_not_be_asked = models.TextField(
        _("what will not be asked"), blank=True, help_text=_("For example: no questions about your own story.")
    )
    ask_for = models.CharField(
        _("who to ask for on the day"), max_length=200, blank=True, help_text=_("A first name or a role.")
    )
    staff_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("staff contact"),
        help_text=_("Named on every engagement and its brief: who the member calls if anything goes wrong."),
    )
    eligible_course = models.ForeignKey(
        "training.CoursePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("completed the course"),
    )
    eligible_certificate_template = models.ForeignKey(
        "certificates.CertificateTemplate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("holds a certificate of"),
    )
    eligible_chapter = models.ForeignKey(
        "cms.Chapter",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("in the chapter"),
    )
    closes_at = models.DateTimeField(_("interest closes"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("published by")
    )
    published_at = models.DateTimeField(_("published"), auto_now_add=True)

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-published_at", "-pk"]

    def __str__(self):
        return self.title

    @property
    def is_consultation(self) -> bool:
        return self.request.kind == Kind.CONSULTATION


class Appearance(models.TextChoices):
    DISPLAY_NAME = "display_name", _("My display name")
    PSEUDONYM = "pseudonym", _("A pseudonym")
    ANONYMOUS = "anonymous", _("Anonymous")


class Interest(models.Model):
    """A member saying they would like to take an opportunity, and how they want to appear."""

    class Status(models.TextChoices):
        INTERESTED = "interested", _("Interested")
        CHOSEN = "chosen", _("Chosen")
        NOT_CHOSEN = "not_chosen", _("Not chosen this time")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="interests", verbose_name=_("opportunity")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="voice_interests", verbose_name=_("member")
    )
    availability = models.TextField(_("availability"), blank=True)
    appearance = models.CharField(
        _("how I want to appear"), max_length=20, choices=Appearance.choices, default=Appearance.ANONYMOUS
    )
    pseudonym = models.CharField(_("pseudonym"), max_length=80, blank=True)
    no_photos = models.BooleanField(_("no photos"), default=True)
    no_recording = models.BooleanField(_("no recording"), default=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.INTERESTED)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("interest")
        verbose_name_plural = _("interest")
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["opportunity", "member"], name="voices_one_interest_per_member")]

    def __str__(self):
        return f"interest {self.pk}"


class ThanksChoice(models.TextChoices):
    PAYMENT = "payment", _("Payment to my bank account")
    VOUCHER = "voucher", _("A voucher")
    NOTHING = "nothing", _("Nothing, thank you")


class ThanksPreference(models.Model):
    """How a member wants to be thanked. Never paid without this choice. The reason (some members
    may not take payment: people seeking asylum, payments that would affect their support) is
    private to Finance."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="voice_thanks", verbose_name=_("member")
    )
    choice = models.CharField(_("how I am thanked"), max_length=10, choices=ThanksChoice.choices)
    reason = models.TextField(_("reason (seen by Finance only)"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("thanks preference")
        verbose_name_plural = _("thanks preferences")

    def __str__(self):
        return f"thanks {self.pk}"


class Engagement(models.Model):
    """One member taking one opportunity. Offered when staff choose the member; confirmed by the
    member (only then does the organisation see what the member chose to show, and both get the
    brief); the member may withdraw at any time without a reason."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered, waiting for the member")
        CONFIRMED = "confirmed", _("Confirmed")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        CANCELLED = "cancelled", _("Cancelled")

    class Payment(models.TextChoices):
        NOT_DUE = "not_due", _("Not yet due")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid")
        NOT_PAID = "not_paid", _("Not paid (member's choice)")

    # The states that count as having done an engagement (growing new voices).
    COUNTED = (Status.CONFIRMED, Status.COMPLETED)

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.PROTECT, related_name="engagements", verbose_name=_("opportunity")
    )
    interest = models.OneToOneField(
        Interest, on_delete=models.PROTECT, related_name="engagement", verbose_name=_("interest")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="voice_engagements", verbose_name=_("member")
    )
    staff_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff contact")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OFFERED)
    shown_as = models.CharField(
        _("shown to the organisation as"),
        max_length=120,
        blank=True,
        help_text=_("Set when the member confirms, from their choice; the organisation sees nothing else."),
    )
    starts_at = models.DateTimeField(_("starts"))
    currency = models.CharField(_("currency"), max_length=3)
    fee_minor = MinorAmountField(_("fee agreed"), currency_attr="currency")
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    thanks = models.CharField(_("thanked by"), max_length=10, choices=ThanksChoice.choices, blank=True)
    payment = models.CharField(_("payment"), max_length=10, choices=Payment.choices, default=Payment.NOT_DUE)
    payment_reference = models.CharField(_("payment reference"), max_length=80, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    offered_at = models.DateTimeField(_("offered"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    feedback = models.TextField(_("how it went (staff only)"), blank=True)
    feedback_at = models.DateTimeField(_("feedback given"), null=True, blank=True)

    class Meta:
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["member", "status", "starts_at"], name="voices_eng_member_recent")]

    def __str__(self):
        return f"engagement {self.pk}"


def receipt_path(instance, filename):
    # No member name and no original filename in the stored name: the id and a random part.
    from uuid import uuid4  # noqa: PLC0415

    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"private/voices/receipts/{instance.engagement_id}/{uuid4().hex}.{extension}"


class ExpenseClaim(models.Model):
    """An expense the member paid for an engagement, with its receipt (an image or PDF, stored
    privately: served only through a view that checks the member or Finance)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Not approved")
        PAID = "paid", _("Paid")

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="expenses", verbose_name=_("engagement")
    )
    description = models.CharField(_("what it was for"), max_length=200)
    amount_minor = MinorAmountField(_("amount"), currency_attr="currency")
    currency = models.CharField(_("currency"), max_length=3)
    receipt = models.FileField(_("receipt"), upload_to=receipt_path, max_length=200)
    receipt_type = models.CharField(_("receipt type"), max_length=40, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        verbose_name = _("expense claim")
        verbose_name_plural = _("expense claims")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.description


class ConsultationQuestion(models.Model):
    """One question of a consultation's short questionnaire."""

    class QuestionKind(models.TextChoices):
        CHOICE = "choice", _("One choice from a list")
        SCALE = "scale", _("A scale from 1 to 5")
        YES_NO = "yes_no", _("Yes or no")
        TEXT = "text", _("Free text")

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="questions", verbose_name=_("opportunity")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind of question"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    choices = models.TextField(_("choices"), blank=True, help_text=_("One per line, for a choice question."))

    class Meta:
        verbose_name = _("consultation question")
        verbose_name_plural = _("consultation questions")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class ConsultationAnswer(models.Model):
    """A participant's answer. The organisation sees only aggregates, and the text of answers
    whose author allowed quoting, never who said what (no link to the member is shown)."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="answers", verbose_name=_("engagement")
    )
    question = models.ForeignKey(
        ConsultationQuestion, on_delete=models.CASCADE, related_name="answers", verbose_name=_("question")
    )
    value = models.TextField(_("answer"))
    may_quote = models.BooleanField(_("may be quoted without my name"), default=False)
    created_at = models.DateTimeField(_("answered"), auto_now_add=True)

    class Meta:
        verbose_name = _("consultation answer")
        verbose_name_plural = _("consultation answers")
        constraints = [
            models.UniqueConstraint(fields=["engagement", "question"], name="voices_one_answer_per_question")
        ]

    def __str__(self):
        return f"answer {self.pk}"
