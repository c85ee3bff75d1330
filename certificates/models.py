"""Certificate templates (edited in Wagtail), certificates and bulk issuing jobs."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.snippets.models import register_snippet

from certificates.placeholders import placeholder_problems
from core.codes import CROCKFORD, random_code

CODE_ALPHABET = CROCKFORD
CODE_SYMBOLS = 16  # 16 x 5 bits = 80 bits, shown as XXXX-XXXX-XXXX-XXXX


def new_certificate_code() -> str:
    return random_code(CODE_SYMBOLS)


@register_snippet
class CertificateTemplate(ClusterableModel):
    class Orientation(models.TextChoices):
        LANDSCAPE = "landscape", _("Landscape")
        PORTRAIT = "portrait", _("Portrait")

    name = models.CharField(_("name"), max_length=120, unique=True, help_text=_("For staff, e.g. 'Course completion'."))
    title = models.CharField(_("title"), max_length=120, default="Certificate of completion")
    body = models.TextField(
        _("text"),
        default="This is to certify that {name} completed {course} on {date} ({hours} hours).",
        help_text=_("Placeholders: {name}, {course}, {date}, {hours}. Plain text; no HTML."),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("logo"),
    )
    accent_colour = models.CharField(_("accent colour"), max_length=7, default="#5b2a86")
    orientation = models.CharField(
        max_length=10, choices=Orientation.choices, default=Orientation.LANDSCAPE, verbose_name=_("orientation")
    )
    language = models.CharField(_("language"), max_length=10, default="en-GB")
    is_default = models.BooleanField(_("use for course completions"), default=False)

    panels = [
        FieldPanel("name"),
        FieldPanel("title"),
        FieldPanel("body"),
        FieldPanel("logo"),
        FieldRowPanel([FieldPanel("accent_colour"), FieldPanel("orientation"), FieldPanel("language")]),
        FieldPanel("is_default"),
        InlinePanel("signatories", label=_("Signatory"), max_num=3),
    ]

    class Meta:
        verbose_name = _("certificate template")

    def __str__(self):
        return self.name

    def clean(self):
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", self.accent_colour or ""):
            raise ValidationError({"accent_colour": _("Use a colour like #5b2a86.")})
        if problems := placeholder_problems(self.body or ""):
            raise ValidationError({"body": problems})


class Signatory(models.Model):
    template = ParentalKey(
        CertificateTemplate, on_delete=models.CASCADE, related_name="signatories", verbose_name=_("template")
    )
    name = models.CharField(_("name"), max_length=120)
    role = models.CharField(_("role"), max_length=120)
    signature = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("signature image"),
    )
    sort_order = models.IntegerField(default=0, editable=False, verbose_name=_("order"))

    panels = [FieldPanel("name"), FieldPanel("role"), FieldPanel("signature")]

    class Meta:
        ordering = ["sort_order"]

    def __str__(self):
        return self.name


class CertificateQuerySet(models.QuerySet):
    def live(self):
        """Neither revoked nor replaced: at most one per recipient and source (a constraint)."""
        return self.filter(revoked_at__isnull=True, replaced_by__isnull=True)


class Certificate(models.Model):
    class Kind(models.TextChoices):
        COURSE = "course", _("Course completion")
        EVENT = "event", _("Event attendance")
        VOLUNTEERING = "volunteer", _("Volunteering hours")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("recipient")
    )
    source_key = models.CharField(
        max_length=80, help_text=_("What it is for, e.g. training.enrolment:12."), verbose_name=_("source")
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    title = models.CharField(max_length=200, verbose_name=_("title"))
    awarded_on = models.DateField(verbose_name=_("awarded on"))
    hours = models.DecimalField(max_digits=5, decimal_places=1, default=0, verbose_name=_("hours of learning"))
    template = models.ForeignKey(
        CertificateTemplate, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("template")
    )
    name_printed = models.CharField(
        max_length=160,
        verbose_name=_("name printed"),
        help_text=_("The holder's name as printed; empty once the holder has been erased."),
    )
    code = models.CharField(
        max_length=24,
        unique=True,
        default=new_certificate_code,
        verbose_name=_("verification code"),
        help_text=_("Anyone can check the certificate with this code."),
    )
    issued_at = models.DateTimeField(auto_now_add=True, verbose_name=_("issued"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked"))
    revoked_reason = models.CharField(max_length=300, blank=True, verbose_name=_("reason for revoking"))
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    replaced_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces", verbose_name=_("replaced by")
    )
    pdf = models.FileField(upload_to="certificates/", blank=True, verbose_name=_("PDF"))
    pdf_rendered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("PDF made"))
    # Set when the holder's email is claimed for sending (given back if sending fails), so the
    # email goes once however often the render task runs (a worker lost mid-task, a retry).
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("emailed"))

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "source_key"],
                condition=Q(revoked_at__isnull=True, replaced_by__isnull=True),
                name="one_live_certificate_per_source",
            )
        ]

    def __str__(self):
        return f"certificate {self.code}"

    @property
    def state(self) -> str:
        if self.replaced_by_id:
            return "replaced"
        if self.revoked_at:
            return "revoked"
        return "valid"


class BulkIssueJob(models.Model):
    """Issuing certificates to everyone who qualifies in a cohort. The task records progress
    here; running it again issues nothing twice."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Issuing")
        DONE = "done", _("Done")

    source_label = models.CharField(max_length=200, verbose_name=_("source"))
    source_key = models.CharField(max_length=80, help_text=_("e.g. training.cohort:3"), verbose_name=_("source key"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, verbose_name=_("status"))
    total = models.PositiveIntegerField(default=0, verbose_name=_("certificates to issue"))
    done = models.PositiveIntegerField(default=0, verbose_name=_("certificates issued"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("started"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("started by")
    )
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished"))

    def __str__(self):
        return f"bulk issue {self.pk}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)
