"""Issue 13, item 13: viewing the checkout page does not make a new SetupIntent at Stripe each
time. The order's (or monthly gift's) SetupIntent is stored and offered again until it is used
up; after a declined card the checkout makes exactly one new one."""

import re

import pytest

from payments.models import Order, RecurringGift
from payments.services import DonationChoice, recurring_gift_create
from payments.tests.helpers import (
    DECLINED_AT_CHARGE,
    DECLINED_AT_SETUP,
    VISA,
    browser_confirm_card,
    donation_order,
    stripe_object,
)
from payments.views import checkout_url

pytestmark = pytest.mark.django_db

SECRET = re.compile(r'data-setup-secret="([^"]+)"')


def _setup_intents_at_stripe(reference: str) -> list[str]:
    """The SetupIntents localstripe holds for our reference (what Stripe would bill us for)."""
    listed = stripe_object("/v1/setup_intents?limit=100")
    assert listed.get("object") == "list", listed
    assert not listed.get("has_more")
    return [intent["id"] for intent in listed["data"] if (intent.get("metadata") or {}).get("ref") == reference]


def _view(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return SECRET.search(response.content.decode()).group(1)


def _pay(client, url: str, secret: str) -> dict:
    return client.post(url + "pay/", {"setup_intent": secret.split("_secret_")[0]}).json()


def test_twenty_views_of_an_order_checkout_make_one_setup_intent_and_paying_still_works(client, localstripe):
    order = donation_order()
    url = checkout_url(order)
    secrets = {_view(client, url) for _ in range(20)}
    assert len(secrets) == 1
    assert len(_setup_intents_at_stripe(order.reference)) == 1
    secret = secrets.pop()
    assert browser_confirm_card(secret, VISA)["status"] == "succeeded"
    assert _pay(client, url, secret)["status"] == "succeeded"
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert len(_setup_intents_at_stripe(order.reference)) == 1


def test_after_a_card_declined_at_charge_the_checkout_makes_one_new_setup_intent_and_views_reuse_it(
    client, localstripe
):
    order = donation_order()
    url = checkout_url(order)
    first = {_view(client, url) for _ in range(5)}.pop()
    browser_confirm_card(first, DECLINED_AT_CHARGE)
    declined = _pay(client, url, first)
    assert declined["status"] == "declined"
    second = declined["setup_client_secret"]
    assert second != first
    assert {_view(client, url) for _ in range(10)} == {second}
    assert len(_setup_intents_at_stripe(order.reference)) == 2
    assert browser_confirm_card(second, VISA)["status"] == "succeeded"
    assert _pay(client, url, second)["status"] == "succeeded"
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert len(_setup_intents_at_stripe(order.reference)) == 2


def test_a_card_refused_while_setting_up_leaves_one_usable_setup_intent_for_the_next_card(client, localstripe):
    order = donation_order()
    url = checkout_url(order)
    first = _view(client, url)
    assert browser_confirm_card(first, DECLINED_AT_SETUP).get("status") != "succeeded"
    # Stripe leaves a refused SetupIntent usable (requires_payment_method) and it is offered
    # again; localstripe cancels it, and then exactly one new one is made for every view.
    after = {_view(client, url) for _ in range(5)}
    assert len(after) == 1
    assert len(_setup_intents_at_stripe(order.reference)) == (1 if after == {first} else 2)
    secret = after.pop()
    assert browser_confirm_card(secret, VISA)["status"] == "succeeded"
    assert _pay(client, url, secret)["status"] == "succeeded"


def test_twenty_views_of_a_monthly_gift_checkout_make_one_setup_intent_and_the_gift_starts(client, localstripe):
    gift = recurring_gift_create(email="m@example.org", donation=DonationChoice(amount_minor=1000), currency="GBP")
    url = checkout_url(gift)
    secrets = {_view(client, url) for _ in range(20)}
    assert len(secrets) == 1
    assert len(_setup_intents_at_stripe(gift.reference)) == 1
    secret = secrets.pop()
    assert browser_confirm_card(secret, VISA)["status"] == "succeeded"
    assert _pay(client, url, secret)["status"] == "succeeded"
    gift.refresh_from_db()
    assert gift.status == RecurringGift.Status.ACTIVE


def test_a_setup_intent_stripe_has_forgotten_is_replaced_once(client, localstripe):
    order = donation_order()
    url = checkout_url(order)
    first = _view(client, url)
    localstripe.reset()  # Stripe no longer knows it
    second = _view(client, url)
    assert second != first
    assert _view(client, url) == second
    assert len(_setup_intents_at_stripe(order.reference)) == 1
