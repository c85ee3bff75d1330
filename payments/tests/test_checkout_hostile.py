"""The checkout's pay address is public: whatever a browser or a script posts as the
SetupIntent id, the answer is a 4xx JSON error that checkout.js shows in words, and nothing is
charged or recorded (issue 13, item 8: an unknown SetupIntent answered 500, 100 times in 100)."""

import pytest

from payments.models import Order, Payment, RecurringGift
from payments.services import DonationChoice, recurring_gift_checkout_start, recurring_gift_create
from payments.tests.helpers import donation_order, set_up_card, stripe_object
from payments.views import checkout_url

pytestmark = pytest.mark.django_db

HOSTILE_SETUP_INTENTS = [
    "seti_UnknownToStripe1",  # well formed, never made
    "seti_" + "A" * 14,
    "",
    "seti_",
    "x" * 5000,
    "seti_abc/../../v1/customers",
    "../../v1/customers",
    "pi_123",
    "seti_١٢٣",  # Arabic-Indic digits
    "seti_😀",
]


def _assert_refused_in_words(response):
    assert response.status_code == 400, response.content[:300]
    answer = response.json()
    assert answer["status"] == "error"
    assert "card details were not confirmed" in answer["message"]


@pytest.mark.parametrize("setup_intent", HOSTILE_SETUP_INTENTS)
def test_an_unknown_or_malformed_setup_intent_on_an_order_is_a_400_in_words_and_charges_nothing(
    client, localstripe, setup_intent
):
    order = donation_order()
    _assert_refused_in_words(client.post(checkout_url(order) + "pay/", {"setup_intent": setup_intent}))
    order.refresh_from_db()
    assert order.status in Order.OPEN_STATES
    assert order.payment_attempts == 0
    assert not Payment.objects.exists()
    assert stripe_object("/v1/payment_intents")["data"] == []


def test_a_hundred_unknown_setup_intents_are_a_hundred_400s_and_the_real_card_still_pays(client, localstripe):
    order = donation_order()
    url = checkout_url(order) + "pay/"
    statuses = {client.post(url, {"setup_intent": f"seti_Unknown{n:05d}"}).status_code for n in range(100)}
    assert statuses == {400}
    assert client.post(url, {"setup_intent": set_up_card(order)}).json()["status"] == "succeeded"
    assert Payment.objects.get().status == Payment.Status.SUCCEEDED


@pytest.mark.parametrize("setup_intent", ["seti_UnknownToStripe1", "", "x" * 5000])
def test_an_unknown_setup_intent_on_a_monthly_gift_is_a_400_in_words_and_subscribes_nothing(
    client, localstripe, setup_intent
):
    gift = recurring_gift_create(
        email="monthly@example.org", donation=DonationChoice(amount_minor=1000), currency="GBP"
    )
    recurring_gift_checkout_start(gift=gift)
    _assert_refused_in_words(client.post(checkout_url(gift) + "pay/", {"setup_intent": setup_intent}))
    gift.refresh_from_db()
    assert gift.status == RecurringGift.Status.PENDING
    assert not gift.stripe_subscription_id
    assert stripe_object("/v1/subscriptions")["data"] == []


def test_a_nul_in_the_setup_intent_is_refused_at_the_door_and_charges_nothing(client, localstripe):
    """A NUL in any form field is answered by core.middleware's plain 400 page before the view."""
    order = donation_order()
    response = client.post(checkout_url(order) + "pay/", {"setup_intent": "seti_abc\x00def"})
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.payment_attempts == 0 and not Payment.objects.exists()
    assert stripe_object("/v1/payment_intents")["data"] == []
