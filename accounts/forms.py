from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from accounts.models import Consent, ErasureRequest, MemberProfile, MembershipApplication
from core.forms import EmailField, add_honeypot
from core.text import one_line, plain_lines


class _ApplicationForm(forms.ModelForm):
    class Meta:
        model = MembershipApplication
        fields = ["display_name", "email", "contact_method", "contact_details", "chapter"]
        widgets = {"contact_method": forms.RadioSelect}
        help_texts = {"email": _("Use an address that only you can read.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chapter"].required = True
        self.fields["chapter"].empty_label = _("Choose your chapter")
        self.fields["display_name"].widget.attrs["autocomplete"] = "nickname"
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("contact_method")
        if method in ("phone", "text") and not cleaned.get("contact_details", "").strip():
            self.add_error("contact_details", _("Add the number we should use, or choose email."))
        return cleaned


ApplicationForm = add_honeypot(_ApplicationForm)


class ApplicationReplyForm(forms.Form):
    reply = forms.CharField(label=_("Your answer"), widget=forms.Textarea, max_length=4000)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = MemberProfile
        fields = [
            "display_name",
            "certificate_name",
            "pronouns",
            "preferred_language",
            "chapter",
            "contact_method",
            "contact_details",
            "access_needs",
            "discreet_mode",
            "legal_name",
        ]
        widgets = {"contact_method": forms.RadioSelect, "access_needs": forms.Textarea(attrs={"rows": 4})}


class ConsentForm(forms.Form):
    def __init__(self, *args, profile: MemberProfile, **kwargs):
        super().__init__(*args, **kwargs)
        for consent in Consent:
            self.fields[consent.value] = forms.BooleanField(
                label=consent.label, required=False, initial=profile.has_consent(consent)
            )


class ErasureForm(forms.ModelForm):
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone"),
        error_messages={"required": _("Tick this box to confirm that you want your data erased.")},
    )

    class Meta:
        model = ErasureRequest
        fields = ["revoke_certificates"]


class ReferralForm(forms.Form):
    email = EmailField(
        label=_("The survivor's email address"),
        help_text=_("Only with their agreement. They decide whether to join; you will only see whether they did."),
    )
    note = forms.CharField(
        label=_("Note for our membership team (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Nothing the survivor would not want us to know."),
    )
    consent = forms.BooleanField(
        label=_("The survivor has agreed that I refer them"),
        error_messages={"required": _("Refer someone only with their agreement.")},
    )


class _PublicReferralForm(forms.Form):
    email = EmailField(
        label=_("Their email address"),
        help_text=_(
            "Only with their agreement. We send one invitation from a plain sender with a plain subject; "
            "they decide whether to apply."
        ),
        error_messages={"required": _("Enter the email address to send the invitation to.")},
    )
    relationship = forms.CharField(
        label=_("How do you know them? (optional)"),
        required=False,
        max_length=120,
        help_text=_("For example: support worker, friend, family. This helps our membership team."),
    )
    note = forms.CharField(
        label=_("Note for our membership team (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Nothing the survivor would not want us to know."),
    )
    consent = forms.BooleanField(
        label=_("They have agreed that I refer them"),
        error_messages={"required": _("Refer someone only with their agreement.")},
    )

    def clean_relationship(self):
        return one_line(self.cleaned_data["relationship"])

    def clean_note(self):
        return plain_lines(self.cleaned_data["note"])


PublicReferralForm = add_honeypot(_PublicReferralForm)


class ApplicationDecisionForm(forms.Form):
    DECISIONS = [
        ("approve", _("Approve")),
        ("more_info", _("Ask for more information")),
        ("decline", _("Decline")),
    ]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    message = forms.CharField(
        label=_("Message to the applicant"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Needed when asking for more information; optional when declining."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "more_info" and not cleaned.get("message", "").strip():
            self.add_error("message", _("Write the question you want to ask."))
        return cleaned


class WelcomePasswordForm(SetPasswordForm):
    """The first password of a newly approved member (from the welcome email's link)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Choose a password")
        self.fields["new_password2"].label = _("Type it again")
