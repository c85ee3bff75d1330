"""The currencies Thrive takes money in, spelt as ISO 4217 does ("GBP"). Shared by cms (a
chapter's currency) and payments (`core.money` formats and parses amounts with these)."""

from django.utils.translation import gettext_lazy as _

# code: (symbol, what amounts are counted in, for help texts; translated when shown)
CURRENCIES = {
    "GBP": ("£", _("pounds")),
    "EUR": ("€", _("euros")),
    "USD": ("$", _("dollars")),
}
CURRENCY_CHOICES = [(code, f"{code} ({symbol})") for code, (symbol, _unit) in CURRENCIES.items()]


def currency_code(currency: str) -> str:
    """The ISO 4217 spelling of a currency code ("gbp" -> "GBP")."""
    return str(currency).strip().upper()
