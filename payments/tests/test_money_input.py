"""Money typed by people: major units in the right currency, with its symbol shown, one parser
(`core.money.parse_major`) and one field (`core.money_fields`), in forms on the site
and in the Wagtail page editor (ticket types in their InlinePanel, course price, campaign
target)."""

import pytest
from django import forms

from accounts.tests.factories import ChapterFactory
from core.money import MoneyError, format_major, format_money, parse_major
from core.money_fields import MoneyFormField


class PriceForm(forms.Form):
    price = MoneyFormField(label="Price")


@pytest.mark.parametrize(
    ("typed", "minor"),
    [("15", 1500), ("15.50", 1550), ("£15.50", 1550), (" 15.5 ", 1550), ("1,000", 100000), ("15.50 GBP", 1550)],
)
def test_a_money_box_takes_major_units_with_or_without_the_symbol(typed, minor):
    form = PriceForm({"price": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["price"] == minor


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("-1", "cannot be negative"),
        ("15.505", "at most two decimal places"),
        ("abc", "Type an amount in pounds (GBP)"),
        ("15,50", "Type an amount in pounds (GBP)"),
        ("1e3", "Type an amount in pounds (GBP)"),
        ("100000.01", "more than £100,000.00"),
        ("99999999999", "more than £100,000.00"),
        ("", "Type an amount, such as 15 or 15.50."),
    ],
)
def test_a_money_box_refuses_what_is_not_a_sane_amount_in_words(typed, words):
    form = PriceForm({"price": typed})
    assert not form.is_valid()
    assert words in " ".join(form.errors["price"])


def test_a_money_box_shows_a_stored_amount_in_major_units_with_symbol_and_code():
    html = str(PriceForm(initial={"price": 1550})["price"])
    assert 'value="15.50"' in html and "£" in html and "GBP" in html and 'inputmode="decimal"' in html


def test_a_money_box_in_another_currency_says_dollars():
    form = PriceForm({"price": "$20"})
    form.fields["price"].currency = "USD"
    assert form.is_valid() and form.cleaned_data["price"] == 2000
    assert "$" in str(form["price"]) and "In dollars (USD)" in form["price"].help_text


def test_parse_major_says_why_it_refuses():
    for typed, code in [("-1", "negative"), ("15.505", "decimals"), ("abc", "invalid"), ("0", "zero")]:
        with pytest.raises(MoneyError) as refused:
            parse_major(typed, "GBP")
        assert refused.value.code == code
    assert parse_major("0", "GBP", allow_zero=True) == 0


def test_money_is_written_through_one_formatter_whatever_the_spelling_of_the_code():
    assert format_money(2000, "USD") == format_money(2000, "usd") == "$20.00"
    assert format_major(2500, "GBP") == "25.00" and format_major(5, "EUR") == "0.05"


# The Wagtail page editor --------------------------------------------------------------------


def _editor_form(page, user):
    form_class = type(page).get_edit_handler().get_form_class()
    return form_class(instance=page, for_user=user, parent_page=page.get_parent())


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser(email="editor@example.org", password="x" * 20)


@pytest.mark.django_db
def test_ticket_prices_in_the_page_editor_are_in_the_events_chapter_currency_also_for_a_new_ticket_type(
    wagtail_tree, editor
):
    from events.tests.factories import make_event

    us = ChapterFactory(name="United States", slug="us", country="US", time_zone="America/New_York", currency="USD")
    event = make_event(chapter=us, tickets=[{"name": "Standard", "quantity": 10, "price_minor": 2000}])
    form = _editor_form(event, editor)
    existing = str(form.formsets["ticket_types"].forms[0]["price_minor"])
    assert 'value="20.00"' in existing and "$" in existing and "USD" in existing
    new = str(form.formsets["ticket_types"].empty_form["price_minor"])
    assert "$" in new and "USD" in new and "£" not in new


@pytest.mark.django_db
def test_a_ticket_price_typed_in_the_page_editor_is_saved_in_minor_units(wagtail_tree, editor):
    from events.tests.factories import make_event

    event = make_event(tickets=[{"name": "Standard", "quantity": 10, "price_minor": 0}])
    ticket = event.ticket_types.get()
    form = _editor_form(event, editor)
    data = {name: bound.value() for name, bound in ((n, form[n]) for n in form.fields)}
    data = {k: ("" if v is None else v) for k, v in data.items() if not isinstance(v, list)}
    prefix = "ticket_types"
    data |= {
        f"{prefix}-TOTAL_FORMS": "2",
        f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-id": str(ticket.pk),
        f"{prefix}-0-name": "Standard",
        f"{prefix}-0-quantity": "10",
        f"{prefix}-0-price_minor": "15.50",
        f"{prefix}-0-minimum_minor": "0",
        f"{prefix}-0-ORDER": "1",
        f"{prefix}-1-id": "",
        f"{prefix}-1-name": "Bad",
        f"{prefix}-1-quantity": "5",
        f"{prefix}-1-price_minor": "15.505",
        f"{prefix}-1-minimum_minor": "-1",
        f"{prefix}-1-ORDER": "2",
    }
    child_forms = _editor_form_bound(event, editor, data).formsets[prefix].forms
    good, bad = child_forms
    assert good.is_valid(), good.errors
    assert good.cleaned_data["price_minor"] == 1550
    assert not bad.is_valid()
    assert "at most two decimal places" in " ".join(bad.errors["price_minor"])
    assert "cannot be negative" in " ".join(bad.errors["minimum_minor"])


def _editor_form_bound(page, user, data):
    form_class = type(page).get_edit_handler().get_form_class()
    return form_class(data, instance=page, for_user=user, parent_page=page.get_parent())


@pytest.mark.django_db
def test_a_course_with_no_chapter_says_its_price_is_in_the_default_currency(wagtail_tree, editor):
    from training.models import CoursePage

    course = CoursePage(title="Leading", slug="leading", summary="s", price_minor=1500)
    wagtail_tree.add_child(instance=course)
    bound = _editor_form(course, editor)["price_minor"]
    assert 'value="15.00"' in str(bound) and "£" in str(bound)
    assert "default currency until a chapter is chosen" in bound.help_text


@pytest.mark.django_db
def test_a_campaign_target_is_typed_in_the_campaigns_own_currency(wagtail_tree, editor):
    from payments.models import CampaignPage

    campaign = CampaignPage(title="Spring", slug="spring", target_minor=500000, currency="EUR")
    wagtail_tree.add_child(instance=campaign)
    bound = _editor_form(campaign, editor)["target_minor"]
    assert 'value="5000.00"' in str(bound) and "€" in str(bound) and "EUR" in str(bound)


def test_an_amount_with_more_digits_than_a_decimal_holds_is_refused_not_a_server_error():
    from core.money import MoneyError, parse_major

    with pytest.raises(MoneyError):
        parse_major("9" * 40, "GBP")
