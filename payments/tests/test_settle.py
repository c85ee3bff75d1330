from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from events.for_payments import ticket_lines
from events.models import Registration
from events.services import registration_reserve
from events.tests.factories import make_event
from payments import gateway
from payments.models import Donation, Order, OrderLine, Payment
from payments.services import DonationChoice, order_checkout_start, order_create, order_pay, payment_settle
from payments.services.reconcile import payments_reconcile
from payments.tests.helpers import browser_confirm_card, donation_order, set_up_card

pytestmark = pytest.mark.django_db


def _reserved(event, ticket_type, email="buyer@example.org", now=None) -> Registration:
    return registration_reserve(event=event, ticket_type=ticket_type, email=email, now=now)


def test_two_tickets_and_a_donation_are_priced_by_the_server_and_confirmed_on_payment(
    localstripe, django_capture_on_commit_callbacks
):
    event = make_event(capacity=5, tickets=[{"name": "Standard", "quantity": 5, "price_minor": 1200}])
    ticket_type = event.ticket_types.first()
    registrations = [_reserved(event, ticket_type), _reserved(event, ticket_type)]
    order = order_create(
        email="buyer@example.org", tickets=ticket_lines(registrations), donation=DonationChoice(amount_minor=500)
    )
    assert order.total_minor == 2 * 1200 + 500
    assert list(order.lines.values_list("kind", "amount_minor", "gift_aid_eligible")) == [
        ("ticket", 1200, False),
        ("ticket", 1200, False),
        ("donation", 500, False),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert order_pay(order=order, setup_intent_id=set_up_card(order)).status == "succeeded"
    assert set(Registration.objects.values_list("status", flat=True)) == {Registration.Status.CONFIRMED}
    assert Donation.objects.get().amount_minor == 500
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and not order.needs_attention


def test_only_the_donation_line_of_a_basket_carries_gift_aid(localstripe):
    from payments.services import gift_aid_declaration_create

    event = make_event(capacity=5, tickets=[{"name": "Standard", "quantity": 5, "price_minor": 1200}])
    declaration = gift_aid_declaration_create(
        first_name="Ada", last_name="Lovelace", house_name_or_number="12", postcode="ab1 2cd"
    )
    order = order_create(
        email="buyer@example.org",
        tickets=ticket_lines([_reserved(event, event.ticket_types.first())]),
        donation=DonationChoice(amount_minor=500, gift_aid_declaration=declaration),
    )
    assert dict(order.lines.values_list("kind", "gift_aid_eligible")) == {"ticket": False, "donation": True}


def test_a_donation_outside_the_limits_is_refused_in_plain_words(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="smallest gift"):
        donation_order(amount_minor=50)
    assert Order.objects.count() == 0


def test_an_amount_off_by_one_unit_leaves_the_order_unpaid_and_flagged(localstripe, django_capture_on_commit_callbacks):
    order = donation_order(amount_minor=1500)
    setup = order_checkout_start(order=order)
    browser_confirm_card(setup.client_secret)
    # Stripe holds a payment for our order's reference but one penny more than we sold.
    state = gateway.payment_intent_create_confirmed(
        amount_minor=1501,
        currency="GBP",
        payment_method_id=gateway.setup_intent_retrieve(setup.id).payment_method_id,
        order_reference=order.reference,
        idempotency_key="test-mismatch",
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        payment_settle(payment_intent_id=state.id)
    order.refresh_from_db()
    assert order.status == Order.Status.OPEN
    assert order.needs_attention and order.attention_reason == Order.Attention.AMOUNT_MISMATCH
    assert Donation.objects.count() == 0
    (alert,) = mail.outbox
    assert alert.to == ["staff@thrive.example"] and order.reference in alert.subject
    assert "donor@example.org" not in alert.body


def test_a_currency_mismatch_is_flagged_too(localstripe):
    order = donation_order(amount_minor=1500)
    setup = order_checkout_start(order=order)
    browser_confirm_card(setup.client_secret)
    state = gateway.payment_intent_create_confirmed(
        amount_minor=1500,
        currency="EUR",
        payment_method_id=gateway.setup_intent_retrieve(setup.id).payment_method_id,
        order_reference=order.reference,
        idempotency_key="test-currency",
    )
    payment_settle(payment_intent_id=state.id)
    order.refresh_from_db()
    assert order.status == Order.Status.OPEN and order.attention_reason == Order.Attention.AMOUNT_MISMATCH


def test_money_after_the_hold_expired_and_the_event_filled_is_flagged_for_refund(
    localstripe, django_capture_on_commit_callbacks
):
    from events.services import events_housekeeping

    event = make_event(capacity=1, tickets=[{"name": "Standard", "quantity": 1, "price_minor": 1000}])
    ticket_type = event.ticket_types.first()
    late = _reserved(event, ticket_type, now=timezone.now() - timedelta(hours=1))
    order = order_create(email="late@example.org", tickets=ticket_lines([late]))
    events_housekeeping()  # the hold expired and was released ...
    _reserved(event, ticket_type, email="someone.else@example.org")  # ... and the place was sold again
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = order_pay(order=order, setup_intent_id=set_up_card(order))
    assert outcome.status == "succeeded"  # Stripe took the money ...
    order.refresh_from_db()
    assert order.needs_attention and order.attention_reason == Order.Attention.NO_PLACE  # ... so it is flagged
    late.refresh_from_db()
    assert late.status == Registration.Status.CANCELLED
    alerts = [m for m in mail.outbox if m.to == ["staff@thrive.example"]]
    assert len(alerts) == 1 and order.reference in alerts[0].body and "late@example.org" not in alerts[0].body


def test_reconciliation_settles_an_order_whose_webhook_never_came(localstripe, django_capture_on_commit_callbacks):
    order = donation_order()
    setup_id = set_up_card(order)
    with mock.patch("payments.services.settle.payment_settle", lambda **kwargs: None):
        order_pay(order=order, setup_intent_id=setup_id)
    assert Payment.objects.get().status == Payment.Status.CREATED
    assert payments_reconcile() == {"asked": 0, "settled": 0, "found": 0}  # too recent: the webhook may still come
    with django_capture_on_commit_callbacks(execute=True):
        counts = payments_reconcile(now=timezone.now() + timedelta(minutes=11))
    assert counts == {"asked": 1, "settled": 1, "found": 0}
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert Donation.objects.count() == 1
    assert payments_reconcile(now=timezone.now() + timedelta(minutes=11)) == {"asked": 0, "settled": 0, "found": 0}


def test_reconciliation_changes_nothing_when_stripe_is_unreachable(localstripe, settings):
    order = donation_order()
    setup_id = set_up_card(order)
    with mock.patch("payments.services.settle.payment_settle", lambda **kwargs: None):
        order_pay(order=order, setup_intent_id=setup_id)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    assert payments_reconcile(now=timezone.now() + timedelta(minutes=11)) == {"asked": 0, "settled": 0, "found": 0}
    assert Payment.objects.get().status == Payment.Status.CREATED


def test_a_donation_line_is_recorded_once_however_often_it_is_settled(localstripe):
    order = donation_order()
    order_pay(order=order, setup_intent_id=set_up_card(order))
    payment = Payment.objects.get()
    for _ in range(3):
        payment_settle(payment_intent_id=payment.stripe_payment_intent_id)
    assert Donation.objects.count() == 1
    assert OrderLine.objects.get().donation.amount_minor == 1500


def test_reconciliation_finds_a_payment_stripe_took_that_we_never_recorded(
    localstripe, django_capture_on_commit_callbacks
):
    """Stripe charged the card, but our commit was lost and the webhook never came: the
    PaymentIntent is found among Stripe's recent ones by the order reference it carries."""
    from payments import gateway

    order = donation_order()
    for reference, key in ((order.reference, "lost-commit"), ("O-NOT-OURS", "not-ours")):
        gateway.payment_intent_create_confirmed(
            amount_minor=order.total_minor,
            currency=order.currency,
            payment_method_id="pm_card_visa",
            order_reference=reference,
            idempotency_key=key,
        )
    assert not Payment.objects.exists()
    assert payments_reconcile()["found"] == 0  # too recent: the webhook may still come
    later = timezone.now() + timedelta(minutes=11)
    with django_capture_on_commit_callbacks(execute=True):
        assert payments_reconcile(now=later) == {"asked": 0, "settled": 0, "found": 1}
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and Payment.objects.get().status == Payment.Status.SUCCEEDED
    assert Donation.objects.count() == 1
    assert payments_reconcile(now=later) == {"asked": 0, "settled": 0, "found": 0}
