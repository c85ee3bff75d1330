"""Members' forms: interest in an opportunity, feedback after an engagement, an expense claim,
how they want to be thanked. The rules live in the services; these only collect the answers."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.money_fields import MoneyFormField
from voices.models import Appearance, ThanksChoice
from voices.services.expenses import RECEIPT_TYPES


class MemberForm(forms.Form):
    """Labels without Django's trailing colon (they are questions or plain nouns)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class InterestForm(MemberForm):
    availability = forms.CharField(
        label=_("When are you available?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: “any time that day” or “mornings only”. Only our staff read this."),
    )
    appearance = forms.ChoiceField(
        label=_("How do you want to appear to the organisation?"),
        choices=Appearance.choices,
        initial=Appearance.ANONYMOUS,
        widget=forms.RadioSelect,
        help_text=_("The organisation learns this only after you confirm, and never sees your account."),
    )
    pseudonym = forms.CharField(
        label=_("Pseudonym"),
        required=False,
        max_length=80,
        help_text=_("Only if you chose a pseudonym: the name the organisation will use for you."),
    )
    no_photos = forms.BooleanField(label=_("No photos of me"), required=False, initial=True)
    no_recording = forms.BooleanField(label=_("No recording of me"), required=False, initial=True)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("appearance") == Appearance.PSEUDONYM and not (cleaned.get("pseudonym") or "").strip():
            self.add_error("pseudonym", _("Type the pseudonym you want to be known by."))
        return cleaned


class FeedbackForm(MemberForm):
    text = forms.CharField(
        label=_("How did it go?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Seen by staff only, never by the organisation. Tell us anything, good or bad."),
        error_messages={"required": _("Write a few words, or leave the page.")},
    )


class ExpenseForm(MemberForm):
    description = forms.CharField(
        label=_("What was it for?"),
        max_length=200,
        help_text=_("For example: “train ticket” or “lunch on the day”."),
        error_messages={"required": _("Say what the expense was for, such as “train ticket”.")},
    )
    amount_minor = MoneyFormField(label=_("Amount"), allow_zero=False)
    receipt = forms.FileField(
        label=_("Receipt"),
        help_text=_("A photo (JPEG or PNG) or a PDF."),
        error_messages={"required": _("Choose the photo or PDF of your receipt.")},
        widget=forms.FileInput(attrs={"accept": ",".join(sorted({f".{extension}" for extension in RECEIPT_TYPES}))}),
    )

    def __init__(self, *args, currency: str, max_megabytes: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount_minor"].currency = currency
        self.fields["receipt"].help_text = _("A photo (JPEG or PNG) or a PDF, up to %(size)s MB.") % {
            "size": max_megabytes
        }


class ThanksForm(MemberForm):
    choice = forms.ChoiceField(
        label=_("How would you like to be thanked?"),
        choices=ThanksChoice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you would like to be thanked.")},
    )
    reason = forms.CharField(
        label=_("Anything Finance should know (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by Finance only. You never have to give a reason."),
    )
