import pytest
from django.core import mail

from payments.models import Donation, RecurringGift
from payments.selectors import cancel_token
from payments.services import (
    DonationChoice,
    recurring_gift_checkout_start,
    recurring_gift_create,
    recurring_gift_start,
)
from payments.tests.helpers import (
    THREE_D_SECURE,
    browser_authenticate_payment,
    browser_confirm_card,
    event_payload,
    post_webhook,
    stripe_object,
)

pytestmark = pytest.mark.django_db


def _monthly_gift(amount_minor=1000) -> RecurringGift:
    gift = recurring_gift_create(
        email="monthly@example.org", donation=DonationChoice(amount_minor=amount_minor), currency="GBP"
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
    gift = recurring_gift_create(email="m@example.org", donation=DonationChoice(amount_minor=1000), currency="GBP")
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
    gift = recurring_gift_create(email="m@example.org", donation=DonationChoice(amount_minor=1000), currency="GBP")
    setup = recurring_gift_checkout_start(gift=gift)
    browser_confirm_card(setup.client_secret)
    assert recurring_gift_start(gift=gift, setup_intent_id=setup.id).status == "succeeded"
    assert recurring_gift_start(gift=gift, setup_intent_id=setup.id).status == "succeeded"  # double click
    assert Donation.objects.count() == 1
    assert len(stripe_object("/v1/subscriptions")["data"]) == 1


def _gift_with_card(number: str) -> tuple[RecurringGift, str]:
    gift = recurring_gift_create(email="secure@example.org", donation=DonationChoice(amount_minor=1500), currency="GBP")
    setup = recurring_gift_checkout_start(gift=gift)
    assert browser_confirm_card(setup.client_secret, number)["status"] == "succeeded"
    return gift, setup.id


def test_a_monthly_gift_whose_first_payment_needs_3d_secure_waits_for_it_then_succeeds(
    localstripe, django_capture_on_commit_callbacks
):
    gift, setup_id = _gift_with_card(THREE_D_SECURE)
    outcome = recurring_gift_start(gift=gift, setup_intent_id=setup_id)
    assert outcome.status == "requires_action" and "_secret_" in outcome.client_secret
    gift.refresh_from_db()
    assert gift.status == RecurringGift.Status.PENDING and gift.stripe_subscription_id
    # Asked again before the donor answered the bank (a second tab, a double click): the same
    # payment is waiting; no second subscription.
    assert recurring_gift_start(gift=gift, setup_intent_id=setup_id).client_secret == outcome.client_secret
    assert len(stripe_object("/v1/subscriptions")["data"]) == 1
    assert browser_authenticate_payment(outcome.client_secret)["status"] == "succeeded"
    with django_capture_on_commit_callbacks(execute=True):
        assert recurring_gift_start(gift=gift, setup_intent_id=setup_id).status == "succeeded"
    gift.refresh_from_db()
    assert gift.status == RecurringGift.Status.ACTIVE
    assert stripe_object(f"/v1/subscriptions/{gift.stripe_subscription_id}")["status"] == "active"
    donation = Donation.objects.get()
    assert donation.recurring_gift == gift and donation.amount_minor == 1500


def test_a_first_payment_the_donor_does_not_confirm_stops_that_subscription_and_another_card_can_be_used(
    localstripe, django_capture_on_commit_callbacks
):
    gift, setup_id = _gift_with_card(THREE_D_SECURE)
    outcome = recurring_gift_start(gift=gift, setup_intent_id=setup_id)
    first_subscription = RecurringGift.objects.get(pk=gift.pk).stripe_subscription_id
    browser_authenticate_payment(outcome.client_secret, success=False)
    declined = recurring_gift_start(gift=gift, setup_intent_id=setup_id)
    assert declined.status == "declined" and declined.message
    gift.refresh_from_db()
    assert gift.status == RecurringGift.Status.PENDING and gift.stripe_subscription_id is None
    assert stripe_object(f"/v1/subscriptions/{first_subscription}")["status"] == "canceled"
    assert not Donation.objects.exists()
    # Another card, same gift: a new subscription, paid.
    setup = recurring_gift_checkout_start(gift=gift)
    browser_confirm_card(setup.client_secret)
    with django_capture_on_commit_callbacks(execute=True):
        assert recurring_gift_start(gift=gift, setup_intent_id=setup.id).status == "succeeded"
    gift.refresh_from_db()
    assert gift.status == RecurringGift.Status.ACTIVE and gift.stripe_subscription_id != first_subscription
    assert Donation.objects.count() == 1


def test_the_monthly_thank_you_page_says_the_amount_the_next_date_and_how_to_stop(
    client, localstripe, django_capture_on_commit_callbacks
):
    import re
    from datetime import date

    from django.utils import timezone

    from payments.selectors import _months_after
    from payments.views import checkout_url

    gift = recurring_gift_create(email="thanks@example.org", donation=DonationChoice(amount_minor=1250), currency="GBP")
    setup = recurring_gift_checkout_start(gift=gift)
    browser_confirm_card(setup.client_secret)
    with django_capture_on_commit_callbacks(execute=True):
        assert recurring_gift_start(gift=gift, setup_intent_id=setup.id).status == "succeeded"
    page = client.get(checkout_url(gift).rstrip("/") + "/done/").content.decode()
    assert "Thank you" in page and "£12.50 every month" in page
    next_on = _months_after(timezone.localdate(), 1)
    assert f'<time datetime="{next_on:%Y-%m-%d}">{next_on.day} {next_on:%B %Y}</time>' in page
    assert next_on > timezone.localdate() and isinstance(next_on, date)
    stop = re.search(r'<a href="(/payments/monthly/cancel/[^"]+/)">stop my monthly gift</a>', page)
    assert stop, "the page links to a working way to stop the gift"
    assert client.post(stop.group(1)).status_code == 200
    gift.refresh_from_db()
    assert gift.status == RecurringGift.Status.CANCELLED
    assert stripe_object(f"/v1/subscriptions/{gift.stripe_subscription_id}")["status"] == "canceled"


def test_a_monthly_gift_is_next_taken_on_its_first_payments_day_or_the_months_last_day():
    from datetime import date, datetime

    from django.utils import timezone

    from payments.selectors import recurring_gift_next_payment_on

    gift = recurring_gift_create(email="m@example.org", donation=DonationChoice(amount_minor=500), currency="GBP")
    gift.status = RecurringGift.Status.ACTIVE
    gift.save(update_fields=["status"])
    Donation.objects.create(
        amount_minor=500,
        currency="GBP",
        email=gift.email,
        recurring_gift=gift,
        stripe_invoice_id="in_first",
        donated_at=timezone.make_aware(datetime(2027, 1, 31, 10, 0)),
    )
    assert recurring_gift_next_payment_on(gift, today=date(2027, 1, 31)) == date(2027, 2, 28)
    assert recurring_gift_next_payment_on(gift, today=date(2027, 2, 28)) == date(2027, 3, 31)
    assert recurring_gift_next_payment_on(gift, today=date(2027, 12, 31)) == date(2028, 1, 31)
    gift.status = RecurringGift.Status.CANCELLED
    assert recurring_gift_next_payment_on(gift, today=date(2027, 2, 1)) is None
