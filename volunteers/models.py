"""Volunteering: roles, volunteers (their application, the roles staff approved them for and the
check staff recorded), shifts with a number of places, sign-ups and the hours given.

Who sees what (checked in the views, not only in menus):
- the public: the roles (name, what it involves, the check it needs);
- a volunteer: their own application, the shifts of the roles they are approved for, their own
  sign-ups, hours and certificates; on a shift, the others signed up only as each chose to be
  shown (`Volunteer.shown_name`: nobody's name by default);
- Membership staff (safeguarding, as for members): applications, approvals, checks, roles;
- Event staff and Membership: shifts, who is signed up (real names: they run the day) and
  attendance.
A check is recorded as a level, a status and a date only: never the certificate, never its number.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CheckLevel(models.TextChoices):
    NONE = "none", _("No check needed")
    DBS_BASIC = "dbs_basic", _("DBS basic check")
    DBS_ENHANCED = "dbs_enhanced", _("DBS enhanced check (roles with vulnerable adults)")


CHECK_RANK = {CheckLevel.NONE: 0, CheckLevel.DBS_BASIC: 1, CheckLevel.DBS_ENHANCED: 2}


class CheckStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    CLEAR = "clear", _("Done: clear")
    NOT_CLEAR = "not_clear", _("Done: not clear")


class Role(models.Model):
    """What a volunteer may do (event steward, peer mentor, driver, admin help)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    involves = models.TextField(_("what it involves"), help_text=_("Shown on the public “Volunteer with us” page."))
    check_needed = models.CharField(
        _("check needed"),
        max_length=20,
        choices=CheckLevel.choices,
        default=CheckLevel.NONE,
        help_text=_("Roles with vulnerable adults need an enhanced DBS check."),
    )
    open_for_applications = models.BooleanField(_("open for applications"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("volunteer role")
        verbose_name_plural = _("volunteer roles")

    def __str__(self):
        return self.name


class NameShown(models.TextChoices):
    HIDDEN = "hidden", _("Not shown: other volunteers see “a volunteer”")
    FIRST_NAME = "first_name", _("My first name")
    CHOSEN = "chosen", _("A name I choose")


class Volunteer(models.Model):
    """One account's application to volunteer, and once approved, the volunteer."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer", verbose_name=_("account")
    )
    name = models.CharField(
        _("your name"), max_length=120, help_text=_("Staff use it, and it is printed on your certificate of hours.")
    )
    name_shown = models.CharField(
        _("how other volunteers see you"), max_length=20, choices=NameShown.choices, default=NameShown.HIDDEN
    )
    chosen_name = models.CharField(_("the name to show"), max_length=60, blank=True)
    phone = models.CharField(_("phone number for the day of a shift"), max_length=40, blank=True)
    about = models.TextField(_("why you would like to volunteer"), blank=True)
    availability = models.TextField(_("when you are usually free"), blank=True)
    roles = models.ManyToManyField(Role, through="RoleApproval", related_name="+", verbose_name=_("roles"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.APPLIED)
    language = models.CharField(_("language"), max_length=16, blank=True)
    check_level = models.CharField(_("check done"), max_length=20, choices=CheckLevel.choices, default=CheckLevel.NONE)
    check_status = models.CharField(
        _("check status"), max_length=20, choices=CheckStatus.choices, default=CheckStatus.NOT_STARTED
    )
    check_date = models.DateField(_("check date"), null=True, blank=True)
    check_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("check recorded by"),
    )
    applied_at = models.DateTimeField(_("applied"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")

    def __str__(self):
        return f"volunteer {self.pk}"

    @property
    def shown_name(self) -> str:
        """What other volunteers see: only what the volunteer chose, else nothing ("" means
        "a volunteer")."""
        if self.name_shown == NameShown.FIRST_NAME and self.name.strip():
            return self.name.split()[0]
        if self.name_shown == NameShown.CHOSEN:
            return self.chosen_name.strip()
        return ""

    def check_covers(self, level: str) -> bool:
        """Is this volunteer's recorded check enough for a role needing `level`?"""
        if level == CheckLevel.NONE:
            return True
        return self.check_status == CheckStatus.CLEAR and CHECK_RANK[self.check_level] >= CHECK_RANK[level]


class RoleApproval(models.Model):
    """A role a volunteer asked for, and staff's answer for it."""

    class Status(models.TextChoices):
        ASKED = "asked", _("Asked for")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Not approved")

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("volunteer")
    )
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="approvals", verbose_name=_("role"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ASKED)

    class Meta:
        verbose_name = _("role of a volunteer")
        verbose_name_plural = _("roles of volunteers")
        constraints = [models.UniqueConstraint(fields=["volunteer", "role"], name="volunteers_one_approval_per_role")]

    def __str__(self):
        return f"{self.volunteer} / {self.role}"


class Shift(models.Model):
    """A stretch of time in one role, at an event or on its own date, with a number of places."""

    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="shifts", verbose_name=_("role"))
    event = models.ForeignKey(
        "events.EventPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("event"),
        help_text=_("Leave empty for a shift that is not part of an event."),
    )
    title = models.CharField(
        _("title"),
        max_length=140,
        blank=True,
        help_text=_("For example “Door and welcome”. Leave empty to use the role."),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/London")
    place = models.CharField(_("place"), max_length=200, help_text=_("Where volunteers go on the day."))
    places = models.PositiveIntegerField(
        _("number of places"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    notes = models.TextField(_("notes for volunteers"), blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)  # iCalendar SEQUENCE: grows on change
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="volunteers_shift_ends_after_start"
            )
        ]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self) -> str:
        return self.title or self.role.name

    @property
    def length_hours(self) -> Decimal:
        seconds = (self.ends_at - self.starts_at).total_seconds()
        return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.1"))


class SignUp(models.Model):
    """A volunteer's place on a shift; staff mark it attended with the hours given."""

    class Status(models.TextChoices):
        SIGNED_UP = "signed_up", _("Signed up")
        CANCELLED = "cancelled", _("Cancelled")

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="sign_ups", verbose_name=_("shift"))
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="sign_ups", verbose_name=_("volunteer")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SIGNED_UP)
    created_at = models.DateTimeField(_("signed up"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), default=False)
    hours = models.DecimalField(
        _("hours given"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("24"))],
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("marked by"),
    )
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("shift sign-up")
        verbose_name_plural = _("shift sign-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "volunteer"],
                condition=Q(status="signed_up"),
                name="volunteers_one_live_sign_up_per_shift",
            )
        ]

    def __str__(self):
        return f"sign-up {self.pk}"


class HoursCertificate(models.Model):
    """The source of a certificate of volunteering hours: the hours a volunteer had given when
    they asked for it. Asking again with the same hours finds the same certificate; more hours
    since make a new one."""

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="hours_certificates", verbose_name=_("volunteer")
    )
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=1)
    created_at = models.DateTimeField(_("asked for"), auto_now_add=True)

    class Meta:
        verbose_name = _("certificate of hours")
        verbose_name_plural = _("certificates of hours")
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "hours"], name="volunteers_one_certificate_per_total")
        ]

    def __str__(self):
        return f"hours certificate {self.pk}"
