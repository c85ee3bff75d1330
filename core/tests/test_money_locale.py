"""Money in the reader's language (issue 16): `core.money.format_money` writes English exactly
as before and other languages in their CLDR currency format; `parse_major` reads English
everywhere and also a comma decimal in the languages that write one (sq, vi)."""

import pytest
from django.utils import translation

from core.money import MoneyError, format_major, format_money, parse_major


@pytest.mark.parametrize(
    ("amount", "currency", "english"),
    [(1550, "GBP", "£15.50"), (2000, "USD", "$20.00"), (100000, "gbp", "£1,000.00"), (-300, "EUR", "-€3.00")],
)
def test_english_money_is_written_as_it_always_was(amount, currency, english):
    for language in ("en-gb", "en", None):
        if language is None:
            with translation.override(None):
                assert format_money(amount, currency) == english
        else:
            with translation.override(language):
                assert format_money(amount, currency) == english


@pytest.mark.parametrize(
    ("language", "amount", "currency", "written"),
    [
        ("vi", 1550, "GBP", "15,50\xa0£"),
        ("vi", 100000, "GBP", "1.000,00\xa0£"),
        ("sq", 1550, "GBP", "15,50\xa0£"),
        ("sq", 100050, "EUR", "1\xa0000,50\xa0€"),
        ("ar", 1550, "GBP", "\u200f15.50\xa0UK£"),
        ("ar", 2000, "USD", "\u200f20.00\xa0US$"),
    ],
)
def test_money_is_written_in_the_active_languages_currency_format(language, amount, currency, written):
    with translation.override(language):
        assert format_money(amount, currency) == written


def test_format_major_does_not_depend_on_the_language():
    for language in ("en-gb", "sq", "vi", "ar"):
        with translation.override(language):
            assert format_major(100050, "GBP") == "1000.50"


@pytest.mark.parametrize(
    ("typed", "minor"),
    [("15", 1500), ("15.50", 1550), ("£1,000.50", 100050), ("1,000.50", 100050), ("12.50 GBP", 1250)],
)
def test_english_reading_is_unchanged(typed, minor):
    with translation.override("en-gb"):
        assert parse_major(typed, "GBP") == minor


@pytest.mark.parametrize("typed", ["15,50", "1.000,50", "1 000,50"])
def test_english_still_refuses_a_comma_as_the_decimal_point(typed):
    with translation.override("en-gb"), pytest.raises(MoneyError) as refused:
        parse_major(typed, "GBP")
    assert refused.value.code == "invalid"


@pytest.mark.parametrize(
    ("language", "typed", "minor"),
    [
        ("vi", "15,50", 1550),
        ("vi", "1.000,50", 100050),
        ("vi", "1.000", 100000),
        ("vi", "15,50 £", 1550),
        ("sq", "15,50", 1550),
        ("sq", "1 000,50", 100050),
        ("sq", "1\xa0000,50\xa0€", 100050),
        ("ar", "\u200f15.50\xa0UK£", 1550),
        ("ar", "١٥٫٥٠", 1550),
    ],
)
def test_what_a_person_types_in_their_language_is_read(language, typed, minor):
    currency = "EUR" if "€" in typed else "GBP"
    with translation.override(language):
        assert parse_major(typed, currency) == minor


@pytest.mark.parametrize("language", ["sq", "vi", "ar"])
@pytest.mark.parametrize(("typed", "minor"), [("15.50", 1550), ("1,000.50", 100050), ("£20", 2000), ("1,000", 100000)])
def test_english_amounts_and_a_boxs_own_value_are_read_in_every_language(language, typed, minor):
    with translation.override(language):
        assert parse_major(typed, "GBP") == minor


@pytest.mark.parametrize(
    ("language", "typed", "code"),
    [
        ("vi", "1.000,505", "decimals"),
        ("sq", "1 000,505", "decimals"),
        ("vi", "-15,50", "negative"),
        ("sq", "1,2,3", "invalid"),
    ],
)
def test_a_local_amount_that_is_not_money_is_refused_with_its_reason(language, typed, code):
    with translation.override(language), pytest.raises(MoneyError) as refused:
        parse_major(typed, "GBP")
    assert refused.value.code == code


def test_stored_settings_are_read_the_same_in_every_language():
    for language in ("en-gb", "vi", "sq"):
        with translation.override(language):
            assert parse_major("1.000", "GBP", localized=False) == 100
