"""Money is an integer number of minor units (pence, cents) and an ISO 4217 currency code.

This module is the one place that turns it into text and back.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

SYMBOLS = {"gbp": "£", "eur": "€", "usd": "$"}
# Currencies whose minor unit is not a hundredth (Stripe's zero-decimal currencies we may meet).
EXPONENTS = {"jpy": 0, "krw": 0}
CURRENCY_CHOICES = [("gbp", "GBP"), ("eur", "EUR"), ("usd", "USD")]


def exponent(currency: str) -> int:
    return EXPONENTS.get(currency.lower(), 2)


def format_money(amount_minor: int, currency: str) -> str:
    """£12.50, €3.00, or "12.50 CHF" for currencies without a symbol here."""
    places = exponent(currency)
    major = Decimal(int(amount_minor)).scaleb(-places)
    text = f"{major:,.{places}f}"
    symbol = SYMBOLS.get(currency.lower())
    if symbol:
        return f"-{symbol}{text[1:]}" if text.startswith("-") else f"{symbol}{text}"
    return f"{text} {currency.upper()}"


def parse_major(text: str, currency: str) -> int:
    """What a person typed ("12", "12.5", "£1,000.00") in minor units. Raises ValueError
    for anything that is not a plain positive amount with at most the currency's decimals."""
    cleaned = str(text).strip().replace(",", "")
    symbol = SYMBOLS.get(currency.lower(), "")
    if symbol and cleaned.startswith(symbol):
        cleaned = cleaned[len(symbol) :].strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("not an amount") from None
    if not value.is_finite() or value <= 0:
        raise ValueError("not a positive amount")
    places = exponent(currency)
    if value != value.quantize(Decimal(1).scaleb(-places)):
        raise ValueError("too many decimal places")
    return int((value.scaleb(places)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
