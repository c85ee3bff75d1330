from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class EmailUserManager(UserManager):
    """Creates users identified by email address; there are no usernames."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who can sign in. Email is the login.

    Names here are for staff accounts and the admin; what members show to others lives on
    the member profile (display name, certificate name), added by the members feature.
    """

    username = None
    email = models.EmailField(_("email address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = EmailUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or f"user {self.pk}"

    @cached_property
    def is_partner_contact(self) -> bool:
        """Whether this person refers survivors for a partner organisation (one query, once
        per request: the header asks it only of signed-in people)."""
        return PartnerContact.objects.filter(user=self).exists()


class Consent(models.TextChoices):
    SHOW_NAME_ON_VERIFICATION = "show_name_on_verification", _("Show my name when someone verifies my certificate")
    LIST_AS_ALUMNUS = "list_as_alumnus", _("List me as an alumnus of the network")
    PHOTOS = "photos", _("Photos of me may be used")


class ContactMethod(models.TextChoices):
    EMAIL = "email", _("Email to the address above")
    PHONE = "phone", _("Phone call")
    TEXT = "text", _("Text message")
    PARTNER = "partner", _("Through the organisation that supports me")


class MemberProfileQuerySet(models.QuerySet):
    def active(self):
        """Members who are members now: not erased, and their account not switched off (erasure
        does both; staff may switch an account off alone). The one active-member filter."""
        return self.filter(erased_at__isnull=True, user__is_active=True)


class MemberProfile(models.Model):
    """A member's layered identity and choices.

    display_name: what others see (a pseudonym is fine). certificate_name: what certificates
    print. legal_name: only where the law needs it (Gift Aid), shown to Finance only.
    access_needs: special-category data, shown to Membership staff and the member's trainers.
    """

    objects = MemberProfileQuerySet.as_manager()

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="member_profile", verbose_name=_("account")
    )
    display_name = models.CharField(
        _("display name"), max_length=80, help_text=_("A first name or a pseudonym is fine.")
    )
    certificate_name = models.CharField(
        _("name on certificates"), max_length=120, blank=True, help_text=_("Leave empty to use your display name.")
    )
    legal_name = models.CharField(
        _("legal name"),
        max_length=160,
        blank=True,
        help_text=_("Only needed for Gift Aid on donations. Only our finance team can see it."),
    )
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=40,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The emails, tickets and certificates we send you are in this language."),
    )
    chapter = models.ForeignKey(
        "cms.Chapter",
        verbose_name=_("chapter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    access_needs = models.TextField(
        _("access needs"),
        blank=True,
        help_text=_("Anything that helps you take part. Only the membership team and your trainers see this."),
    )
    access_needs_updated_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("access needs updated")
    )
    contact_method = models.CharField(
        _("how to contact you"), max_length=20, choices=ContactMethod.choices, default=ContactMethod.EMAIL
    )
    contact_details = models.CharField(
        _("safe contact details"),
        max_length=200,
        blank=True,
        help_text=_("A phone number or times that are safe, if not email."),
    )
    discreet_mode = models.BooleanField(
        _("discreet mode"),
        default=False,
        help_text=_(
            "Emails come from a plain sender with plain subjects, calendar entries have plain titles, "
            "and venues of sensitive events are never put in email."
        ),
    )
    consent_show_name_on_verification = models.BooleanField(
        default=False, editable=False, verbose_name=_("name shown when a certificate is checked")
    )
    consent_list_as_alumnus = models.BooleanField(default=False, editable=False, verbose_name=_("listed as an alumnus"))
    consent_photos = models.BooleanField(default=False, editable=False, verbose_name=_("photos allowed"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    erased_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("erased"))

    class Meta:
        verbose_name = _("member profile")
        # The members list pages through everyone by name (100,000 members: a sort of all of
        # them took 330 ms a page without it).
        indexes = [models.Index(fields=["display_name", "id"], name="accounts_member_name_idx")]

    def __str__(self):
        return f"member {self.pk}"

    @property
    def name_for_certificates(self) -> str:
        return self.certificate_name or self.display_name

    def has_consent(self, consent: "Consent") -> bool:
        return getattr(self, f"consent_{consent}")


class ConsentEvent(models.Model):
    """Every consent given or withdrawn, with its time. Never edited, never deleted with the
    consent: it is the record that the choice was the member's."""

    profile = models.ForeignKey(
        MemberProfile, on_delete=models.CASCADE, related_name="consent_events", verbose_name=_("member")
    )
    consent = models.CharField(max_length=40, choices=Consent.choices, verbose_name=_("consent"))
    given = models.BooleanField(verbose_name=_("given"))
    at = models.DateTimeField(auto_now_add=True, verbose_name=_("when"))

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.consent} {'given' if self.given else 'withdrawn'}"


