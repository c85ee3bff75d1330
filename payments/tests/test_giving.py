import pytest
from django.core import mail

from payments.models import Donation, RecurringGift
from payments.services import (
    DonationChoice,
    cancel_token,
    recurring_gift_checkout_start,
    recurring_gift_create,
    recurring_gift_start,
)
from payments.tests.helpers import browser_confirm_card, event_payload, post_webhook, stripe_object

pytestmark = pytest.mark.django_db


def _monthly_gift(amount_minor=1000) -> RecurringGift:
    gift = recurring_gift_create(
        email="monthly@example.org", donation=DonationChoice(amount_minor=amount_minor), currency="gbp"
    )
    setup = recurring_gift_checkout_start(gift=gift)
    browser_confirm_card(setup.client_secret)
    from unittest import mock

    with mock.patch("payments.services.giving.invoice_settle", lambda **kwargs: None):
        assert recurring_gift_start(gift=gift, setup_intent_id=setup.id).status == "succeeded"
    gift.refresh_from_db()
    return gift


def test_a_monthly_gift_is_a_customer_and_a_subscription_on_a_monthly_plan(localstripe):
    gift = _monthly_gift(1000)
    subscription = stripe_object(f"/v1/subscriptions/{gift.stripe_subscription_id}")
    assert subscription["status"] == "active"
    assert subscription["plan"]["amount"] == 1000 and subscription["plan"]["interval"] == "month"
    assert subscription["metadata"] == {"gift": gift.reference}
    customer = stripe_object(f"/v1/customers/{gift.stripe_customer_id}")
    assert customer["email"] is None and customer["name"] is None


def test_each_invoice_delivered_three_times_records_one_donation_and_one_receipt(
    client, localstripe, django_capture_on_commit_callbacks
):
    gift = _monthly_gift(1000)
    invoice_id = stripe_object(f"/v1/subscriptions/{gift.stripe_subscription_id}")["latest_invoice"]
    invoice_id = invoice_id["id"] if isinstance(invoice_id, dict) else invoice_id
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(3):
            payload = event_payload(
                "invoice.payment_succeeded", invoice_id, object_type="invoice", event_id=f"evt_inv_{number}"
            )
            assert post_webhook(client, payload).status_code == 200
    donation = Donation.objects.get()
    assert donation.amount_minor == 1000 and donation.stripe_invoice_id == invoice_id
    assert donation.recurring_gift == gift
    assert len(mail.outbox) == 1
    assert "/payments/monthly/cancel/" in mail.outbox[0].body
    gift.refresh_from_db()
    assert gift.status == RecurringGift.Status.ACTIVE


def test_the_cancel_link_cancels_the_stripe_subscription(client, localstripe):
    gift = _monthly_gift()
    url = f"/payments/monthly/cancel/{cancel_token(gift)}/"
    page = client.get(url)
    assert page.status_code == 200 and b"Stop my monthly gift" in page.content
    assert client.post(url).status_code == 200
    assert stripe_object(f"/v1/subscriptions/{gift.stripe_subscription_id}")["status"] == "canceled"
    gift.refresh_from_db()
    assert gift.status == RecurringGift.Status.CANCELLED
    assert client.post(url).status_code == 200  # twice is harmless


def test_a_tampered_cancel_link_is_404(client, db):
    gift = recurring_gift_create(email="m@example.org", donation=DonationChoice(amount_minor=1000), currency="gbp")
    assert client.get(f"/payments/monthly/cancel/{cancel_token(gift)}x/").status_code == 404


def test_a_subscription_deleted_at_stripe_marks_the_gift_cancelled(client, localstripe):
    from payments import gateway

    gift = _monthly_gift()
    gateway.subscription_cancel(gift.stripe_subscription_id)
    payload = event_payload(
        "customer.subscription.deleted", gift.stripe_subscription_id, object_type="subscription", event_id="evt_del"
    )
    assert post_webhook(client, payload).status_code == 200
    gift.refresh_from_db()
    assert gift.status == RecurringGift.Status.CANCELLED


def test_starting_a_monthly_gift_records_its_first_payment_at_once(localstripe):
    gift = recurring_gift_create(email="m@example.org", donation=DonationChoice(amount_minor=1000), currency="gbp")
    setup = recurring_gift_checkout_start(gift=gift)
    browser_confirm_card(setup.client_secret)
    assert recurring_gift_start(gift=gift, setup_intent_id=setup.id).status == "succeeded"
    assert recurring_gift_start(gift=gift, setup_intent_id=setup.id).status == "succeeded"  # double click
    assert Donation.objects.count() == 1
    assert len(stripe_object("/v1/subscriptions")["data"]) == 1
