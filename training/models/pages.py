"""Course pages staff publish in Wagtail. Content, panels and routes only: no state changes."""

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from content_translation.pages import LocalizedUrlMixin
from core.money_fields import MinorAmountField
from core.text import clean_fields_of
from training.blocks import ModuleStreamBlock


class CourseFormat(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")
    BLENDED = "blended", _("Blended")


class EnrolmentMode(models.TextChoices):
    OPEN = "open", _("Open: anyone who is a member can enrol")
    APPLICATION = "application", _("By application: staff approve each learner")
    INVITATION = "invitation", _("By invitation: staff enrol learners")


class CourseIndexPage(LocalizedUrlMixin, Page):
    intro = RichTextField(blank=True, features=["bold", "italic", "link"], verbose_name=_("introduction"))
    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["training.CoursePage"]
    max_count = 1
    COURSES_PER_PAGE = 12

    class Meta:
        verbose_name = _("course index page")

    def get_context(self, request, *args, **kwargs):
        from training.selectors import course_listing  # selectors import these models: a cycle at load

        context = super().get_context(request, *args, **kwargs)
        context.update(course_listing(index=self, params=request.GET))
        return context


class CoursePage(LocalizedUrlMixin, Page):
    summary = models.TextField(_("summary"), help_text=_("Two or three sentences shown in listings."))
    outcomes = RichTextField(_("what you will learn"), blank=True, features=["bold", "italic", "ul", "ol", "link"])
    audience = RichTextField(_("who it is for"), blank=True, features=["bold", "italic", "ul", "ol", "link"])
    format = models.CharField(_("format"), max_length=20, choices=CourseFormat.choices, default=CourseFormat.ONLINE)
    chapter = models.ForeignKey(
        "cms.Chapter",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("chapter"),
        help_text=_("The chapter that runs the course; its currency prices it."),
    )
    trainers_description = models.CharField(
        _("trainers"),
        max_length=200,
        blank=True,
        help_text=_("Describe the trainers without naming anyone who has not agreed, e.g. 'Two survivor leaders'."),
    )
    prerequisites = ParentalManyToManyField(
        "training.CoursePage", blank=True, related_name="required_by", verbose_name=_("prerequisites")
    )
    enrolment_mode = models.CharField(
        _("enrolment"), max_length=20, choices=EnrolmentMode.choices, default=EnrolmentMode.OPEN
    )
    price_minor = MinorAmountField(_("price"), default=0, currency_attr="chapter_currency", help_text=_("0 for free."))
    funded_places = models.CharField(
        _("funded places"), max_length=200, blank=True, help_text=_("For example: 'Free for survivor members'.")
    )
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("minimum attendance (%)"),
        default=75,
        help_text=_("Share of live sessions (present or late; excused ones do not count against) needed to complete."),
    )
    hours = models.DecimalField(_("hours of learning"), max_digits=5, decimal_places=1, default=0)
    # Co-hosts of the course (issue 19), as an event's: every run of the course is co-hosted by
    # them, shown on the course page ("Hosted with") and on their partner home.
    partners = ParentalManyToManyField(
        "cms.PartnerOrganisation", blank=True, related_name="+", verbose_name=_("co-hosts")
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("outcomes"),
        FieldPanel("audience"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("format"), FieldPanel("chapter")]),
                FieldPanel("trainers_description"),
                FieldPanel("partners"),
            ],
            heading=_("Format"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("enrolment_mode"),
                FieldPanel("prerequisites"),
                FieldRowPanel([FieldPanel("price_minor"), FieldPanel("funded_places")]),
            ],
            heading=_("Enrolment"),
        ),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("min_attendance_percent"), FieldPanel("hours")])],
            heading=_("Completion"),
            help_text=_("Required modules are marked on each module."),
        ),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("outcomes")]

    @property
    def chapter_currency(self) -> str | None:
        """The currency of its price: its chapter's, or None while it has no chapter."""
        return self.chapter.currency if self.chapter_id and self.chapter else None

    parent_page_types = ["training.CourseIndexPage"]
    subpage_types = ["training.ModulePage"]

    class Meta:
        verbose_name = _("course page")

    def clean(self):
        super().clean()
        # The title travels on to calendar entries and email subjects.
        clean_fields_of(self, one_line_fields=["title"], multiline_fields=["summary"])

    def get_context(self, request, *args, **kwargs):
        from training.selectors import course_detail  # selectors import these models: a cycle at load

        context = super().get_context(request, *args, **kwargs)
        context.update(course_detail(course=self, user=request.user))
        context["co_hosts"] = list(self.partners.select_related("logo").order_by("name"))
        return context


class ModulePage(LocalizedUrlMixin, Page):
    body = StreamField(ModuleStreamBlock(), blank=True, verbose_name=_("content"))
    estimated_minutes = models.PositiveSmallIntegerField(_("estimated minutes"), default=20)
    required = models.BooleanField(_("required for completion"), default=True)
    release_on = models.DateField(_("opens on"), null=True, blank=True)
    release_after_days = models.PositiveSmallIntegerField(
        _("opens days after enrolment"), null=True, blank=True, help_text=_("Leave empty to open at once.")
    )

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("estimated_minutes"), FieldPanel("required")]),
        FieldRowPanel([FieldPanel("release_on"), FieldPanel("release_after_days")], heading=_("Release")),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("body")]
    parent_page_types = ["training.CoursePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("module page")

    def clean(self):
        super().clean()
        clean_fields_of(self, one_line_fields=["title"])

    def opens_at(self, enrolled_at) -> "timezone.datetime | None":
        """When this module opens for a learner enrolled at `enrolled_at` (None: open now)."""
        moments = []
        if self.release_on:
            moments.append(
                timezone.make_aware(timezone.datetime.combine(self.release_on, timezone.datetime.min.time()))
            )
        if self.release_after_days and enrolled_at:
            moments.append(enrolled_at + timedelta(days=self.release_after_days))
        return max(moments) if moments else None

    def quiz(self):
        for block in self.body:
            if block.block_type == "quiz":
                return block.value
        return None

    def get_context(self, request, *args, **kwargs):
        from training.selectors import module_detail  # selectors import these models: a cycle at load

        context = super().get_context(request, *args, **kwargs)
        context.update(module_detail(module=self, user=request.user))
        return context
