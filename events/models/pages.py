"""Event pages staff publish in Wagtail. Content, panels and routes only."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.blocks import BaseStreamBlock
from content_translation.pages import LocalizedUrlMixin
from core.money import currency_code
from core.money_fields import MoneyInlinePanel
from core.page_cache import depends_on, mark_not_cacheable
from core.text import clean_fields_of


class EventType(models.TextChoices):
    GATHERING = "gathering", _("Gathering")
    WORKSHOP = "workshop", _("Workshop")
    FUNDRAISER = "fundraiser", _("Fundraiser")
    CONFERENCE = "conference", _("Conference")


class Audience(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    MEMBERS = "members", _("Members of the network")
    SURVIVORS = "survivors", _("Survivors only")


class EventIndexPage(LocalizedUrlMixin, Page):
    intro = RichTextField(blank=True, features=["bold", "italic", "link"], verbose_name=_("introduction"))
    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["events.EventPage"]
    max_count = 1

    class Meta:
        verbose_name = _("event index page")

    def get_context(self, request, *args, **kwargs):
        from events.listing import event_listing  # events.listing imports these models

        context = super().get_context(request, *args, **kwargs)
        context.update(event_listing(index=self, params=request.GET))
        if not context["cacheable"]:
            mark_not_cacheable(request)
        return context


class EventPage(LocalizedUrlMixin, Page):
    summary = models.TextField(_("summary"))
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("content"))
    event_type = models.CharField(_("type"), max_length=20, choices=EventType.choices, default=EventType.GATHERING)
    chapter = models.ForeignKey(
        "cms.Chapter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("chapter")
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/London")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    all_day = models.BooleanField(_("all day"), default=False)
    online = models.BooleanField(_("online"), default=False)
    venue = models.TextField(_("venue"), blank=True)
    online_link = models.URLField(_("online link"), blank=True, help_text=_("Shown to confirmed attendees only."))
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("The venue is shown only to confirmed attendees and never put in email or public calendars."),
    )
    accessibility = models.TextField(_("accessibility information"), blank=True)
    partners = ParentalManyToManyField("cms.PartnerOrganisation", blank=True, verbose_name=_("co-hosts"))
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, default=Audience.PUBLIC)
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("places in all"), help_text=_("Across every ticket type."))
    reservation_minutes = models.PositiveSmallIntegerField(_("minutes a reservation is held"), default=15)
    offer_hours = models.PositiveSmallIntegerField(_("hours a waiting-list offer is held"), default=24)
    self_service_cutoff_hours = models.PositiveSmallIntegerField(
        _("self-service cut-off (hours before the start)"),
        default=24,
        help_text=_("Attendees can cancel or transfer their own ticket until this many hours before the event."),
    )
    cancelled = models.BooleanField(default=False, editable=False, verbose_name=_("cancelled"))
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("cancelled at"))
    sequence = models.PositiveIntegerField(default=0, editable=False, verbose_name=_("calendar revision"))

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
                FieldRowPanel([FieldPanel("time_zone"), FieldPanel("all_day")]),
                InlinePanel("extra_dates", label=_("Also on")),
            ],
            heading=_("When"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("online"),
                FieldPanel("venue"),
                FieldPanel("online_link"),
                FieldPanel("sensitive"),
                FieldPanel("accessibility"),
            ],
            heading=_("Where"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("event_type"), FieldPanel("chapter"), FieldPanel("audience")]),
                FieldPanel("partners"),
            ],
            heading=_("About"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("registration_opens_at"), FieldPanel("registration_closes_at")]),
                FieldRowPanel([FieldPanel("capacity"), FieldPanel("reservation_minutes"), FieldPanel("offer_hours")]),
                FieldPanel("self_service_cutoff_hours"),
                MoneyInlinePanel("ticket_types", label=_("Ticket type")),
            ],
            heading=_("Registration"),
        ),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary")]
    parent_page_types = ["events.EventIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("event page")

    @property
    def currency(self) -> str:
        """The currency of the event's prices: its chapter's, else the default (ISO 4217, "USD")."""
        if self.chapter_id and self.chapter:
            return currency_code(self.chapter.currency)
        return currency_code(settings.PAYMENTS_DEFAULT_CURRENCY)

    def registration_state(self, now) -> str:
        """Whether booking is possible at `now` as far as the event itself goes: "cancelled",
        "not_open" (before registration opens), "closed" (after it closes or the event
        ended) or "open". The booking page and the booking service both ask this."""
        if self.cancelled:
            return "cancelled"
        if self.registration_opens_at and now < self.registration_opens_at:
            return "not_open"
        if (self.registration_closes_at and now >= self.registration_closes_at) or now >= self.ends_at:
            return "closed"
        return "open"

    def clean(self):
        super().clean()
        # The title and place travel on to .ics files, calendar links and email subjects.
        clean_fields_of(self, one_line_fields=["title"], multiline_fields=["summary", "venue", "accessibility"])

    def save(self, *args, **kwargs):
        # Calendar clients replace an entry only when SEQUENCE grows (RFC 5545 3.8.7.4).
        if self.pk:
            self.sequence += 1
        super().save(*args, **kwargs)

    def with_content_json(self, content):
        """A revision brings back content, never an older cancellation state or SEQUENCE:
        publishing a draft saved before `event_cancel` must not revive the event."""
        obj = super().with_content_json(content)
        obj.cancelled, obj.cancelled_at = self.cancelled, self.cancelled_at
        obj.sequence = max(obj.sequence, self.sequence)
        return obj

    def get_context(self, request, *args, **kwargs):
        from events.availability import places_key  # availability and booking import these models
        from events.booking import booking_state  # (as above)

        context = super().get_context(request, *args, **kwargs)
        depends_on(request, places_key(self.pk))  # a cached copy is retired when places change
        context["booking"] = booking_state(self)  # the booking page re-checks it live
        context["co_hosts"] = list(self.partners.select_related("logo").order_by("name"))
        return context


class EventDate(Orderable):
    """A further date of an event that repeats (same times of day, same tickets: one booking
    covers every date, as a course of sessions does)."""

    event = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="extra_dates", verbose_name=_("event"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    panels = [FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")])]

    class Meta(Orderable.Meta):
        verbose_name = _("further date")

    def __str__(self):
        return f"{self.starts_at:%Y-%m-%d %H:%M}"
