"""Runs of courses and what happens in them: cohorts, live sessions, enrolments, progress,
attendance. Status fields change only through training.services."""

import uuid

from django import forms
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet

from core.text import clean_fields_of
from payments.models import SponsoredPlacesCount
from training.admin_forms import CohortForm


@register_snippet
class Cohort(ClusterableModel):
    """One run of a course: its dates, trainers, places and live sessions."""

    purges_page_cache = True  # course pages and the home page list cohort dates

    course = models.ForeignKey(
        "training.CoursePage", on_delete=models.CASCADE, related_name="cohorts", verbose_name=_("course")
    )
    name = models.CharField(_("name"), max_length=120, help_text=_("For example 'Spring 2027, evenings'."))
    chapter = models.ForeignKey(
        "cms.Chapter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("chapter")
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/London")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    capacity = models.PositiveIntegerField(_("places"), default=12)
    enrolment_closes_at = models.DateTimeField(_("enrolment closes"), null=True, blank=True)
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="training_cohorts", verbose_name=_("trainers")
    )

    panels = [
        FieldPanel("course"),
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("chapter"), FieldPanel("time_zone")]),
        FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
        FieldRowPanel([FieldPanel("capacity"), FieldPanel("enrolment_closes_at")]),
        FieldPanel("trainers", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel([InlinePanel("sessions", label=_("Live session"))], heading=_("Live sessions")),
    ]

    base_form_class = CohortForm

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _("cohort")

    def __str__(self):
        return f"{self.course.title}: {self.name}"


class LiveSession(models.Model):
    cohort = ParentalKey(Cohort, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("cohort"))
    title = models.CharField(_("title"), max_length=160)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    online_url = models.URLField(_("online link"), blank=True, help_text=_("Shown only to enrolled learners."))
    venue = models.TextField(_("venue"), blank=True, help_text=_("Shown only to enrolled learners."))
    sensitive = models.BooleanField(
        _("sensitive"), default=False, help_text=_("Never put the venue in emails or calendar entries.")
    )
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name=_("calendar ID"))
    sequence = models.PositiveIntegerField(default=0, editable=False, verbose_name=_("calendar revision"))

    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
        FieldPanel("online_url"),
        FieldPanel("venue"),
        FieldPanel("sensitive"),
    ]

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        # The title and venue travel on to calendar entries.
        clean_fields_of(self, one_line_fields=["title"], multiline_fields=["venue"])

    def save(self, *args, **kwargs):
        # Calendar clients replace an entry only when SEQUENCE grows (RFC 5545 3.8.7.4).
        if self.pk:
            self.sequence += 1
        super().save(*args, **kwargs)


class Enrolment(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        ENROLLED = "enrolled", _("Enrolled")
        WAITLISTED = "waitlisted", _("On the waiting list")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DECLINED = "declined", _("Not accepted")

    ACTIVE = (Status.APPLIED, Status.ENROLLED, Status.WAITLISTED, Status.COMPLETED)
    # Holding a place in the cohort: counted against its capacity, sees its sessions.
    PLACE_TAKING = (Status.ENROLLED, Status.COMPLETED)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("learner")
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("cohort"))
    status = models.CharField(max_length=20, choices=Status.choices, verbose_name=_("status"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    enrolled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("enrolled"))
    completed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("completed"))
    completion_note = models.TextField(
        blank=True, help_text=_("Why a trainer signed off completion by hand."), verbose_name=_("completion note")
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("signed off by"),
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "cohort"],
                condition=Q(status__in=["applied", "enrolled", "waitlisted", "completed"]),
                name="one_active_enrolment_per_cohort",
            )
        ]

    def __str__(self):
        return f"enrolment {self.pk}"


class ModuleProgress(models.Model):
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="progress", verbose_name=_("enrolment")
    )
    module = models.ForeignKey(
        "training.ModulePage", on_delete=models.CASCADE, related_name="+", verbose_name=_("module")
    )
    completed_at = models.DateTimeField(auto_now_add=True, verbose_name=_("completed"))
    quiz_score = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        verbose_name=_("quiz score (%)"),
        help_text=_("Share of the module's quiz answered right; empty when it has no quiz."),
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "module"], name="one_progress_per_module")]

    def __str__(self):
        return f"progress {self.pk}"


class SessionAttendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    session = models.ForeignKey(
        LiveSession, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("session")
    )
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("enrolment")
    )
    status = models.CharField(max_length=10, choices=Status.choices, verbose_name=_("attendance"))
    self_checked_in = models.BooleanField(default=False, verbose_name=_("checked in with the session code"))
    trainer_note = models.TextField(
        blank=True, help_text=_("Staff only. Never shown to the learner."), verbose_name=_("trainer's note")
    )
    marked_at = models.DateTimeField(auto_now=True, verbose_name=_("marked"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("marked by"),
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"], name="one_mark_per_session")]

    def __str__(self):
        return f"attendance {self.pk}"


class CourseSponsoredPlaces(SponsoredPlacesCount):
    """Places on a course for survivors, paid for by donors' gifts earmarked for it (counted
    by payments from succeeded, unrefunded gifts: the course price, or 25.00, per place).
    Set only by `training.services.course_sponsored_places_set`. The course team allocates
    them to cohorts (enrolment on a course is free for members, so a place is paid for, not
    reserved)."""

    course = models.OneToOneField(
        "training.CoursePage", on_delete=models.CASCADE, related_name="sponsored_places", verbose_name=_("course")
    )
    purges_page_cache = True  # the course page shows the count

    class Meta(SponsoredPlacesCount.Meta):
        pass

    def __str__(self):
        return f"{self.places} sponsored places for course {self.course_id}"
