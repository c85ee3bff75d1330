"""The organisation's request form (public, or prefilled for a partner contact).

The fee is typed in the chosen chapter's currency: the chapter is cleaned first (it is
declared first) and sets the fee box's currency before the fee is parsed. Dates and times
are typed as they read where the engagement happens, in the chosen time zone (the chapter's
unless another is chosen), and cleaned to aware datetimes. The rules a request must meet
(flagged organisation, dates, anonymity, venue, the minimum fee) are the service's
(`voices.services.requests.voice_request_check`); `add_service_errors` puts its refusal on
the form.
"""

import datetime
import zoneinfo
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cms.models import Chapter
from core.forms import EmailField, add_honeypot
from core.money_fields import MoneyFormField
from voices.models import Kind, VoiceRequest

# The service's field names -> this form's.
SERVICE_FIELDS = {
    "starts_at": "start_date",
    "ends_at": "end_date",
    "fee_offered_minor": "fee_offered",
}


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _time_input():
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ChapterChoiceField(forms.ModelChoiceField):
    """Each chapter with its currency ("United States (USD)"): the fee box below is read in it,
    and its symbol changes only when the page is sent again (no script)."""

    def label_from_instance(self, chapter):
        return f"{chapter.name} ({chapter.currency})"


class VoiceRequestForm(forms.Form):
    chapter = ChapterChoiceField(
        label=_("Chapter"),
        queryset=Chapter.objects.order_by("name"),
        empty_label=None,
        help_text=_("The chapter nearest to where the engagement happens: its currency and minimum fee apply."),
    )
    organisation_name = forms.CharField(label=_("Organisation"), max_length=200)
    contact_name = forms.CharField(label=_("Your name"), max_length=120)
    contact_email = EmailField(
        label=_("Your email address"), help_text=_("We send the private link to follow your request here.")
    )
    kind = forms.ChoiceField(label=_("What you are asking for"), choices=Kind.choices)
    topic = forms.CharField(label=_("Topic"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_("Who it is for, what you hope the survivor leader will share, and what will happen on the day."),
    )
    start_date = forms.DateField(label=_("Starts on"), widget=_date_input())
    start_time = forms.TimeField(label=_("Starts at"), widget=_time_input())
    end_date = forms.DateField(
        label=_("Ends on"), widget=_date_input(), required=False, help_text=_("Leave empty if it ends the same day.")
    )
    end_time = forms.TimeField(label=_("Ends at"), widget=_time_input())
    time_zone = forms.ChoiceField(
        label=_("Time zone of these times"),
        required=False,
        help_text=_("Leave as it is for the chapter’s own time zone."),
    )
    format = forms.ChoiceField(
        label=_("Online or in person"), choices=VoiceRequest.Format.choices, widget=forms.RadioSelect
    )
    venue = forms.CharField(
        label=_("Venue"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("The address, for an in-person request."),
    )
    access = forms.CharField(
        label=_("Access"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Step-free access, hearing loop, quiet room…"),
    )
    audience_size = forms.IntegerField(label=_("Audience size"), min_value=0, max_value=1_000_000)
    recorded = forms.BooleanField(label=_("It will be recorded"), required=False)
    public = forms.BooleanField(label=_("It is open to the public"), required=False)
    anonymity = forms.CharField(
        label=_("How anonymity is protected"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_(
            "Required for media and recorded requests: for example voice altered, face not shown, first name only."
        ),
    )
    hours = forms.DecimalField(
        label=_("Hours of each survivor’s time"),
        max_digits=5,
        decimal_places=1,
        min_value=Decimal("0.5"),
        max_value=Decimal("200"),
        help_text=_("Including preparation and travel, for example 3 or 2.5."),
    )
    places = forms.IntegerField(label=_("Survivor leaders wanted"), min_value=1, max_value=50, initial=1)
    fee_offered = MoneyFormField(
        label=_("Fee offered to each survivor leader"),
        allow_zero=False,
        help_text=_("For the whole engagement, in the chapter’s currency."),
    )
    expenses_covered = forms.BooleanField(label=_("You cover travel and other expenses"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [("", _("The chapter’s time zone"))] + [
            (zone, zone) for zone in settings.WAGTAIL_USER_TIME_ZONES
        ]
        # The fee box shows the currency of the chapter chosen (or offered first).
        chapter = self._chapter_guess()
        if chapter is not None:
            self.fields["fee_offered"].currency = chapter.currency

    def _chapter_guess(self) -> Chapter | None:
        if self.is_bound:
            value = self.data.get(self.add_prefix("chapter"))
        else:
            value = self.initial.get("chapter")
            if isinstance(value, Chapter):
                return value
        if value and str(value).isdigit():
            found = Chapter.objects.filter(pk=value).first()
            if found is not None:
                return found
        return None if self.is_bound else self.fields["chapter"].queryset.first()

    def clean_chapter(self):
        chapter = self.cleaned_data["chapter"]
        # Declared before the fee: the fee is parsed in this chapter's currency.
        self.fields["fee_offered"].currency = chapter.currency
        return chapter

    def clean(self):
        data = super().clean()
        chapter = data.get("chapter")
        zone_name = data.get("time_zone") or (chapter.time_zone if chapter else "")
        if not zone_name:
            return data
        try:
            zone = zoneinfo.ZoneInfo(zone_name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            self.add_error("time_zone", _("Choose a time zone from the list."))
            return data
        data["time_zone"] = zone_name
        start_date, start_time, end_time = data.get("start_date"), data.get("start_time"), data.get("end_time")
        if start_date and start_time and end_time:
            end_date = data.get("end_date") or start_date
            data["starts_at"] = datetime.datetime.combine(start_date, start_time, tzinfo=zone)
            data["ends_at"] = datetime.datetime.combine(end_date, end_time, tzinfo=zone)
        return data

    def service_fields(self) -> dict:
        """What `voice_request_submit` takes (besides the chapter, partner and person)."""
        data = self.cleaned_data
        names = [
            "organisation_name",
            "contact_name",
            "contact_email",
            "kind",
            "topic",
            "description",
            "starts_at",
            "ends_at",
            "time_zone",
            "format",
            "venue",
            "access",
            "audience_size",
            "recorded",
            "public",
            "anonymity",
            "hours",
            "places",
            "expenses_covered",
        ]
        return {name: data[name] for name in names} | {"fee_offered_minor": data["fee_offered"]}

    def add_service_errors(self, error: ValidationError) -> None:
        """The service's refusal on the form: its fields' errors on those fields, anything
        else (a flagged organisation) above the form."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                field = SERVICE_FIELDS.get(name, name)
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)


PublicVoiceRequestForm = add_honeypot(VoiceRequestForm)
