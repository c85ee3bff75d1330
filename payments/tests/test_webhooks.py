import itertools
import threading
import time

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from payments.models import Donation, Order, Payment, WebhookEvent
from payments.services import order_checkout_start, order_pay, refund_create
from payments.tests.helpers import (
    DECLINED_AT_CHARGE,
    browser_confirm_card,
    donation_order,
    event_payload,
    post_webhook,
    set_up_card,
)

pytestmark = pytest.mark.django_db


def _charge(order) -> Payment:
    """Charge at Stripe through the checkout; returns the payment (settled at once)."""
    order_pay(order=order, setup_intent_id=set_up_card(order))
    return Payment.objects.get(order=order)


@pytest.mark.parametrize(
    "tamper",
    ["bad_signature", "wrong_secret", "body_changed", "stale_timestamp", "no_header"],
)
def test_a_webhook_that_does_not_verify_gets_400_and_writes_nothing(client, localstripe, tamper):
    order = donation_order()
    payload = event_payload("payment_intent.succeeded", "pi_x", object_type="payment_intent", event_id="evt_1")
    if tamper == "bad_signature":
        response = post_webhook(client, payload, header="t=1,v1=deadbeef")
    elif tamper == "wrong_secret":
        response = post_webhook(client, payload, secret="whsec_not_ours")
    elif tamper == "body_changed":
        from payments import gateway

        header = gateway.webhook_signature_header(payload)
        response = post_webhook(client, payload.replace("pi_x", "pi_y"), header=header)
    elif tamper == "stale_timestamp":
        response = post_webhook(client, payload, timestamp=int(time.time()) - 3600)
    else:
        response = client.post("/payments/stripe/webhook/", data=payload, content_type="application/json")
    assert response.status_code == 400
    assert WebhookEvent.objects.count() == 0
    assert Payment.objects.count() == 0
    order.refresh_from_db()
    assert order.status == Order.Status.OPEN


def test_an_unknown_event_type_gets_200_and_is_not_stored(client, localstripe):
    payload = event_payload("customer.created", "cus_1", object_type="customer", event_id="evt_unknown")
    assert post_webhook(client, payload).status_code == 200
    assert WebhookEvent.objects.count() == 0


