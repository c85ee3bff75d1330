"""Newsletters (issue 18): opt-in lists, double opt-in subscriptions with their consent record,
newsletters written as Wagtail pages, and sending that survives a crash.

Sending (services/sending.py) keeps one `Delivery` row per recipient of a `Mailing`. A worker
claims a batch of rows (QUEUED -> SENDING, with `claimed_at`, committed), and for each message:
sends the envelope and content to the SMTP server but not the final ".", marks the row SENT
(committed), then sends the final "." that makes the server accept it. A worker killed before
that commit leaves the row SENDING and the server with no message (a dropped connection before
"." delivers nothing): recovery puts rows SENDING for longer than the lease back to QUEUED. A
worker killed after the commit has written the "." or dies within microseconds of doing so.
So nobody is skipped or sent twice, except in that window of a few microseconds.

No tracking: no pixels, no rewritten links, no open or click counts are stored anywhere.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from cms.blocks import BaseStreamBlock
from content_translation.pages import LocalizedUrlMixin
from core.page_cache import bump, depends_on, mark_not_cacheable
from newsletters.panels import ListLanguagePanel

# Anonymous visitors' copies of the archive and of issue pages depend on which mailings have
# gone out: a mailing's save or delete retires them (`mailing_saved`), as a publish does.
ARCHIVE_CACHE_KEY = "newsletters:archive"


class MailingList(models.Model):
    """A list people subscribe to: supporters, members, partners; per chapter, per language."""

    purges_page_cache = True  # its audience decides who may read its issues on the archive

    class Audience(models.TextChoices):
        PUBLIC = "public", _("Anyone (supporters)")
        MEMBERS = "members", _("Members only")
        PARTNERS = "partners", _("Partner organisations")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), unique=True)
    description = models.TextField(_("what subscribers get"), blank=True)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, default=Audience.PUBLIC)
    chapter = models.ForeignKey(
        "cms.Chapter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("chapter")
    )
    language = models.CharField(_("language"), max_length=16, choices=settings.LANGUAGES, default="en-gb")
    offered_on_forms = models.BooleanField(
        _("offered on sign-up forms"),
        default=True,
        help_text=_("Shown on the footer sign-up and in the “keep me posted” box of its language."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("mailing list")
        verbose_name_plural = _("mailing lists")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class Subscription(models.Model):
    """One address on one list, with the record of its consent (the wording and its version,
    when, how). Double opt-in: PENDING until the address's owner follows the confirmation link."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Subscribed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    class Method(models.TextChoices):
        SIGN_UP_FORM = "form", _("Sign-up form")
        DONATION = "donation", _("Donation form")
        BOOKING = "booking", _("Booking form")
        ACCOUNT = "account", _("Member's account")

    mailing_list = models.ForeignKey(
        MailingList, on_delete=models.CASCADE, related_name="subscriptions", verbose_name=_("list")
    )
    email = models.EmailField(_("email"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("account"),
    )
    language = models.CharField(_("language"), max_length=16, blank=True, choices=settings.LANGUAGES)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.PENDING)
    method = models.CharField(_("how"), max_length=10, choices=Method.choices)
    consent_wording = models.TextField(_("consent wording shown"))
    consent_version = models.CharField(_("consent wording version"), max_length=20)
    requested_at = models.DateTimeField(_("asked"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["mailing_list", "email"], name="newsletters_one_subscription_per_address")
        ]

    def __str__(self):
        return f"subscription {self.pk}"


