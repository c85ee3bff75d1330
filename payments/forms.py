"""The donation form (donate and campaign pages), Gift Aid on a basket's donation (checkout)
and the refund form (Finance)."""

import copy

from django import forms

from core.forms import EmailField
from core.money import currency_code
from core.money_fields import MoneyFormField
from payments import giftaid
from payments.models.giving import Earmark
from payments.sponsorship import sponsorship_targets

OTHER = "other"
# Details typed for Gift Aid without the declaration ticked are never dropped in silence.
GIFT_AID_UNTICKED = (
    "You filled in your details for Gift Aid but did not tick the declaration. Tick it to add Gift Aid, "
    "or clear those details to give without Gift Aid. Nothing has been taken."
)
SPONSOR_PREFIX = "page:"


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
    preset = forms.ChoiceField(label="Amount", widget=forms.RadioSelect, required=False)
    other_amount = MoneyFormField(label="Other amount", required=False, allow_zero=False)
    frequency = forms.ChoiceField(
        label="How often",
        choices=[("once", "Once"), ("monthly", "Every month")],
        widget=forms.RadioSelect,
        initial="once",
    )
    email = EmailField(label="Email address", help_text="For your receipt. We never share it.")
    earmark = forms.ChoiceField(label="Where your gift goes", choices=Earmark.choices, required=False)
    anonymous = forms.BooleanField(
        label="Give anonymously", required=False, help_text="We will not name you anywhere, including thank-you lists."
    )
    message = forms.CharField(
        label="Message (optional)", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    gift_aid = forms.BooleanField(label="Yes, add Gift Aid to my donation", required=False)
    title = forms.CharField(label="Title (optional)", required=False, max_length=35)
    first_name = forms.CharField(
        label="First name", required=False, max_length=35, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label="Last name", required=False, max_length=35, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    house_name_or_number = forms.CharField(label="House name or number", required=False, max_length=40)
    postcode = forms.CharField(
        label="Postcode", required=False, max_length=10, widget=forms.TextInput(attrs={"autocomplete": "postal-code"})
    )

    GIFT_AID_FIELDS = ("title", "first_name", "last_name", "house_name_or_number", "postcode")

    def __init__(self, *args, page, **kwargs):
        super().__init__(*args, **kwargs)
        self.page = page
        self.currency = page.currency
        self.fields["preset"].choices = [(str(a), label) for a, label in page.suggested_choices()] + [
            (OTHER, "Other amount")
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

    def clean(self):
        cleaned = super().clean()
        other = cleaned.get("other_amount")  # minor units; None when empty (or refused, with the reason)
        preset = cleaned.get("preset") or ""
        if other is not None:
            cleaned["amount_minor"] = other
        elif preset and preset != OTHER:
            cleaned["amount_minor"] = int(preset)
        elif "other_amount" not in self.errors:
            self.add_error("other_amount", "Please choose an amount or type one, for example 15.")
        earmark = cleaned.get("earmark") or ""
        cleaned["sponsored_page_id"] = None
        if earmark.startswith(SPONSOR_PREFIX):
            cleaned["sponsored_page_id"] = int(earmark.removeprefix(SPONSOR_PREFIX))
            cleaned["earmark"] = Earmark.FUNDED_PLACES
        if cleaned.get("gift_aid"):
            for name in ("first_name", "last_name", "house_name_or_number", "postcode"):
                if not (cleaned.get(name) or "").strip():
                    self.add_error(name, f"For Gift Aid we need your {self.fields[name].label.lower()}.")
        elif "gift_aid" in self.fields and any((cleaned.get(name) or "").strip() for name in self.GIFT_AID_FIELDS):
            self.add_error("gift_aid", GIFT_AID_UNTICKED)
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
        self.fields["postcode"].label = "Home postcode"
        self.fields["gift_aid"].error_messages["required"] = "Tick the box to make the Gift Aid declaration."
        for name in ("first_name", "last_name", "house_name_or_number", "postcode"):
            label = self.fields[name].label.lower()
            self.fields[name].error_messages["required"] = f"For Gift Aid we need your {label}."

    GIFT_AID_FIELDS = DonationForm.GIFT_AID_FIELDS


class RefundForm(forms.Form):
    amount = MoneyFormField(
        label="Amount to refund", required=False, allow_zero=False, help_text="Leave empty to refund all that is left."
    )
    reason = forms.CharField(label="Reason", max_length=300, help_text="Kept with the refund; never sent to Stripe.")
    request_token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["amount"].currency = currency