class PartnerContact(models.Model):
    """A user who refers survivors on behalf of a partner organisation."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="partner_contact", verbose_name=_("account")
    )
    organisation = models.ForeignKey(
        "cms.PartnerOrganisation",
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("partner organisation"),
    )

    class Meta:
        verbose_name = _("partner contact")

    def __str__(self):
        return f"partner contact {self.pk}"


class Referral(models.Model):
    """A partner's invitation to a survivor. The partner sees only `status`."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")

    class Source(models.TextChoices):
        PARTNER = "partner", _("A partner organisation")
        PUBLIC = "public", _("Someone who supports them (public form)")

    source = models.CharField(_("referred through"), max_length=10, choices=Source.choices, default=Source.PARTNER)
    organisation = models.ForeignKey(
        "cms.PartnerOrganisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="referrals",
        verbose_name=_("partner organisation"),
        help_text=_("Empty for a referral through the public form."),
    )
    relationship = models.CharField(
        _("how the referrer knows them"),
        max_length=120,
        blank=True,
        help_text=_("Public form only, as the referrer typed it (for example 'support worker')."),
    )
    referred_by = models.ForeignKey(
        PartnerContact, null=True, on_delete=models.SET_NULL, related_name="referrals", verbose_name=_("referred by")
    )
    email = models.EmailField(_("survivor's email"), blank=True)
    note = models.TextField(_("note for the membership team"), blank=True)
    token_hash = models.CharField(
        max_length=64,
        unique=True,
        verbose_name=_("invitation token hash"),
        help_text=_("SHA-256 of the link's token; the token itself is never stored."),
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.INVITED, verbose_name=_("status"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    expires_at = models.DateTimeField(verbose_name=_("expires"))
    responded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("responded"))

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"referral {self.pk}"


class MembershipApplication(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for review")
        MORE_INFO = "more_info", _("More information requested")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="applications", verbose_name=_("account")
    )
    display_name = models.CharField(
        _("name to use"), max_length=80, help_text=_("A first name or a pseudonym is fine.")
    )
    email = models.EmailField(_("email"))
    # The interface language the person used when this was made (a guest has no account to hold
    # a preference): their emails and documents are made in it (core.i18n.language_of).
    language = models.CharField(_("language"), max_length=16, blank=True, choices=settings.LANGUAGES)
    contact_method = models.CharField(
        _("the safest way to contact you"), max_length=20, choices=ContactMethod.choices, default=ContactMethod.EMAIL
    )
    contact_details = models.CharField(
        _("safe contact details"),
        max_length=200,
        blank=True,
        help_text=_("A phone number, or times when it is safe to call. Leave empty for email."),
    )
    chapter = models.ForeignKey("cms.Chapter", verbose_name=_("chapter"), null=True, on_delete=models.SET_NULL)
    referral = models.OneToOneField(
        Referral,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="application",
        verbose_name=_("referral"),
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED, verbose_name=_("status"))
    staff_message = models.TextField(_("message to the applicant"), blank=True)
    applicant_reply = models.TextField(_("applicant's reply"), blank=True)
    token_hash = models.CharField(
        max_length=64,
        unique=True,
        verbose_name=_("status link token hash"),
        help_text=_("SHA-256 of the link's token; the token itself is never stored."),
    )
    submitted_at = models.DateTimeField(auto_now_add=True, verbose_name=_("submitted"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided"))
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("decided by")
    )

    class Meta:
        ordering = ["submitted_at"]

    def __str__(self):
        return f"application {self.pk}"


class ErasureRequest(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for confirmation")
        COMPLETED = "completed", _("Erased")
        CANCELLED = "cancelled", _("Cancelled")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="erasure_requests", verbose_name=_("account"))
    revoke_certificates = models.BooleanField(
        _("revoke my certificates"),
        default=False,
        help_text=_("If not ticked, your certificates stay valid but no longer show any name."),
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED, verbose_name=_("status"))
    requested_at = models.DateTimeField(auto_now_add=True, verbose_name=_("requested"))
    handled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("handled"))
    handled_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("handled by")
    )

    class Meta:
        ordering = ["requested_at"]

    def __str__(self):
        return f"erasure request {self.pk}"


class WelcomeLink(models.Model):
    """The one link a newly approved member gets: it sets their password and signs them in.
    Single use and time-limited; only the SHA-256 of its token is stored (accounts.tokens)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="welcome_links", verbose_name=_("account"))
    token_hash = models.CharField(
        max_length=64,
        unique=True,
        verbose_name=_("token hash"),
        help_text=_("SHA-256 of the link's token; the token itself is never stored."),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    expires_at = models.DateTimeField(verbose_name=_("expires"))
    used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("used"))

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"welcome link {self.pk}"


class CalendarFeed(models.Model):
    """A person's private calendar secret: one token serves every personal feed (My learning,
    My bookings; see accounts.calendar). The URLs hold the token; only its SHA-256 is kept.
    Replacing makes a new row (the old addresses answer 404); turning it off deletes the row.
    Moved from training (migration training 0005 renamed its table)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="calendar_feed", verbose_name=_("account"))
    token_hash = models.CharField(
        max_length=64,
        unique=True,
        verbose_name=_("token hash"),
        help_text=_("SHA-256 of the calendar addresses' token; the token itself is never stored."),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    def __str__(self):
        return f"calendar feed {self.pk}"
