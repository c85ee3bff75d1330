"""Fundraising pages in Wagtail: a general donate page and campaign pages with a target.

The pages hold content and settings only; the donation form is handled by
`payments.views.donation_page_serve`, which calls the services."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import BaseStreamBlock
from content_translation.pages import LocalizedUrlMixin
from core.money import CURRENCY_CHOICES, format_money, parse_major
from core.money_fields import MinorAmountField

# A campaign may aim higher than a price: up to 10,000,000.00.
MONEY_TARGET_MAX_MINOR = 1_000_000_000


class GivingPageMixin(models.Model):
    """What every page with a donation form has: suggested amounts, currency, monthly."""

    suggested_amounts = models.CharField(
        _("suggested amounts"),
        max_length=100,
        default="10, 25, 50",
        help_text=_("Whole amounts separated by commas, largest last, e.g. 10, 25, 50."),
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="GBP")
    allow_monthly = models.BooleanField(_("offer monthly giving"), default=True)
    gift_aid = models.BooleanField(
        _("offer UK Gift Aid"), default=True, help_text=_("Only for donations in pounds from UK taxpayers.")
    )

    giving_panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("suggested_amounts"), FieldPanel("currency")]),
                FieldRowPanel([FieldPanel("allow_monthly"), FieldPanel("gift_aid")]),
            ],
            heading=_("Donation form"),
        )
    ]

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        try:
            self.suggested_minor()
        except ValueError:
            raise ValidationError({"suggested_amounts": _("Use whole amounts separated by commas.")}) from None

    def suggested_minor(self) -> list[int]:
        # Stored settings: read the same whatever the reader's language.
        parts = [part for part in self.suggested_amounts.split(",") if part.strip()]
        return [parse_major(part, self.currency, localized=False) for part in parts]

    def suggested_choices(self) -> list[tuple[int, str]]:
        return [(amount, format_money(amount, self.currency)) for amount in self.suggested_minor()]

    @property
    def offers_gift_aid(self) -> bool:
        return self.gift_aid and self.currency == "GBP"

    def serve(self, request, *args, **kwargs):
        from payments.views import donation_page_serve  # cycle: payments.views imports payments.models

        return donation_page_serve(request, self)


class DonatePage(LocalizedUrlMixin, GivingPageMixin, Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("content"))

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")] + GivingPageMixin.giving_panels
    search_fields = Page.search_fields + [index.SearchField("intro")]
    template = "payments/donate_page.html"

    class Meta:
        verbose_name = _("donate page")

    def __str__(self):
        return self.title

    def get_context(self, request, *args, **kwargs):
        from payments.selectors import campaigns_open  # cycle: payments.selectors imports payments.models

        return super().get_context(request, *args, **kwargs) | {"campaigns": campaigns_open()}


class CampaignPage(LocalizedUrlMixin, GivingPageMixin, Page):
    summary = models.CharField(_("summary"), max_length=250, blank=True)
    story = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("story"))
    target_minor = MinorAmountField(_("target"), currency_attr="currency", max_minor=MONEY_TARGET_MAX_MINOR)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    content_panels = (
        Page.content_panels
        + [
            FieldPanel("summary"),
            FieldRowPanel([FieldPanel("target_minor"), FieldPanel("ends_on")]),
            FieldPanel("story"),
        ]
        + GivingPageMixin.giving_panels
    )
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("story")]
    template = "payments/campaign_page.html"

    class Meta:
        verbose_name = _("campaign page")

    def __str__(self):
        return self.title

    @property
    def target_display(self) -> str:
        return format_money(self.target_minor, self.currency)
