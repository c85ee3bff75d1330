import pytest

from payments import gateway
from payments.models import Payment
from payments.services import order_pay
from payments.tests.helpers import DECLINED_AT_CHARGE, donation_order, set_up_card, stripe_object

pytestmark = pytest.mark.django_db


def test_stripe_receives_only_the_order_reference_never_a_name_or_email(
    localstripe, django_capture_on_commit_callbacks
):
    order = donation_order(email="private.person@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        outcome = order_pay(order=order, setup_intent_id=set_up_card(order))
    assert outcome.status == "succeeded"
    payment = Payment.objects.get(order=order)
    sent = stripe_object(f"/v1/payment_intents/{payment.stripe_payment_intent_id}")
    assert sent["metadata"] == {"order": order.reference}
    assert sent["amount"] == 1500 and sent["currency"] == "gbp"
    text = str(sent).lower()
    assert "private" not in text and "example.org" not in text
    assert not sent.get("description")
    charge = stripe_object(f"/v1/charges/{sent['latest_charge']['id']}")
    assert "example.org" not in str(charge).lower()


def test_a_declined_card_is_explained_in_plain_words(localstripe):
    order = donation_order()
    outcome = order_pay(order=order, setup_intent_id=set_up_card(order, DECLINED_AT_CHARGE))
    assert outcome.status == "declined"
    assert "declined" in outcome.message and "nothing was taken" in outcome.message
    assert Payment.objects.get(order=order).status == Payment.Status.FAILED


def test_stripe_unreachable_raises_payments_unavailable(settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens here
    with pytest.raises(gateway.PaymentsUnavailable):
        gateway.payment_intent_retrieve("pi_unknown")


def test_webhook_verification_refuses_another_secret():
    payload = '{"id": "evt_1", "type": "x", "data": {"object": {"id": "pi_1", "object": "payment_intent"}}}'
    header = gateway.webhook_signature_header(payload, secret="whsec_someone_else")
    with pytest.raises(gateway.InvalidWebhook):
        gateway.webhook_event_verify(payload.encode(), header)
    assert gateway.webhook_event_verify(payload.encode(), gateway.webhook_signature_header(payload)).object_id == "pi_1"


def test_demo_mode_follows_the_api_base(settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:8420"
    assert gateway.is_demo() and gateway.stripe_js_url() == "http://127.0.0.1:8420/js.stripe.com/v3/"
    settings.STRIPE_API_BASE = "https://api.stripe.com"
    assert not gateway.is_demo() and gateway.stripe_js_url() == "https://js.stripe.com/v3/"
