"""Issue 13, item 7: signed webhooks about objects Stripe does not know, and event ids longer
than any Stripe id, are answered 2xx/4xx (never 500, which Stripe retries for days), write
nothing and are logged once."""

import logging

import pytest

from payments.models import Donation, Order, Payment, RecurringGift, WebhookEvent
from payments.tests.helpers import event_payload, post_webhook

pytestmark = pytest.mark.django_db

UNKNOWN_TO_STRIPE = [
    ("payment_intent.succeeded", "pi_NotAtStripe0001", "payment_intent"),
    ("payment_intent.payment_failed", "pi_NotAtStripe0002", "payment_intent"),
    ("invoice.paid", "in_NotAtStripe0003", "invoice"),
    ("invoice.payment_succeeded", "in_NotAtStripe0004", "invoice"),
    ("customer.subscription.deleted", "sub_NotAtStripe0005", "subscription"),
    ("charge.refunded", "ch_NotAtStripe0006", "charge"),
]


def _nothing_written():
    return (
        WebhookEvent.objects.count(),
        Payment.objects.count(),
        Donation.objects.count(),
        Order.objects.count(),
        RecurringGift.objects.count(),
    ) == (0, 0, 0, 0, 0)


@pytest.mark.parametrize(("event_type", "object_id", "object_type"), UNKNOWN_TO_STRIPE)
def test_a_signed_webhook_about_an_object_stripe_does_not_know_gets_200_writes_nothing_and_logs_once(
    client, localstripe, caplog, event_type, object_id, object_type
):
    payload = event_payload(event_type, object_id, object_type=object_type, event_id=f"evt_{object_id}")
    with caplog.at_level(logging.INFO):
        response = post_webhook(client, payload)
    assert response.status_code == 200, response.content
    assert _nothing_written()
    about_it = [record for record in caplog.records if f"evt_{object_id}" in record.getMessage()]
    assert len(about_it) == 1, [record.getMessage() for record in caplog.records]
    assert about_it[0].levelno == logging.WARNING
    warnings = [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]
    assert warnings == [about_it[0].getMessage()]  # logged once, by nobody else
    # Stripe's retry of the same event is answered the same way (it was not stored as handled).
    assert post_webhook(client, payload).status_code == 200
    assert _nothing_written()


@pytest.mark.parametrize("length", [256, 300, 5000])
def test_a_signed_webhook_with_an_event_id_longer_than_255_characters_gets_400_and_writes_nothing(
    client, localstripe, caplog, length
):
    event_id = "evt_" + "x" * (length - 4)
    payload = event_payload("payment_intent.succeeded", "pi_X", object_type="payment_intent", event_id=event_id)
    with caplog.at_level(logging.INFO):
        response = post_webhook(client, payload)
    assert response.status_code == 400
    assert _nothing_written()
    refused = [record for record in caplog.records if "event id of" in record.getMessage()]
    assert len(refused) == 1
    assert event_id not in refused[0].getMessage()  # the log line stays short


def test_an_event_id_of_exactly_255_characters_is_still_handled(client, localstripe):
    payload = event_payload(
        "customer.subscription.deleted", "sub_NotAtStripe", object_type="subscription", event_id="e" * 255
    )
    assert post_webhook(client, payload).status_code == 200
