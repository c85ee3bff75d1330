"""Content that staff edit in Wagtail and every other app may refer to."""

import re
import secrets
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.forms import FormBuilder
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, Site
from wagtail.search import index
from wagtail.snippets.models import register_snippet
from wagtail.url_routing import RouteResult

from cms.blocks import BaseStreamBlock
from cms.tasks import form_submission_notify
from content_translation.pages import LocalizedUrlMixin
from core.currencies import CURRENCIES, currency_code
from core.forms import HONEYPOT_FIELD, add_honeypot
from core.guard import Verdict, guard_public_post
from core.hooks import CHAPTER_LISTINGS_HOOK
from core.page_cache import versioned_lookup, versioned_set
from core.tasks import enqueue_on_commit


@register_setting(icon="cog")
class SiteSettings(BaseSiteSetting):
    purges_page_cache = True

    organisation_name = models.CharField(_("organisation name"), max_length=120, default="Thrive")
    charity_number = models.CharField(_("charity number"), max_length=60, blank=True)
    contact_email = models.EmailField(
        _("contact email"),
        blank=True,
        help_text=_("Shown on every page in a form that address-harvesting robots cannot read."),
    )
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    postal_address = models.TextField(_("postal address"), blank=True)
    quick_exit_url = models.URLField(
        _("quick exit destination"),
        default="https://www.bbc.co.uk/weather",
        help_text=_(
            "Where the 'Exit this page' button sends people. Choose a busy, neutral site "
            "that would not look out of place in someone's browser."
        ),
    )
    safety_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("safety page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Explains what quick exit can and cannot do. Linked next to the exit button."),
    )
    facebook_url = models.URLField(_("Facebook"), blank=True)
    instagram_url = models.URLField(_("Instagram"), blank=True)
    linkedin_url = models.URLField(_("LinkedIn"), blank=True)
    x_url = models.URLField(_("X (Twitter)"), blank=True)

    panels = [
        MultiFieldPanel([FieldPanel("organisation_name"), FieldPanel("charity_number")], heading=_("Organisation")),
        MultiFieldPanel(
            [FieldPanel("contact_email"), FieldPanel("contact_phone"), FieldPanel("postal_address")],
            heading=_("Contact"),
        ),
        MultiFieldPanel([FieldPanel("quick_exit_url"), FieldPanel("safety_page")], heading=_("Safety")),
        MultiFieldPanel(
            [FieldPanel("facebook_url"), FieldPanel("instagram_url"), FieldPanel("linkedin_url"), FieldPanel("x_url")],
            heading=_("Social links"),
        ),
    ]

    class Meta:
        verbose_name = _("site settings")

    def social_links(self) -> list[tuple[str, str]]:
        links = [
            ("Facebook", self.facebook_url),
            ("Instagram", self.instagram_url),
            ("LinkedIn", self.linkedin_url),
            ("X", self.x_url),
        ]
        return [(label, url) for label, url in links if url]


def organisation_name(request=None) -> str:
    """The organisation's name as staff set it in Site settings: for the request's site, or
    the default site without a request (tasks, emails, PDFs). The field's default when there
    is no site or no settings yet. Read it here, never from `SiteSettings.objects.first()`
    (any site's). Reads only: `SiteSettings.for_site` would create the row on first read,
    and a saved setting empties the page cache in the middle of the page being built."""
    site = Site.find_for_request(request) if request is not None else None
    where = {"site": site} if site is not None else {"site__is_default_site": True}
    name = SiteSettings.objects.filter(**where).values_list("organisation_name", flat=True).first()
    return name or SiteSettings._meta.get_field("organisation_name").get_default()


# Origins a partner's site may be served from, to frame our listing (issue 19). An origin is
# a scheme and a host name (and a port): https only, plain http only for a computer's own
# addresses (trying it out). No path, no wildcard: `frame-ancestors` is exactly this list.
LOCAL_HOSTS = {"localhost", "127.0.0.1"}
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")


