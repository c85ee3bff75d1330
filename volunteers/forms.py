"""Volunteering forms: the application and preferences (volunteers), roles, decisions, checks
and shifts (staff). Forms parse; services decide."""

import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from volunteers.models import CheckLevel, CheckStatus, NameShown, Role, Shift, Volunteer

TEXT_LIMIT = 3000


class ApplicationForm(forms.Form):
    roles = forms.ModelMultipleChoiceField(
        label=_("Roles you would like to do"),
        queryset=Role.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one role.")},
    )
    name = forms.CharField(
        label=_("Your name"),
        max_length=120,
        help_text=_("Staff use it, and it is printed on your certificate of hours."),
        error_messages={
            "required": _("Write your name: staff need it, and it is printed on your certificate of hours.")
        },
    )
    name_shown = forms.ChoiceField(
        label=_("How other volunteers on a shift see you"),
        choices=NameShown.choices,
        initial=NameShown.HIDDEN,
        widget=forms.RadioSelect,
        help_text=_("Staff running a shift always see your name. Nobody else does unless you choose it here."),
    )
    chosen_name = forms.CharField(
        label=_("The name to show"), max_length=60, required=False, help_text=_("Only if you chose “A name I choose”.")
    )
    phone = forms.CharField(label=_("Phone number for the day of a shift (optional)"), max_length=40, required=False)
    about = forms.CharField(
        label=_("Why would you like to volunteer? (optional)"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    availability = forms.CharField(
        label=_("When are you usually free? (optional)"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].queryset = Role.objects.filter(open_for_applications=True)


class PreferencesForm(forms.Form):
    name = ApplicationForm.base_fields["name"]
    name_shown = ApplicationForm.base_fields["name_shown"]
    chosen_name = ApplicationForm.base_fields["chosen_name"]
    phone = ApplicationForm.base_fields["phone"]


class RoleForm(forms.ModelForm):
    class Meta:
        model = Role
        fields = ["name", "involves", "check_needed", "open_for_applications", "order"]
        widgets = {"involves": forms.Textarea(attrs={"rows": 4})}


class DecisionForm(forms.Form):
    """One checkbox per role the volunteer asked for: ticked is approved."""

    approved_roles = forms.ModelMultipleChoiceField(
        label=_("Approve for these roles"),
        queryset=Role.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Roles left unticked are not approved. With none ticked, the application is declined."),
    )

    def __init__(self, *args, volunteer: Volunteer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approved_roles"].queryset = Role.objects.filter(approvals__volunteer=volunteer)
        self.fields["approved_roles"].initial = list(
            volunteer.approvals.filter(status="approved").values_list("role_id", flat=True)
        )


class CheckForm(forms.Form):
    check_level = forms.ChoiceField(label=_("Level of check"), choices=CheckLevel.choices)
    check_status = forms.ChoiceField(label=_("Status"), choices=CheckStatus.choices)
    check_date = forms.DateField(
        label=_("Date the check was done"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Record the status and date only: never upload the certificate or write its number."),
    )


class ShiftForm(forms.ModelForm):
    """A shift's day and times are typed in its own time zone."""

    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("Ends at"), widget=forms.TimeInput(attrs={"type": "time"}))

    class Meta:
        model = Shift
        fields = ["role", "event", "title", "day", "start_time", "end_time", "time_zone", "place", "places", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from events.models import EventPage  # noqa: PLC0415

        self.fields["event"].queryset = EventPage.objects.filter(ends_at__gte=timezone.now()).order_by("starts_at")
        self.fields["places"].help_text = _("How many volunteers this shift needs.")
        if self.instance.pk:
            zone = ZoneInfo(self.instance.time_zone)
            start, end = self.instance.starts_at.astimezone(zone), self.instance.ends_at.astimezone(zone)
            self.initial.update(day=start.date(), start_time=start.time(), end_time=end.time())

    def clean_time_zone(self):
        name = self.cleaned_data["time_zone"].strip()
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError(_("Write a time zone such as Europe/London.")) from None
        return name

    def clean(self):
        data = super().clean()
        day, start, end, zone = (data.get(k) for k in ("day", "start_time", "end_time", "time_zone"))
        if day and start and end and zone:
            tz = ZoneInfo(zone)
            starts_at = datetime.datetime.combine(day, start, tzinfo=tz)
            ends_at = datetime.datetime.combine(day, end, tzinfo=tz)
            if ends_at <= starts_at:
                self.add_error("end_time", _("The shift must end after it starts (shifts end on the day they start)."))
            elif not self.instance.pk and starts_at <= timezone.now():
                self.add_error("day", _("Choose a day and time in the future."))
            self.instance.starts_at, self.instance.ends_at = starts_at, ends_at
        return data


def attendance_form_class(sign_ups, default_hours):
    """A form with, per sign-up, an "attended" box and the hours (default: the shift's length)."""
    fields = {}
    for sign_up in sign_ups:
        fields[f"attended_{sign_up.pk}"] = forms.BooleanField(
            label=_("Attended"), required=False, initial=sign_up.attended
        )
        fields[f"hours_{sign_up.pk}"] = forms.DecimalField(
            label=_("Hours"),
            required=False,
            min_value=0,
            max_value=24,
            decimal_places=1,
            max_digits=4,
            initial=sign_up.hours if sign_up.hours is not None else default_hours,
        )
    return type("AttendanceForm", (forms.Form,), fields)
