"""The one way people type money: a box in major units (15 or 15.50) with the currency's
symbol beside it, stored as integer minor units.

- `MoneyInput` is the widget: a text box (decimal keyboard on phones) between the symbol and
  the code, "£ [15.50] GBP".
- `MoneyFormField` parses with `core.money.parse_major` and refuses, in words, what is not
  an amount, negative, has too many decimals or is beyond a sane maximum.
- `MinorAmountField` is the model field: a PositiveIntegerField (the column stays integer
  minor units) whose form field is the above. `currency_attr` names the attribute of the
  model instance that gives its currency (the event's chapter's, the page's own); while that
  is unknown (a new page with no chapter yet) the default currency is used and the help text
  says so. Model forms, Wagtail's page editor and InlinePanel child forms find the currency
  through the bound form's instance (`MoneyFormField.get_bound_field`); an InlinePanel's new
  child forms know their parent through `ParentLinkedChildFormSet` (see `MoneyInlinePanel`).
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.forms import BaseChildFormSet
from wagtail.admin.panels import InlinePanel

from core.money import (
    MONEY_INPUT_MAX_MINOR,
    MoneyError,
    currency_code,
    currency_symbol,
    currency_unit_name,
    format_major,
    format_money,
    parse_major,
)


def default_currency() -> str:
    return currency_code(settings.PAYMENTS_DEFAULT_CURRENCY)


class MoneyInput(forms.TextInput):
    """A text box (not type=number: it would take 15.505 and "1e3" and drop what it cannot
    read) with the currency's symbol before it and its code after it."""

    def __init__(self, attrs=None, currency: str | None = None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", "size": 12, **(attrs or {})})
        self.currency = currency

    def render(self, name, value, attrs=None, renderer=None):
        code = currency_code(self.currency or default_currency())
        symbol = currency_symbol(code)
        box = super().render(name, value, attrs, renderer)
        before = ""
        if symbol != code:
            before = format_html('<span class="money-input__symbol" aria-hidden="true">{}</span>', symbol)
        return format_html(
            '<span class="money-input">{}{}<span class="money-input__code">{}</span></span>', before, box, code
        )


class MoneyFormField(forms.Field):
    """An amount typed in major units; cleans to integer minor units (None when empty and not
    required). `currency` may be set after construction (the bound form's instance decides it
    when `currency_attr` is given)."""

    widget = MoneyInput
    default_error_messages = {
        "required": _("Type an amount, such as 15 or 15.50."),
        "invalid": _("Type an amount in %(unit)s using digits and a point, such as 15 or 15.50."),
        "negative": _("The amount cannot be negative: type an amount such as 15 or 15.50."),
        "zero": _("Type an amount of more than %(zero)s."),
        "decimals": _("Use at most two decimal places (pence or cents), such as 15.50."),
        "too_large": _("That is more than %(limit)s, the most this box takes. Type a smaller amount."),
    }

    def __init__(
        self,
        *,
        currency: str | None = None,
        currency_attr: str | None = None,
        allow_zero: bool = True,
        max_minor: int = MONEY_INPUT_MAX_MINOR,
        **kwargs,
    ):
        self.currency_attr = currency_attr
        self.allow_zero = allow_zero
        self.max_minor = max_minor
        self.base_help_text = kwargs.get("help_text") or ""
        super().__init__(**kwargs)
        self.currency = currency

    @property
    def currency(self) -> str:
        return self._currency

    @currency.setter
    def currency(self, value: str | None) -> None:
        self.currency_known = bool(value)
        self._currency = currency_code(value or default_currency())
        if isinstance(self.widget, MoneyInput):
            self.widget.currency = self._currency
        self.help_text = self._help_text()

    def _help_text(self) -> str:
        unit = currency_unit_name(self._currency)
        if self.currency_known or not self.currency_attr:
            where = gettext("In %(unit)s, for example 15 or 15.50.") % {"unit": unit}
        else:
            where = gettext(
                "In %(unit)s, for example 15 or 15.50 (the default currency until a chapter is chosen)."
            ) % {"unit": unit}
        return f"{self.base_help_text} {where}".strip()

    def get_bound_field(self, form, field_name):
        instance = getattr(form, "instance", None)
        if self.currency_attr and instance is not None:
            self.currency = getattr(instance, self.currency_attr, None)
        return super().get_bound_field(form, field_name)

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return format_major(value, self._currency)
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            return parse_major(value, self._currency, allow_zero=self.allow_zero)
        except MoneyError as error:
            raise ValidationError(
                self.error_messages[error.code],
                code=error.code,
                params={"unit": currency_unit_name(self._currency), "zero": format_money(0, self._currency)},
            ) from None

    def validate(self, value):
        super().validate(value)
        if value is not None and value > self.max_minor:
            raise ValidationError(
                self.error_messages["too_large"],
                code="too_large",
                params={"limit": format_money(self.max_minor, self._currency)},
            )


class MinorAmountField(models.PositiveIntegerField):
    """Integer minor units in the database; major units with the currency's symbol in forms.
    `currency_attr`: the name of the instance's attribute that gives its currency code (or
    None while it is not known)."""

    def __init__(self, *args, currency_attr: str | None = None, max_minor: int = MONEY_INPUT_MAX_MINOR, **kwargs):
        self.currency_attr = currency_attr
        self.max_minor = max_minor
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.currency_attr:
            kwargs["currency_attr"] = self.currency_attr
        if self.max_minor != MONEY_INPUT_MAX_MINOR:
            kwargs["max_minor"] = self.max_minor
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        defaults = {
            "form_class": MoneyFormField,
            "currency_attr": self.currency_attr,
            "max_minor": self.max_minor,
        }
        defaults.update(kwargs)
        # IntegerField.formfield would add min_value/max_value (not ours); go to Field's.
        return models.Field.formfield(self, **defaults)


class ParentLinkedChildFormSet(BaseChildFormSet):
    """modelcluster's child formset, except that a new child form's instance is linked to the
    parent (as Django's own inline formsets do), so a money box in it knows the parent's
    currency before the first save."""

    def _link(self, form):
        if getattr(form.instance, self.fk.attname, None) is None:
            setattr(form.instance, self.fk.name, self.instance)
        return form

    def _construct_form(self, i, **kwargs):
        return self._link(super()._construct_form(i, **kwargs))

    @property
    def empty_form(self):
        return self._link(super().empty_form)


class MoneyInlinePanel(InlinePanel):
    """An InlinePanel whose child forms' money boxes show the parent page's currency."""

    def get_form_options(self):
        options = super().get_form_options()
        options["formsets"][self.relation_name]["formset"] = ParentLinkedChildFormSet
        return options
