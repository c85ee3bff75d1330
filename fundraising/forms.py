"""Forms of supporter fundraising: the page (create and edit), the gift through a page, and
staff's hide note. Forms parse; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy

from fundraising.models import FundraisingPage, Gift, Team
from fundraising.photos import photo_max_bytes
from payments.forms import DonationForm


class PageForm(forms.ModelForm):
    """Title, name shown, story, target (in the campaign's currency), end date, sponsored,
    one photo, and a team to join or a new one to start."""

    photo = forms.FileField(
        label=gettext_lazy("Photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    team = forms.ModelChoiceField(
        label=gettext_lazy("Join a team (optional)"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=gettext_lazy("No team"),
    )
    new_team_name = forms.CharField(
        label=gettext_lazy("Or start a new team (optional)"),
        required=False,
        max_length=80,
        help_text=gettext_lazy("Others can then join it when they make their page."),
    )

    class Meta:
        model = FundraisingPage
        fields = ["title", "fundraiser_name", "story", "target_minor", "ends_on", "sponsored"]
        widgets = {
            "story": forms.Textarea(attrs={"rows": 8}),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(campaign=campaign, hidden=False).order_by("name")
        self.fields["photo"].help_text = gettext_lazy(
            "A JPEG, PNG or WebP picture of up to %(size)s MB. We remove its location and camera details. "
            "It is shown once our team has approved your page."
        ) % {"size": f"{photo_max_bytes() / (1024 * 1024):.0f}"}
        self.fields["target_minor"].allow_zero = False  # "more than £0.00", before the model's constraint
        self.fields["story"].help_text = gettext_lazy("Why you are fundraising. Up to 5,000 characters.")
        if self.instance.pk and self.instance.team_id:
            self.fields["team"].initial = self.instance.team_id

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        return photo or None


class PageGiftForm(DonationForm):
    """The campaign's donation form, for a gift through a supporter's page: once only (no
    monthly), no earmark; the donor chooses how they appear and may leave a message, shown
    once staff have read it."""

    display = forms.ChoiceField(
        label=gettext_lazy("How should we show your gift on this page?"),
        choices=Gift.Display.choices,
        widget=forms.RadioSelect,
        initial=Gift.Display.FULL_NAME,
    )
    donor_name = forms.CharField(
        label=gettext_lazy("Your name (unless you give anonymously)"),
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=32)

    def __init__(self, *args, fundraising_page, **kwargs):
        super().__init__(*args, page=fundraising_page.campaign, **kwargs)
        for name in ("frequency", "earmark", "anonymous"):
            self.fields.pop(name, None)
        self.fields["message"].help_text = gettext_lazy(
            "Shown on the page once our team has read it. Your email address is never shown."
        )
        self.fields["email"].help_text = gettext_lazy(
            "For your receipt. The fundraiser never sees it. We never share it."
        )

    def clean(self):
        cleaned = super().clean()
        display = cleaned.get("display")
        if display and display != Gift.Display.ANONYMOUS and not (cleaned.get("donor_name") or "").strip():
            self.add_error("donor_name", gettext_lazy("Type your name, or choose to give anonymously."))
        return cleaned


class HideForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note to the fundraiser (optional)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
