"""Every handled webhook type, delivered 5 times in a row and 5 times at once, has the effect
of one delivery: one payment, one donation, one refund, one email (issue #7).

Each case sets up the object at localstripe, then delivers the same event id five times and
five more events (new ids) about the same object, as Stripe's retries and a busy account do.
"""

import threading
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from payments import gateway
from payments.models import Donation, Order, Payment, RecurringGift, Refund
from payments.services import (
    DonationChoice,
    order_checkout_start,
    order_pay,
    recurring_gift_checkout_start,
    recurring_gift_create,
    recurring_gift_start,
)
from payments.tests.helpers import (
    DECLINED_AT_CHARGE,
    browser_confirm_card,
    donation_order,
    event_payload,
    post_webhook,
    set_up_card,
    stripe_events,
    stripe_object,
)


def _paid_without_settling() -> Payment:
    """A paid PaymentIntent at Stripe whose settlement we have not recorded yet (the
    browser closed before the checkout answered), so the webhook does the work."""
    order = donation_order()
    setup = order_checkout_start(order=order)
    browser_confirm_card(setup.client_secret)
    with mock.patch("payments.services.settle.payment_settle", lambda **kwargs: None):
        order_pay(order=order, setup_intent_id=setup.id)
    return Payment.objects.get(order=order)


def _monthly_gift() -> RecurringGift:
    gift = recurring_gift_create(
        email="monthly@example.org", donation=DonationChoice(amount_minor=1000), currency="GBP"
    )
    setup = recurring_gift_checkout_start(gift=gift)
    browser_confirm_card(setup.client_secret)
    with mock.patch("payments.services.giving.invoice_settle", lambda **kwargs: None):
        recurring_gift_start(gift=gift, setup_intent_id=setup.id)
    gift.refresh_from_db()
    return gift


def _succeeded():
    payment = _paid_without_settling()
    return "payment_intent.succeeded", payment.stripe_payment_intent_id, "payment_intent"


def _failed():
    order = donation_order()
    order_pay(order=order, setup_intent_id=set_up_card(order, DECLINED_AT_CHARGE))
    # localstripe's decline error does not name the PaymentIntent (Stripe's does), so take
    # it from the event localstripe emitted for it.
    (failed,) = stripe_events("payment_intent.payment_failed")
    return "payment_intent.payment_failed", failed["data"]["object"]["id"], "payment_intent"


def _refunded():
    payment = _paid_without_settling()
    post_webhook(
        Client(),
        event_payload(
            "payment_intent.succeeded", payment.stripe_payment_intent_id, object_type="payment_intent", event_id="evt_p"
        ),
    )
    # Refunded in Stripe's dashboard: only the webhook tells us.
    gateway.refund_create(
        payment_intent_id=payment.stripe_payment_intent_id,
        amount_minor=500,
        refund_reference="dashboard",
        idempotency_key=f"dashboard-{payment.pk}",
    )
    charge_id = gateway.payment_intent_retrieve(payment.stripe_payment_intent_id).latest_charge_id
    return "charge.refunded", charge_id, "charge"


def _invoice_paid():
    gift = _monthly_gift()
    invoice = stripe_object(f"/v1/subscriptions/{gift.stripe_subscription_id}")["latest_invoice"]
    return "invoice.payment_succeeded", invoice["id"] if isinstance(invoice, dict) else invoice, "invoice"


def _subscription_deleted():
    gift = _monthly_gift()
    gateway.subscription_cancel(gift.stripe_subscription_id)
    return "customer.subscription.deleted", gift.stripe_subscription_id, "subscription"


CASES = {
    "payment_intent.succeeded": _succeeded,
    "payment_intent.payment_failed": _failed,
    "charge.refunded": _refunded,
    "invoice.payment_succeeded": _invoice_paid,
    "customer.subscription.deleted": _subscription_deleted,
}


def _state() -> tuple:
    """Everything a delivery may change, as plain values."""
    return (
        sorted(Order.objects.values_list("status", "attention_reason")),
        sorted(Payment.objects.values_list("status", "amount_refunded_minor")),
        Donation.objects.count(),
        sorted(Refund.objects.values_list("amount_minor", "status")),
        sorted(RecurringGift.objects.values_list("status", flat=True)),
        len(mail.outbox),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(CASES))
def test_each_handled_type_delivered_five_times_in_a_row_acts_once(
    case, client, localstripe, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event_type, object_id, object_type = CASES[case]()
    mail.outbox.clear()
    payloads = [event_payload(event_type, object_id, object_type=object_type, event_id="evt_same")] * 5
    payloads += [event_payload(event_type, object_id, object_type=object_type, event_id=f"evt_{n}") for n in range(5)]
    states = []
    for payload in payloads:
        with django_capture_on_commit_callbacks(execute=True):
            assert post_webhook(client, payload).status_code == 200
        states.append(_state())
    assert all(state == states[0] for state in states), f"{case}: later deliveries changed {states[0]}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("case", list(CASES))
def test_each_handled_type_delivered_five_times_at_once_acts_once(case, localstripe):
    event_type, object_id, object_type = CASES[case]()
    mail.outbox.clear()
    once = event_payload(event_type, object_id, object_type=object_type, event_id="evt_first")
    assert post_webhook(Client(), once).status_code == 200
    after_one = _state()
    for round_number in range(2):  # the same id five at once, then five new ids at once
        payloads = [event_payload(event_type, object_id, object_type=object_type, event_id="evt_same")] * 5
        if round_number:
            payloads = [
                event_payload(event_type, object_id, object_type=object_type, event_id=f"evt_{n}") for n in range(5)
            ]
        answers, barrier = [], threading.Barrier(5)

        def deliver(payload, answers=answers, barrier=barrier):
            try:
                barrier.wait()
                answers.append(post_webhook(Client(), payload).status_code)
            finally:
                connection.close()

        threads = [threading.Thread(target=deliver, args=(payload,)) for payload in payloads]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert answers == [200] * 5
    assert _state() == after_one