class NewsletterIndexPage(LocalizedUrlMixin, Page):
    """The archive: sent issues of public lists; members-only issues to signed-in members
    (newsletters.archive). Lists the issues under it and under its translations."""

    intro = models.TextField(_("introduction"), blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["newsletters.NewsletterPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("newsletter archive")

    def get_context(self, request, *args, **kwargs):
        from newsletters.archive import archive_issues, sees_more_than_public  # archive reads these models

        context = super().get_context(request, *args, **kwargs)
        depends_on(request, ARCHIVE_CACHE_KEY)  # before reading the mailings it depends on
        if sees_more_than_public(request.user):
            mark_not_cacheable(request)
        context["issues"] = archive_issues(self, request.user)
        return context

    def serve(self, request, *args, **kwargs):
        from newsletters.archive import sees_more_than_public  # (as above)

        response = super().serve(request, *args, **kwargs)
        if sees_more_than_public(request.user):
            patch_cache_control(response, private=True, no_store=True)
        return response


class NewsletterPage(LocalizedUrlMixin, Page):
    """One issue, written with the site's blocks; emailed to a list (see `Mailing`).

    Translatable like a standard page (content_translation.policy): each language's issue is
    sent to that language's list; the editor is warned when the two differ. On the web it is
    served only once a mailing of it has gone out (newsletters.archive), to the audience of that
    mailing's list; before, only the admin's previews show it (the web page and the email)."""

    intro = models.TextField(_("introduction"), blank=True)  # also the preview line in mail apps
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("content"))
    mailing_list = models.ForeignKey(
        MailingList, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("list")
    )
    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("mailing_list"),
        ListLanguagePanel(),
    ]
    search_fields: list = []  # not in the site search: an issue is public only once sent, maybe never
    parent_page_types = ["newsletters.NewsletterIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("newsletter")

    @property
    def preview_modes(self):
        return [("", _("Web page")), ("email", _("Email")), ("email-text", _("Email (plain text)"))]

    def serve_preview(self, request, mode_name):
        """The email exactly as sent (a placeholder unsubscribe link), in the admin's preview."""
        if mode_name not in ("email", "email-text"):
            return super().serve_preview(request, mode_name)
        from newsletters.rendering import email_preview_csp, newsletter_render  # rendering imports these models

        _subject, html, text = newsletter_render(self)
        if mode_name == "email-text":
            return HttpResponse(text, content_type="text/plain; charset=utf-8")
        response = HttpResponse(html)
        response._csp_config = email_preview_csp()
        return response

    def list_language_mismatch(self) -> bool:
        """The page's language is not its list's (a translation still pointing at the list
        of the page it was copied from)."""
        return self.mailing_list is not None and self.mailing_list.language != self.locale.language_code

    def serve(self, request, *args, **kwargs):
        from newsletters.archive import issue_audiences, readable_audiences  # archive reads these models

        depends_on(request, ARCHIVE_CACHE_KEY)  # before reading the mailings it depends on
        audiences = issue_audiences(self)
        if MailingList.Audience.PUBLIC in audiences:
            return super().serve(request, *args, **kwargs)
        if not audiences & readable_audiences(request.user):
            raise Http404  # never sent, or not to a list this visitor may read
        mark_not_cacheable(request)
        response = super().serve(request, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        return response


class Mailing(models.Model):
    """Sending one newsletter to one list: the message is frozen when sending starts (an edit to
    the page afterwards changes nothing already queued), one `Delivery` per recipient."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    newsletter = models.ForeignKey(
        NewsletterPage, on_delete=models.PROTECT, related_name="mailings", verbose_name=_("newsletter")
    )
    mailing_list = models.ForeignKey(
        MailingList, on_delete=models.PROTECT, related_name="mailings", verbose_name=_("list")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    send_at = models.DateTimeField(_("send at"))
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    html = models.TextField(_("HTML body"), blank=True, editable=False)
    text = models.TextField(_("text body"), blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")
        ordering = ["-send_at", "-pk"]

    def __str__(self):
        return f"mailing {self.pk}"


class Delivery(models.Model):
    """One recipient of one mailing. See the module docstring for the claim protocol."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped (unsubscribed)")
        FAILED = "failed", _("Failed")

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("mailing"))
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("subscription")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["mailing", "subscription"], name="newsletters_one_delivery_per_recipient")
        ]
        indexes = [
            models.Index(fields=["mailing", "status"], name="newsletters_delivery_state"),
            models.Index(fields=["claimed_at"], name="newsletters_delivery_claimed", condition=Q(status="sending")),
        ]

    def __str__(self):
        return f"delivery {self.pk}"


def mailing_saved(sender, instance, **kwargs):
    """Retire anonymous visitors' cached archive and issue pages: a mailing that starts (or is
    deleted) changes which issues they may read. A write that bypasses save() (a queryset
    update of `status`) must call `bump(ARCHIVE_CACHE_KEY)` itself."""
    if instance.status != Mailing.Status.SCHEDULED:
        bump(ARCHIVE_CACHE_KEY)


post_save.connect(mailing_saved, sender=Mailing, dispatch_uid="newsletters_mailing_saved")
post_delete.connect(mailing_saved, sender=Mailing, dispatch_uid="newsletters_mailing_deleted")
