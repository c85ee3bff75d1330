"""Prices on the event page say one thing each, in the event's currency: pay what you can
with its least amount, never "Pay what you can: pay what you can"."""

import pytest

from accounts.tests.factories import ChapterFactory
from events.tests.factories import make_event

pytestmark = pytest.mark.django_db


def test_pay_what_you_can_says_its_least_amount_in_the_events_currency_and_never_twice(client):
    event = make_event(
        tickets=[
            {"name": "Pay what you can", "quantity": 5, "pay_what_you_can": True, "minimum_minor": 0},
            {"name": "Community", "quantity": 5, "pay_what_you_can": True, "minimum_minor": 500},
        ]
    )
    page = client.get(event.url).content.decode()
    assert "Pay what you can: from £0.00" in page
    assert "Community: pay what you can (at least £5.00)" in page
    assert "Pay what you can: pay what you can" not in page


def test_a_us_chapter_events_prices_are_in_dollars(client):
    us = ChapterFactory(name="United States", slug="us", country="US", time_zone="America/New_York", currency="USD")
    event = make_event(
        chapter=us,
        tickets=[
            {"name": "Standard", "quantity": 5, "price_minor": 2000},
            {"name": "Pay what you can", "quantity": 5, "pay_what_you_can": True, "minimum_minor": 300},
        ],
    )
    page = client.get(event.url).content.decode()
    assert "Standard: $20.00" in page and "Pay what you can: at least $3.00" in page and "£" not in page


def test_the_amount_a_booker_chooses_on_a_us_event_is_typed_in_dollars(client):
    us = ChapterFactory(name="United States", slug="us", country="US", time_zone="America/New_York", currency="USD")
    ticket = {"name": "Pay what you can", "quantity": 5, "pay_what_you_can": True, "minimum_minor": 300}
    event = make_event(chapter=us, tickets=[ticket])
    page = client.get(f"/events/{event.pk}/book/").content.decode()
    assert 'class="money-input__symbol" aria-hidden="true">$</span>' in page
    assert "In dollars (USD), for example 15 or 15.50." in page
