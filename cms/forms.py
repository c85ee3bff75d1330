from django import forms
from django.utils.translation import gettext_lazy as _

HONEYPOT_FIELD = "website_url"


def add_honeypot(form_class: type[forms.Form]) -> type[forms.Form]:
    """Return `form_class` with a field people never see and spam robots fill in."""
    honeypot = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    return type(form_class.__name__, (form_class,), {HONEYPOT_FIELD: honeypot, "honeypot_field_name": HONEYPOT_FIELD})