def test_a_success_delivered_five_times_in_a_row_gives_one_payment_one_donation_one_email(
    client, localstripe, django_capture_on_commit_callbacks
):
    order = donation_order()
    setup = order_checkout_start(order=order)
    browser_confirm_card(setup.client_secret)
    # The checkout's own settle is skipped: only the webhook tells us.
    from unittest import mock

    with mock.patch("payments.services.settle.payment_settle", lambda **kwargs: None):
        order_pay(order=order, setup_intent_id=setup.id)
    payment = Payment.objects.get(order=order)
    assert payment.status == Payment.Status.CREATED
    payload = event_payload(
        "payment_intent.succeeded", payment.stripe_payment_intent_id, object_type="payment_intent", event_id="evt_s1"
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answers = [post_webhook(client, payload).status_code for _ in range(5)]
    assert answers == [200] * 5
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert Payment.objects.filter(order=order).count() == 1
    assert Donation.objects.filter(order_line__order=order).count() == 1
    assert [m.to for m in mail.outbox] == [["donor@example.org"]]
    assert mail.outbox[0].attachments[0][0] == f"receipt-{order.reference}.pdf"
    assert WebhookEvent.objects.filter(stripe_event_id="evt_s1").count() == 1


def test_a_success_webhook_after_the_checkout_settled_changes_nothing(
    client, localstripe, django_capture_on_commit_callbacks
):
    order = donation_order()
    with django_capture_on_commit_callbacks(execute=True):
        payment = _charge(order)
    mail_count = len(mail.outbox)
    payload = event_payload(
        "payment_intent.succeeded", payment.stripe_payment_intent_id, object_type="payment_intent", event_id="evt_s2"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert post_webhook(client, payload).status_code == 200
    assert Donation.objects.count() == 1
    assert len(mail.outbox) == mail_count == 1


def _events_for(payment, refunded: bool) -> dict[str, str]:
    pi = payment.stripe_payment_intent_id
    events = {
        "succeeded": event_payload("payment_intent.succeeded", pi, object_type="payment_intent", event_id="evt_ok"),
        "failed": event_payload("payment_intent.payment_failed", pi, object_type="payment_intent", event_id="evt_no"),
    }
    if refunded:
        from payments import gateway

        charge_id = gateway.payment_intent_retrieve(pi).latest_charge_id
        events["refunded"] = event_payload("charge.refunded", charge_id, object_type="charge", event_id="evt_re")
    return events


def test_every_ordering_of_succeeded_failed_and_refunded_ends_in_the_same_state(localstripe, admin_user):
    from payments import gateway

    finals = set()
    for ordering in itertools.permutations(["succeeded", "failed", "refunded"]):
        WebhookEvent.objects.all().delete()
        order = donation_order()
        setup = order_checkout_start(order=order)
        browser_confirm_card(setup.client_secret)
        from unittest import mock

        with mock.patch("payments.services.settle.payment_settle", lambda **kwargs: None):
            order_pay(order=order, setup_intent_id=setup.id)
        payment = Payment.objects.get(order=order)
        # Stripe refunded part of it (e.g. from its dashboard) before any event reached us.
        gateway.refund_create(
            payment_intent_id=payment.stripe_payment_intent_id,
            amount_minor=500,
            refund_reference="x",
            idempotency_key=f"t-{payment.pk}",
        )
        events = _events_for(payment, refunded=True)
        client = Client()
        for name in ordering:
            assert post_webhook(client, events[name]).status_code == 200
        order.refresh_from_db()
        payment.refresh_from_db()
        finals.add((order.status, payment.status, payment.amount_refunded_minor))
    assert finals == {(Order.Status.PARTLY_REFUNDED, Payment.Status.PARTLY_REFUNDED, 500)}


def test_a_failure_after_a_success_does_not_undo_it(client, localstripe):
    order = donation_order()
    payment = _charge(order)
    events = _events_for(payment, refunded=False)
    post_webhook(client, events["failed"])
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_a_failed_payment_webhook_marks_the_attempt_failed_and_the_order_can_be_retried(client, localstripe):
    order = donation_order()
    outcome = order_pay(order=order, setup_intent_id=set_up_card(order, DECLINED_AT_CHARGE))
    assert outcome.status == "declined"
    order.refresh_from_db()
    assert order.status == Order.Status.FAILED
    retry = order_pay(order=order, setup_intent_id=set_up_card(order))
    assert retry.status == "succeeded"
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_a_refund_webhook_records_a_refund_made_in_stripe(client, localstripe, admin_user):
    order = donation_order()
    payment = _charge(order)
    refund_create(payment=payment, reason="asked", actor=admin_user, request_token="tok-1")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    post_webhook(client, _events_for(payment, refunded=True)["refunded"])
    payment.refresh_from_db()
    assert payment.amount_refunded_minor == 1500


def _deliver_at_once(payload: str, times: int = 5) -> list[int]:
    answers, barrier = [], threading.Barrier(times)

    def deliver():
        try:
            barrier.wait()
            answers.append(post_webhook(Client(), payload).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_success_delivered_five_times_at_once_gives_one_payment_one_donation_one_email(localstripe):
    from unittest import mock

    order = donation_order()
    setup = order_checkout_start(order=order)
    browser_confirm_card(setup.client_secret)
    with mock.patch("payments.services.settle.payment_settle", lambda **kwargs: None):
        order_pay(order=order, setup_intent_id=setup.id)
    payment = Payment.objects.get(order=order)
    mail.outbox.clear()
    for round_number in range(2):  # the same event id five at once, then a new id five at once
        payload = event_payload(
            "payment_intent.succeeded",
            payment.stripe_payment_intent_id,
            object_type="payment_intent",
            event_id=f"evt_at_once_{round_number}",
        )
        assert sorted(_deliver_at_once(payload)) == [200] * 5
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert Payment.objects.filter(order=order).count() == 1
    assert Donation.objects.filter(order_line__order=order).count() == 1
    assert len(mail.outbox) == 1
    assert WebhookEvent.objects.count() == 2


def test_a_paid_webhook_settles_its_order_in_eleven_statements_or_fewer(client, localstripe):
    """Every paid order goes through here, one delivery at a time per sender: the event row,
    the two locks, the payment, the audit entry, the order, its lines and the donation. Here
    the webhook came before the checkout recorded the payment (the most work)."""
    from django.test.utils import CaptureQueriesContext

    from payments import gateway

    order = donation_order()
    setup = order_checkout_start(order=order)
    browser_confirm_card(setup.client_secret)
    state = gateway.payment_intent_create_confirmed(
        amount_minor=order.total_minor,
        currency=order.currency,
        payment_method_id=gateway.setup_intent_retrieve(setup.id).payment_method_id,
        order_reference=order.reference,
        idempotency_key="test-statements",
    )
    payload = event_payload("payment_intent.succeeded", state.id, object_type="payment_intent", event_id="evt_count")
    with CaptureQueriesContext(connection) as captured:
        assert post_webhook(client, payload).status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert Donation.objects.filter(order_line__order=order).count() == 1
    # The test's own transaction turns the view's into a savepoint: not counted.
    statements = [query["sql"] for query in captured if "SAVEPOINT" not in query["sql"]]
    assert len(statements) <= 11, "\n".join(statements)
