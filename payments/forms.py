"""The donation form (donate and campaign pages), Gift Aid on a basket's donation (checkout)
and the refund form (Finance)."""

import copy

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.forms import EmailField
from core.i18n import active_language
from core.money import currency_code
from core.money_fields import MoneyFormField
from newsletters.forms import add_keep_posted
from payments import giftaid
from payments.models.giving import Earmark
from payments.sponsorship import sponsorship_targets

OTHER = "other"
# Details typed for Gift Aid without the declaration ticked are never dropped in silence.
# Plain English (marked for the catalogue): translate where shown, _(GIFT_AID_UNTICKED).
GIFT_AID_UNTICKED = gettext_noop(
    "You filled in your details for Gift Aid but did not tick the declaration. Tick it to add Gift Aid, "
    "or clear those details to give without Gift Aid. Nothing has been taken."
)
SPONSOR_PREFIX = "page:"


# What Gift Aid needs and was left empty, in whole sentences (translators see each).
GIFT_AID_NEEDS = {
    "first_name": gettext_lazy("For Gift Aid we need your first name."),
    "last_name": gettext_lazy("For Gift Aid we need your last name."),
    "house_name_or_number": gettext_lazy("For Gift Aid we need your house name or number."),
    "postcode": gettext_lazy("For Gift Aid we need your postcode."),
}


def sponsor_choices(currency: str) -> list[tuple[str, str]]:
    """One choice per page the apps offer for sponsorship (upcoming events with funded
    places, courses) whose places are priced in the gift's `currency`: a gift for it pays
    for funded places there (sponsored places)."""
    return [
        (f"{SPONSOR_PREFIX}{target.page_id}", target.label)
        for target in sponsorship_targets()
        if target.currency_code == currency_code(currency)
    ]


class DonationForm(forms.Form):
    preset = forms.ChoiceField(label=gettext_lazy("Amount"), widget=forms.RadioSelect, required=False)
    other_amount = MoneyFormField(label=gettext_lazy("Other amount"), required=False, allow_zero=False)
    frequency = forms.ChoiceField(
        label=gettext_lazy("How often"),
        choices=[("once", gettext_lazy("Once")), ("monthly", gettext_lazy("Every month"))],
        widget=forms.RadioSelect,
        initial="once",
    )
    email = EmailField(
        label=gettext_lazy("Email address"), help_text=gettext_lazy("For your receipt. We never share it.")
    )
    earmark = forms.ChoiceField(label=gettext_lazy("Where your gift goes"), choices=Earmark.choices, required=False)
    anonymous = forms.BooleanField(
        label=gettext_lazy("Give anonymously"),
        required=False,
        help_text=gettext_lazy("We will not name you anywhere, including thank-you lists."),
    )
    message = forms.CharField(
        label=gettext_lazy("Message (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    gift_aid = forms.BooleanField(label=gettext_lazy("Yes, add Gift Aid to my donation"), required=False)
    title = forms.CharField(label=gettext_lazy("Title (optional)"), required=False, max_length=35)
    first_name = forms.CharField(
        label=gettext_lazy("First name"),
        required=False,
        max_length=35,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=gettext_lazy("Last name"),
        required=False,
        max_length=35,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    house_name_or_number = forms.CharField(label=gettext_lazy("House name or number"), required=False, max_length=40)
    postcode = forms.CharField(
        label=gettext_lazy("Postcode"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )

    GIFT_AID_FIELDS = ("title", "first_name", "last_name", "house_name_or_number", "postcode")

    def __init__(self, *args, page, **kwargs):
        super().__init__(*args, **kwargs)
        self.page = page
        self.currency = page.currency
        self.fields["preset"].choices = [(str(a), label) for a, label in page.suggested_choices()] + [
            (OTHER, _("Other amount"))
        ]
        self.fields["other_amount"].currency = page.currency
        self.fields["earmark"].choices = list(Earmark.choices) + sponsor_choices(page.currency)
        if not page.allow_monthly:
            del self.fields["frequency"]
        if not page.offers_gift_aid:
            for name in ("gift_aid", *self.GIFT_AID_FIELDS):
                del self.fields[name]
        else:
            self.fields["gift_aid"].help_text = giftaid.DECLARATION_TEXT
        add_keep_posted(self, language=active_language())  # unticked; only when the language has a list

    def clean(self):
        cleaned = super().clean()
        other = cleaned.get("other_amount")  # minor units; None when empty (or refused, with the reason)
        preset = cleaned.get("preset") or ""
        if other is not None:
            cleaned["amount_minor"] = other
        elif preset and preset != OTHER:
            cleaned["amount_minor"] = int(preset)
        elif "other_amount" not in self.errors:
            self.add_error("other_amount", _("Please choose an amount or type one, for example 15."))
        earmark = cleaned.get("earmark") or ""
        cleaned["sponsored_page_id"] = None
        if earmark.startswith(SPONSOR_PREFIX):
            cleaned["sponsored_page_id"] = int(earmark.removeprefix(SPONSOR_PREFIX))
            cleaned["earmark"] = Earmark.FUNDED_PLACES
        if cleaned.get("gift_aid"):
            for name in ("first_name", "last_name", "house_name_or_number", "postcode"):
                if not (cleaned.get(name) or "").strip():
                    self.add_error(name, GIFT_AID_NEEDS[name])
        elif "gift_aid" in self.fields and any((cleaned.get(name) or "").strip() for name in self.GIFT_AID_FIELDS):
            self.add_error("gift_aid", _(GIFT_AID_UNTICKED))
        return cleaned


class GiftAidForm(forms.Form):
    """Gift Aid for the donation in a basket, asked on the checkout page (the booking form
    that added the donation asks for no declaration). The same fields and wording as the
    donation form's."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gift_aid"] = copy.deepcopy(DonationForm.base_fields["gift_aid"])
        self.fields["gift_aid"].required = True
        self.fields["gift_aid"].help_text = giftaid.DECLARATION_TEXT
        for name in DonationForm.GIFT_AID_FIELDS:
            self.fields[name] = copy.deepcopy(DonationForm.base_fields[name])
            self.fields[name].required = name != "title"
        # On the checkout the card form asks for the card's postcode too: say which this is.
        self.fields["postcode"].label = _("Home postcode")
        self.fields["gift_aid"].error_messages["required"] = _("Tick the box to make the Gift Aid declaration.")
        for name, needed in GIFT_AID_NEEDS.items():
            self.fields[name].error_messages["required"] = needed
        self.fields["postcode"].error_messages["required"] = _("For Gift Aid we need your home postcode.")

    GIFT_AID_FIELDS = DonationForm.GIFT_AID_FIELDS


class RefundForm(forms.Form):
    amount = MoneyFormField(
        label=gettext_lazy("Amount to refund"),
        required=False,
        allow_zero=False,
        help_text=gettext_lazy("Leave empty to refund all that is left."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=300,
        help_text=gettext_lazy("Kept with the refund; never sent to Stripe."),
    )
    request_token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["amount"].currency = currency