def embed_origin_clean(text: str) -> str:
    """One origin as typed ("https://www.example.org/"), normalised ("https://www.example.org"),
    or ValidationError saying what to change."""
    value = text.strip()
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        parts, port = None, None
    problem = None
    if parts is None or not parts.scheme or not parts.hostname or "*" in value:
        problem = _("%(origin)s is not a web address such as https://www.example.org (no wildcards).")
    elif parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        problem = _("%(origin)s: give only the site's address, such as https://www.example.org.")
    elif parts.path not in ("", "/"):
        problem = _("%(origin)s: give the site's address without a page path, such as https://www.example.org.")
    elif parts.scheme.lower() not in ("https", "http"):
        problem = _("%(origin)s: the address must start with https://.")
    elif parts.scheme.lower() == "http" and parts.hostname not in LOCAL_HOSTS:
        problem = _(
            "%(origin)s: the address must start with https:// (http:// is only for localhost and 127.0.0.1, "
            "to try it out)."
        )
    elif not _HOST.match(parts.hostname):
        problem = _("%(origin)s: the host name is not valid (international names are written as xn--...).")
    if problem:
        raise ValidationError(problem, params={"origin": value[:200]})
    return f"{parts.scheme.lower()}://{parts.hostname}" + (f":{port}" if port is not None else "")


def embed_origins_clean(text: str) -> list[str]:
    """Every origin of a one-per-line list, normalised, without repeats; ValidationError
    naming each line that is not one."""
    origins, errors = [], []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        try:
            origin = embed_origin_clean(line)
        except ValidationError as error:
            errors.extend(error.messages)
            continue
        if origin not in origins:
            origins.append(origin)
    if errors:
        raise ValidationError(errors)
    return origins


def new_embed_key() -> str:
    return secrets.token_urlsafe(16)


@register_snippet
class PartnerOrganisation(index.Indexed, models.Model):
    purges_page_cache = True

    name = models.CharField(_("name"), max_length=200, unique=True)
    region = models.CharField(_("region"), max_length=120, blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = models.TextField(_("description"), blank=True)
    embed_origins = models.TextField(
        _("sites that may show our events listing"),
        blank=True,
        help_text=_(
            "One address per line, such as https://www.example.org: the partner's own sites that may show "
            "our events and courses listing in a frame. Nothing here: no site may show it."
        ),
    )
    # The listing's address names the partner by this, not by its number: the address (and
    # the sites in its frame-ancestors header) does not tell a visitor which organisations
    # work with the network, and cannot be walked through one number at a time.
    embed_key = models.CharField(
        _("listing address key"),
        max_length=32,
        unique=True,
        default=new_embed_key,
        help_text=_("The address of the partner's listing on this site is /embed/ followed by this key."),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("region"),
        FieldPanel("website"),
        FieldPanel("logo"),
        FieldPanel("description"),
        MultiFieldPanel(
            [FieldPanel("embed_origins"), FieldPanel("embed_key", read_only=True)],
            heading=_("Listing on the partner's site"),
        ),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name"), index.SearchField("region")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        try:
            self.embed_origins = "\n".join(embed_origins_clean(self.embed_origins))
        except ValidationError as error:
            raise ValidationError({"embed_origins": error.messages}) from None

    def embed_origin_list(self) -> list[str]:
        """The registered origins, normalised (what `frame-ancestors` lists)."""
        try:
            return embed_origins_clean(self.embed_origins)
        except ValidationError:
            return []  # saved around `clean` (a script): an unreadable list allows no site


@register_snippet
class Chapter(models.Model):
    """A national chapter of the network. Courses, events and members belong to one."""

    purges_page_cache = True

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), unique=True)
    country = models.CharField(_("country code"), max_length=2, help_text=_("ISO 3166 code, for example GB or US."))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/London", help_text=_("For example Europe/London.")
    )
    currency = models.CharField(_("currency"), max_length=3, default="GBP", help_text=_("ISO 4217 code, e.g. GBP."))

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("country"),
        FieldPanel("time_zone"),
        FieldPanel("currency"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")

    def __str__(self):
        return self.name

    def clean(self):
        if self.time_zone not in available_timezones():
            raise ValidationError({"time_zone": _("Use a time zone name such as Europe/London.")})
        self.country = self.country.upper()
        self.currency = currency_code(self.currency)
        if self.currency not in CURRENCIES:
            raise ValidationError(
                {
                    "currency": _("Use one of the currencies Thrive can take payments in: %(currencies)s.")
                    % {"currencies": ", ".join(CURRENCIES)}
                }
            )


class HomePage(LocalizedUrlMixin, Page):
    hero_title = models.CharField(_("hero title"), max_length=160)
    hero_text = models.TextField(_("hero text"), blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("hero image"),
    )
    mission = RichTextField(_("mission"), blank=True, features=["bold", "italic", "link"])
    join_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("join page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    donate_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("donate page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    volunteer_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("volunteer page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("content"))

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("hero_title"), FieldPanel("hero_text"), FieldPanel("hero_image")], heading=_("Hero")
        ),
        FieldPanel("mission"),
        MultiFieldPanel(
            [FieldPanel("join_page"), FieldPanel("donate_page"), FieldPanel("volunteer_page")],
            heading=_("Calls to action"),
            help_text=_("A button is shown for each page chosen here."),
        ),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("hero_text"), index.SearchField("mission")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def route(self, request, path_components):
        """Wagtail's routing walks the tree one level at a time (two queries a level). The
        page a path leads to is kept in the cache under the page-cache version, which any
        publish, unpublish, move or delete bumps, so a known path costs one query."""
        if not path_components:
            return super().route(request, path_components)
        key = f"route:{self.pk}:{'/'.join(path_components)}"
        hit, version = versioned_lookup(key)
        if hit is not None:
            page = apps.get_model(hit[0])._default_manager.filter(pk=hit[1], live=True).first()
            if page is not None:
                return RouteResult(page)
        result = super().route(request, path_components)
        page, args, kwargs = result
        if not args and not kwargs and page.live:
            versioned_set(key, (page._meta.label, page.pk), version=version, timeout=settings.PAGE_CACHE_SECONDS)
        return result

    def calls_to_action(self) -> list[tuple[str, Page]]:
        choices = [
            (_("Join the network"), self.join_page),
            (_("Donate"), self.donate_page),
            (_("Volunteer"), self.volunteer_page),
        ]
        return [(label, page) for label, page in choices if page is not None and page.live]


class StandardPage(LocalizedUrlMixin, Page):
    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("content"))

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        verbose_name = _("standard page")


