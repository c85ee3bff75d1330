"""Staff forms of survivor voices (the admin): publishing a request, flagging an organisation,
the minimum fee policy, recording a payment."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import STAFF_GROUPS
from certificates.models import CertificateTemplate
from cms.models import Chapter
from training.models import CoursePage
from voices.models import FeePolicy, Opportunity


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = obj.get_full_name()
        return f"{name} ({obj.email})" if name else obj.email


def staff_users():
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_staff=True) | Q(is_superuser=True) | Q(groups__name__in=STAFF_GROUPS))
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


class PublishForm(forms.ModelForm):
    """Turn a request into an opportunity for the members who meet every condition chosen."""

    staff_contact = StaffChoiceField(
        label=_("Staff contact"),
        queryset=staff_users(),
        help_text=_("Named on every engagement and its brief: who the member calls if anything goes wrong."),
    )
    eligible_course = forms.ModelChoiceField(
        label=_("Completed the course"),
        queryset=CoursePage.objects.none(),
        required=False,
        empty_label=_("Any (no course needed)"),
    )
    eligible_certificate_template = forms.ModelChoiceField(
        label=_("Holds a certificate of"),
        queryset=CertificateTemplate.objects.order_by("name"),
        required=False,
        empty_label=_("Any (no certificate needed)"),
    )
    eligible_chapter = forms.ModelChoiceField(
        label=_("In the chapter"),
        queryset=Chapter.objects.order_by("name"),
        required=False,
        empty_label=_("Any chapter"),
    )
    closes_at = forms.DateTimeField(
        label=_("Interest closes"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    class Meta:
        model = Opportunity
        fields = [
            "title",
            "summary",
            "will_be_asked",
            "will_not_be_asked",
            "ask_for",
            "staff_contact",
            "eligible_course",
            "eligible_certificate_template",
            "eligible_chapter",
            "closes_at",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "will_be_asked": forms.Textarea(attrs={"rows": 3}),
            "will_not_be_asked": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, time_zone: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff_contact"].queryset = staff_users()
        self.fields["eligible_course"].queryset = CoursePage.objects.live().order_by("title")
        if time_zone:
            self.fields["closes_at"].help_text = _(
                "Optional. In the request's time zone (%(zone)s); before the engagement starts."
            ) % {"zone": time_zone}

    def clean_closes_at(self):
        closes_at = self.cleaned_data.get("closes_at")
        if closes_at and closes_at <= timezone.now():
            raise forms.ValidationError(_("That time has passed: choose a time in the future, or leave it empty."))
        return closes_at


class FlagForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (staff only)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Never shown to the organisation."),
    )


class FeePolicyForm(forms.ModelForm):
    """The chapter's minimum, typed in its currency (the instance's chapter decides it)."""

    class Meta:
        model = FeePolicy
        fields = ["unit", "minimum_minor", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


class PaidForm(forms.Form):
    reference = forms.CharField(
        label=_("Payment reference"),
        max_length=80,
        help_text=_("As the bank or payroll shows it, to find the payment later."),
    )


SORTS = (("fewest", _("Fewest recent engagements first")), ("interest", _("Date of interest")))
