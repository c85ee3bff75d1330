"""The sign-up form, the member's choices, the "keep me posted" box other apps' forms add,
and the mailing-list form of the admin."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import EmailField, add_honeypot
from newsletters.consent import ACCOUNT_WORDING, KEEP_POSTED_WORDING, SIGN_UP_WORDING
from newsletters.models import MailingList
from newsletters.services.subscriptions import keep_posted_lists

KEEP_POSTED_FIELD = "keep_posted"


class ListsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return f"{obj.name}: {obj.description}" if obj.description else obj.name


class _SubscribeForm(forms.Form):
    email = EmailField(
        label=_("Email address"),
        help_text=_("Choose an address that is safe for you. We send a link to it to confirm."),
        error_messages={
            "required": _("Enter the email address the newsletter should go to."),
            "invalid": _("This does not look like an email address. Check it, for example name@example.org."),
        },
    )
    lists = ListsField(
        label=_("Newsletters"),
        queryset=MailingList.objects.none(),
        error_messages={"required": _("Tick at least one newsletter.")},
    )

    def __init__(self, *args, offered, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lists"].queryset = offered
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["lists"].help_text = SIGN_UP_WORDING  # never ticked for them: consent is their act


SubscribeForm = add_honeypot(_SubscribeForm)


class MemberListsForm(forms.Form):
    lists = ListsField(
        label=_("Newsletters I receive"), queryset=MailingList.objects.none(), required=False, help_text=ACCOUNT_WORDING
    )

    def __init__(self, *args, offered, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lists"].queryset = offered


def add_keep_posted(form: forms.Form, *, language: str) -> None:
    """Add the unticked "keep me posted" box to `form` (donation, booking) when `language` has
    a public list offered on forms. Never ticked for anyone: ticking it is the person's own
    choice (members in discreet mode included)."""
    if keep_posted_lists(language=language).exists():
        form.fields[KEEP_POSTED_FIELD] = forms.BooleanField(label=KEEP_POSTED_WORDING, required=False, initial=False)


def keep_posted_ticked(form: forms.Form) -> bool:
    return bool(KEEP_POSTED_FIELD in form.fields and form.cleaned_data.get(KEEP_POSTED_FIELD))


class MailingListForm(forms.ModelForm):
    class Meta:
        model = MailingList
        fields = ["name", "slug", "description", "audience", "chapter", "language", "offered_on_forms"]
