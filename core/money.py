"""Money is an integer number of minor units (pence, cents) and an ISO 4217 currency code.

Currency codes are spelt as ISO 4217 does, in capitals ("GBP"), everywhere in our models and
code; only `payments.gateway` lowers them for Stripe (and raises Stripe's answers back).

This module is the one place that turns money into text (`format_money`, `format_major`)
and text into money (`parse_major`). The form field and widget that take money in major
units are in `core.money_fields`.
"""

import re
from decimal import Decimal, InvalidOperation

from core.currencies import CURRENCIES, CURRENCY_CHOICES, currency_code  # noqa: F401 (CURRENCY_CHOICES re-exported)

SYMBOLS = {code: symbol for code, (symbol, _unit) in CURRENCIES.items()}
# What the amount is counted in, for help texts ("in pounds (GBP)").
UNIT_NAMES = {code: unit for code, (_symbol, unit) in CURRENCIES.items()}
# Currencies whose minor unit is not a hundredth (Stripe's zero-decimal currencies we may meet).
EXPONENTS = {"JPY": 0, "KRW": 0}
# The most any money box accepts (a price, a target): 100,000.00 in major units.
MONEY_INPUT_MAX_MINOR = 10_000_000

# Digits with an optional decimal part; thousands may be grouped with commas (1,000.50).
_AMOUNT = re.compile(r"(\d{1,3}(,\d{3})+|\d+)?(\.\d*)?")


class MoneyError(ValueError):
    """What a person typed is not an amount of money we take; `code` says why:
    "invalid", "negative", "zero" or "decimals"."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def exponent(currency: str) -> int:
    return EXPONENTS.get(currency_code(currency), 2)


def currency_symbol(currency: str) -> str:
    """£, € or $; the code itself for a currency without a symbol here."""
    code = currency_code(currency)
    return SYMBOLS.get(code, code)


def currency_unit_name(currency: str) -> str:
    """ "pounds (GBP)", "dollars (USD)", or just the code."""
    code = currency_code(currency)
    return f"{UNIT_NAMES[code]} ({code})" if code in UNIT_NAMES else code


def format_major(amount_minor: int, currency: str) -> str:
    """The plain major amount, for a form box or a CSV column: 2000 -> "20.00" (no symbol,
    no thousands separator)."""
    places = exponent(currency)
    return f"{Decimal(int(amount_minor)).scaleb(-places):.{places}f}"


def format_money(amount_minor: int, currency: str) -> str:
    """£12.50, €3.00, $1,000.00, or "12.50 CHF" for currencies without a symbol here."""
    places = exponent(currency)
    major = Decimal(int(amount_minor)).scaleb(-places)
    text = f"{major:,.{places}f}"
    symbol = SYMBOLS.get(currency_code(currency))
    if symbol:
        return f"-{symbol}{text[1:]}" if text.startswith("-") else f"{symbol}{text}"
    return f"{text} {currency_code(currency)}"


def parse_major(text: str, currency: str, *, allow_zero: bool = False) -> int:
    """What a person typed ("12", "12.5", "£1,000.00", "12.50 GBP") in minor units.

    Raises MoneyError (a ValueError) for anything else: "invalid" (not an amount, or a
    comma used as the decimal point), "negative", "zero" (unless `allow_zero`), "decimals"
    (more decimal places than the currency has: 15.505)."""
    code = currency_code(currency)
    cleaned = str(text).strip()
    if cleaned.upper().endswith(code):
        cleaned = cleaned[: -len(code)].strip()
    negative = cleaned.startswith("-")
    cleaned = cleaned.removeprefix("-").strip()
    symbol = SYMBOLS.get(code, "")
    if symbol and cleaned.startswith(symbol):
        cleaned = cleaned[len(symbol) :].strip()
    negative = negative or cleaned.startswith("-")
    cleaned = cleaned.removeprefix("-").strip()
    if not cleaned or cleaned == "." or not _AMOUNT.fullmatch(cleaned):
        raise MoneyError("invalid")
    value = Decimal(cleaned.replace(",", "").rstrip(".") or "0")
    if negative and value:
        raise MoneyError("negative")
    places = exponent(code)
    try:
        whole_units = value.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:  # more digits than a Decimal context holds: no real amount
        raise MoneyError("invalid") from None
    if value != whole_units:
        raise MoneyError("decimals")
    if value == 0 and not allow_zero:
        raise MoneyError("zero")
    return int(value.scaleb(places))