class FormField(AbstractFormField):
    page = ParentalKey("FormPage", on_delete=models.CASCADE, related_name="form_fields", verbose_name=_("form page"))


class HoneypotFormBuilder(FormBuilder):
    def get_form_class(self):
        return add_honeypot(super().get_form_class())


class FormPage(LocalizedUrlMixin, AbstractEmailForm):
    """A form staff build in Wagtail (volunteer sign-up, contact, partner enquiry).

    Submissions are stored and a notification is emailed to `to_address` by a task after
    the submission is committed. A hidden honeypot field and a per-visitor rate limit keep
    spam out; a refused submission keeps what the person typed.
    """

    form_builder = HoneypotFormBuilder

    def get_submissions_list_view_class(self):
        """Wagtail's submission listing with CSV and XLSX exports safe to open (cms.submissions)."""
        from cms.submissions import SafeSubmissionsListView  # admin views: heavy, needed only in the admin

        return SafeSubmissionsListView

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link", "ul", "ol"])
    thank_you_text = RichTextField(_("thank-you text"), blank=True, features=["bold", "italic", "link"])

    content_panels = AbstractEmailForm.content_panels + [
        FormSubmissionsPanel(),
        FieldPanel("intro"),
        InlinePanel("form_fields", label=_("Form fields")),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]),
                FieldPanel("subject"),
            ],
            heading=_("Notification email to staff"),
        ),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    class Meta:
        verbose_name = _("form page")

    def serve(self, request, *args, **kwargs):
        if request.method != "POST":
            return super().serve(request, *args, **kwargs)
        form = self.get_form(request.POST, request.FILES, page=self, user=request.user)
        verdict = guard_public_post(request, form, scope=f"form:{self.pk}", what="messages")
        if verdict is Verdict.ROBOT:  # looks like success to a robot; nothing is stored or sent
            return self.render_landing_page(request, None, *args, **kwargs)
        if verdict is Verdict.PAUSED:
            return self._render_form(request, form, status=429)
        if form.is_valid():
            submission = self.process_form_submission(form)
            return self.render_landing_page(request, submission, *args, **kwargs)
        return self._render_form(request, form, status=200)

    def _render_form(self, request, form, *, status: int) -> HttpResponse:
        context = self.get_context(request)
        context["form"] = form
        return TemplateResponse(request, self.get_template(request), context, status=status)

    def process_form_submission(self, form):
        cleaned = {k: v for k, v in form.cleaned_data.items() if k != HONEYPOT_FIELD}
        submission = self.get_submission_class().objects.create(form_data=cleaned, page=self)
        if self.to_address:
            enqueue_on_commit(form_submission_notify, submission_id=submission.pk)
        return submission


