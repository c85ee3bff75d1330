"""Form fields and form helpers shared by every app."""

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# What every email column holds: Django's models.EmailField default and allauth's
# ACCOUNT_EMAIL_MAX_LENGTH (RFC 5321's 254-character path limit). Django's forms.EmailField
# allows 320, so a longer address passed the form and failed at the database (a 500).
EMAIL_MAX_LENGTH = 254


def _email_too_long() -> str:
    return gettext("This email address is too long: it can have at most %(limit)d characters.") % {
        "limit": EMAIL_MAX_LENGTH
    }


# Lazy: translated where it is shown, in that request's language.
EMAIL_TOO_LONG = lazy(_email_too_long, str)()


def validate_sendable_email(value: str) -> None:
    """Refuse an address whose domain cannot be written in an email's headers. Django's
    EmailValidator lets through some characters IDNA refuses (a right-to-left override, for
    one), and sending to such an address raised UnicodeEncodeError: a 500 on the password
    reset form (found by core/tests/test_hostile_input_fuzz.py)."""
    domain = value.rpartition("@")[2]
    try:
        domain.encode("idna")  # what django.core.mail does to every address's domain
    except UnicodeError:
        raise forms.ValidationError(
            _("This email address cannot be used: its part after @ has characters no email system accepts."),
            code="invalid",
        ) from None


class EmailField(forms.EmailField):
    """An email address of at most EMAIL_MAX_LENGTH characters, refused in words when longer.
    Use it (not django.forms.EmailField) for every address that is stored."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", EMAIL_MAX_LENGTH)
        kwargs["error_messages"] = {
            "max_length": EMAIL_TOO_LONG,
            **kwargs.get("error_messages", {}),
        }
        super().__init__(**kwargs)
        self.validators.append(validate_sendable_email)


# The honeypot: a field people never see (hidden by includes/form_fields.html) and spam robots
# fill in. `core.guard.guard_public_post` answers a filled one as if it succeeded.
HONEYPOT_FIELD = "website_url"


def add_honeypot(form_class: type[forms.Form]) -> type[forms.Form]:
    """Return `form_class` with a field people never see and spam robots fill in."""
    honeypot = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    return type(form_class.__name__, (form_class,), {HONEYPOT_FIELD: honeypot, "honeypot_field_name": HONEYPOT_FIELD})


def form_errors_from(form, error) -> None:
    """A service's refusal (a ValidationError) shown on the form: on its field when it names
    one, else on top."""
    if hasattr(error, "error_dict"):
        for field, field_messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_messages)
    else:
        form.add_error(None, error.messages)
