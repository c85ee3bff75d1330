"""Money is an integer number of minor units (pence, cents) and an ISO 4217 currency code.

Currency codes are spelt as ISO 4217 does, in capitals ("GBP"), everywhere in our models and
code; only `payments.gateway` lowers them for Stripe (and raises Stripe's answers back).

This module is the one place that turns money into text (`format_money`, `format_major`)
and text into money (`parse_major`). The form field and widget that take money in major
units are in `core.money_fields`.

Money shown to people follows the active interface language (issue 16): `format_money` writes
English exactly as it always has ("£15.50", "$1,000.00", "12.50 CHF") and every other language
with Babel's CLDR currency format for its locale (vi "15,50 £", sq "1 000,00 £", ar
"\u200f15.50 UK£"). `format_major` (form boxes, CSV columns) never depends on the language.
`parse_major` reads English everywhere and, in a language whose decimal separator is a comma
(sq, vi), also what a person there types ("15,50", "1.000,50", "1 000,50").
"""

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_symbol, get_decimal_symbol, get_group_symbol
from django.utils import translation

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
# Space-like characters a locale may group thousands with, and that people type for them.
_SPACES = " \u00a0\u202f"
# Direction marks CLDR puts around Arabic amounts; they carry no meaning for the amount.
_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u061c"), None)
# Arabic decimal and thousands separators, read as the point and the comma.
_ARABIC_SEPARATORS = str.maketrans({"\u066b": ".", "\u066c": ","})


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


@lru_cache(maxsize=32)
def _babel_locale(language: str) -> Locale | None:
    try:
        return Locale.parse(translation.to_locale(language))
    except (UnknownLocaleError, ValueError):
        return None


def _active_locale() -> Locale | None:
    """Babel's locale for the active interface language; None for English (and for a language
    Babel does not know), which keeps the English way of writing money."""
    language = translation.get_language()
    if not language or language.split("-")[0].lower() == "en":
        return None
    return _babel_locale(language)


def format_money(amount_minor: int, currency: str) -> str:
    """£12.50, €3.00, $1,000.00, or "12.50 CHF" for currencies without a symbol here, in
    English; the active language's CLDR currency format otherwise ("15,50 £" in Vietnamese)."""
    places = exponent(currency)
    major = Decimal(int(amount_minor)).scaleb(-places)
    locale = _active_locale()
    if locale is not None:
        return format_currency(major, currency_code(currency), locale=locale)
    text = f"{major:,.{places}f}"
    symbol = SYMBOLS.get(currency_code(currency))
    if symbol:
        return f"-{symbol}{text[1:]}" if text.startswith("-") else f"{symbol}{text}"
    return f"{text} {currency_code(currency)}"


def _strip_currency(text: str, code: str, symbols: list[str]) -> tuple[str, bool]:
    """The text without the currency's code or symbols before or after it, and whether a
    minus sign was met on the way."""
    cleaned = text.strip()
    negative = False
    for _ in range(3):  # "-£15", "£-15", "15,50 £", "-15.50 GBP"
        if cleaned.startswith("-"):
            negative, cleaned = True, cleaned[1:].strip()
        if cleaned.upper().endswith(code):
            cleaned = cleaned[: -len(code)].strip()
        for symbol in symbols:
            if cleaned.startswith(symbol):
                cleaned = cleaned[len(symbol) :].strip()
            if cleaned.endswith(symbol):
                cleaned = cleaned[: -len(symbol)].strip()
    return cleaned, negative


def _decimal_places(digits: str, decimal_point: str) -> int:
    _whole, point, fraction = digits.partition(decimal_point)
    return len(fraction) if point else 0


def _local_reading(cleaned: str, locale: Locale) -> tuple[str, int] | None:
    """(plain digits with a point, decimal places typed) for an amount written the way a
    language whose decimal separator is a comma writes it ("15,50", "1.000,50", "1 000,50");
    None when it is not written so, or the language writes the point as English does."""
    if get_decimal_symbol(locale) != ",":
        return None
    group = get_group_symbol(locale)
    groups = re.escape(_SPACES if group.strip() == "" else group)
    if not re.fullmatch(rf"(\d{{1,3}}([{groups}]\d{{3}})+|\d+)?(,\d*)?", cleaned):
        return None
    digits = re.sub(rf"[{groups}]", "", cleaned).replace(",", ".")
    return digits, _decimal_places(digits, ".")


def _english_reading(cleaned: str) -> tuple[str, int] | None:
    if not _AMOUNT.fullmatch(cleaned):
        return None
    digits = cleaned.replace(",", "")
    return digits, _decimal_places(digits, ".")


def parse_major(text: str, currency: str, *, allow_zero: bool = False, localized: bool = True) -> int:
    """What a person typed ("12", "12.5", "£1,000.00", "12.50 GBP") in minor units.

    In a language whose decimal separator is a comma (sq, vi), what a person there types is
    read too: "15,50", "1.000,50" (vi), "1 000,50" (sq), "15,50 £". When both readings fit
    ("1,000", vi "15.500"), the one with no more decimal places than the currency has wins,
    so a box's own "15.50" stays 15.50. `localized=False` reads English only (stored settings,
    which must not mean different amounts in different languages).

    Raises MoneyError (a ValueError) for anything else: "invalid" (not an amount, or, in
    English, a comma used as the decimal point), "negative", "zero" (unless `allow_zero`),
    "decimals" (more decimal places than the currency has: 15.505)."""
    code = currency_code(currency)
    places = exponent(code)
    locale = _active_locale() if localized else None
    symbols = [SYMBOLS.get(code, "")]
    text = str(text)
    if locale is not None:
        symbols.append(get_currency_symbol(code, locale))
        text = text.translate(_MARKS).translate(_ARABIC_SEPARATORS)
    symbols = sorted({symbol for symbol in symbols if symbol}, key=len, reverse=True)
    cleaned, negative = _strip_currency(text, code, symbols)
    if not cleaned or cleaned in ".,":
        raise MoneyError("invalid")
    readings = [reading for reading in (_english_reading(cleaned),) if reading]
    if locale is not None:
        local = _local_reading(cleaned, locale)
        if local and local[0] not in [digits for digits, _places in readings]:
            readings.append(local)
        # Several readings: keep those that fit the currency ("1,000" in vi is a thousand).
        fitting = [reading for reading in readings if reading[1] <= places]
        if len(readings) > 1 and fitting:
            readings = fitting[:1]
    if not readings:
        raise MoneyError("invalid")
    digits, typed_places = readings[0]
    value = Decimal(digits.rstrip(".") or "0")
    if negative and value:
        raise MoneyError("negative")
    try:
        whole_units = value.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:  # more digits than a Decimal context holds: no real amount
        raise MoneyError("invalid") from None
    if value != whole_units or (locale is not None and typed_places > places):
        raise MoneyError("decimals")
    if value == 0 and not allow_zero:
        raise MoneyError("zero")
    return int(value.scaleb(places))