class ChapterOrganiser(models.Model):
    """Which chapter a member of the "Chapter organisers" group organises (one each). Without
    the group the row grants nothing; without a row the group sees nothing (accounts.roles).
    Only superusers assign it (Settings > Chapter organisers)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="chapter_organiser",
        verbose_name=_("staff account"),
    )
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="organisers", verbose_name=_("chapter"))

    class Meta:
        verbose_name = _("chapter organiser")
        verbose_name_plural = _("chapter organisers")

    def __str__(self):
        return f"chapter organiser {self.pk}"


NAME_CONSENT_HELP = _(
    "Leave empty unless this person has agreed, in writing, to be named on the public site: "
    "without a name the role alone is shown. Remove the name as soon as they ask."
)


class ChapterPage(LocalizedUrlMixin, Page):
    """A chapter's home on the site: its team (by role unless someone agreed to be named), its
    upcoming events and courses (answered by events and training: core.hooks
    CHAPTER_LISTINGS_HOOK), local partners and regional representatives, and how to
    contact the chapter safely."""

    chapter = models.ForeignKey(
        Chapter,
        on_delete=models.PROTECT,
        related_name="pages",
        verbose_name=_("chapter"),
        help_text=_("Its upcoming events and courses are listed on the page."),
    )
    intro = models.TextField(_("introduction"), blank=True)
    team_intro = RichTextField(_("about the local team"), blank=True, features=["bold", "italic", "link"])
    partners = ParentalManyToManyField(
        PartnerOrganisation, blank=True, related_name="+", verbose_name=_("local partner organisations")
    )
    contact = RichTextField(
        _("how to contact the chapter"),
        blank=True,
        features=["bold", "italic", "link", "ul", "ol"],
        help_text=_("Ways to reach the chapter. The page adds advice on contacting us safely below it."),
    )
    contact_email = models.EmailField(
        _("chapter email"),
        blank=True,
        help_text=_("Shown in a form that address-harvesting robots cannot read."),
    )
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("content"))

    content_panels = Page.content_panels + [
        FieldPanel("chapter"),
        FieldPanel("intro"),
        MultiFieldPanel(
            [FieldPanel("team_intro"), InlinePanel("team", label=_("Team role"))],
            heading=_("Local team"),
            help_text=_("Describe people by their role. Add a name only for someone who agreed to be named."),
        ),
        MultiFieldPanel(
            [FieldPanel("partners"), InlinePanel("representatives", label=_("Regional representative"))],
            heading=_("Partners and regional representatives"),
        ),
        MultiFieldPanel([FieldPanel("contact"), FieldPanel("contact_email")], heading=_("Contact")),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("chapter page")

    def get_context(self, request, *args, **kwargs):
        """A fixed number of queries whatever the chapter holds: the chapter, the team, the
        representatives, the partners, and each listing's own (tests assert it)."""
        context = super().get_context(request, *args, **kwargs)
        chapter = self.chapter
        listings = [provider(chapter=chapter, request=request) for provider in hooks.get_hooks(CHAPTER_LISTINGS_HOOK)]
        context.update(
            {
                "chapter": chapter,
                "team": list(self.team.all()),
                "representatives": list(self.representatives.select_related("partner__logo")),
                "local_partners": list(self.partners.select_related("logo").order_by("name")),
                "listings": [listing for listing in listings if listing],
            }
        )
        return context


class ChapterTeamRole(Orderable):
    page = ParentalKey(ChapterPage, on_delete=models.CASCADE, related_name="team", verbose_name=_("chapter page"))
    role = models.CharField(_("role"), max_length=120, help_text=_("For example 'Chapter organiser' or 'Peer mentor'."))
    name = models.CharField(_("name (only with consent)"), max_length=120, blank=True, help_text=NAME_CONSENT_HELP)
    about = models.CharField(_("what they do"), max_length=300, blank=True)

    panels = [FieldRowPanel([FieldPanel("role"), FieldPanel("name")]), FieldPanel("about")]

    class Meta(Orderable.Meta):
        verbose_name = _("team role")

    def __str__(self):
        return self.role


class ChapterRepresentative(Orderable):
    page = ParentalKey(
        ChapterPage, on_delete=models.CASCADE, related_name="representatives", verbose_name=_("chapter page")
    )
    region = models.CharField(_("region"), max_length=120)
    role = models.CharField(
        _("role"), max_length=120, blank=True, help_text=_("Leave empty for 'Regional representative'.")
    )
    partner = models.ForeignKey(
        PartnerOrganisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("partner organisation"),
        help_text=_(
            "A partner organisation that represents the network in this region: its name, logo and "
            "website are shown. Leave empty for a person."
        ),
    )
    name = models.CharField(_("name (only with consent)"), max_length=120, blank=True, help_text=NAME_CONSENT_HELP)
    about = models.CharField(_("what they can help with"), max_length=300, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("region"), FieldPanel("role")]),
        FieldRowPanel([FieldPanel("partner"), FieldPanel("name")]),
        FieldPanel("about"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("regional representative")

    def __str__(self):
        return self.region
