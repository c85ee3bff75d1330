"""Tickets bought online: several tickets plus a donation in one order from the booking
page, "Pay now" while held, refunds when an event or a ticket is cancelled, and the
confirmation page listing every ticket."""

import re
import secrets

import pytest
from django.core import mail

from events.models import Registration
from events.services import event_cancel, registration_self_cancel
from events.tests.factories import make_event
from payments.models import Order, OrderLine, Payment, Refund
from payments.services import order_pay
from payments.tasks import ticket_refunds_make
from payments.tests.helpers import checkout_reference, set_up_card, stripe_object
from payments.views import checkout_url

pytestmark = pytest.mark.django_db
Status = Registration.Status


def paid_event(capacity: int = 5, price_minor: int = 1200, **fields):
    return make_event(
        capacity=capacity, tickets=[{"name": "Standard", "quantity": capacity, "price_minor": price_minor}], **fields
    )


def book(client, event, **fields):
    data = {
        "ticket_type": event.ticket_types.first().pk,
        "email": "buyer@example.org",
        "quantity": "2",
        "nonce": secrets.token_hex(8),
    }
    return client.post(f"/events/{event.pk}/book/", data | fields)


def paid_order(client, event, django_capture_on_commit_callbacks, **fields) -> Order:
    book(client, event, **fields)
    order = Order.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert order_pay(order=order, setup_intent_id=set_up_card(order)).status == "succeeded"
    order.refresh_from_db()
    return order


def test_two_tickets_and_a_donation_from_the_booking_page_make_one_order(client, localstripe):
    event = paid_event()
    response = book(client, event, donation="5")
    order = Order.objects.get()
    assert response.status_code == 302 and checkout_reference(response.url) == order.reference
    assert order.total_minor == 2 * 1200 + 500
    assert list(order.lines.values_list("kind", "amount_minor", "gift_aid_eligible")) == [
        ("ticket", 1200, False),
        ("ticket", 1200, False),
        ("donation", 500, False),
    ]
    held = Registration.objects.filter(event=event)
    assert held.count() == 2 and set(held.values_list("status", flat=True)) == {Status.RESERVED}
    assert len(set(held.values_list("booking", flat=True))) == 1


def test_a_donation_below_the_minimum_is_refused_on_its_field_and_releases_the_places(client, localstripe):
    event = paid_event()
    response = book(client, event, donation="0.50")
    assert response.status_code == 200
    assert response.context["form"].errors["donation"] == ["The smallest gift we can take online is £1.00."]
    assert not Order.objects.exists()
    assert set(Registration.objects.values_list("status", flat=True)) == {Status.CANCELLED}


def test_a_donation_cannot_ride_on_free_tickets(client, localstripe):
    event = make_event(
        capacity=5, tickets=[{"name": "Free", "quantity": 5}, {"name": "Paid", "quantity": 5, "price_minor": 900}]
    )
    response = book(client, event, donation="5")
    assert "can be added to paid tickets only" in response.context["form"].errors["donation"][0]
    assert not Registration.objects.exists()


def test_more_tickets_than_are_left_books_none_and_says_how_many_are_left(client, localstripe):
    event = paid_event(capacity=3)
    response = book(client, event, quantity="4")
    assert "Only 3 places are left for 'Standard'" in response.context["form"].errors["quantity"][0]
    assert not Registration.objects.exists() and not Order.objects.exists()


def test_the_same_form_sent_twice_makes_one_order(client, localstripe):
    event = paid_event()
    nonce = secrets.token_hex(8)
    first = book(client, event, nonce=nonce)
    second = book(client, event, nonce=nonce)
    assert first.status_code == second.status_code == 302
    assert Order.objects.count() == 1 and Registration.objects.count() == 2
    # On to the same checkout, as the first answer went (it may have been lost on the way).
    assert "/payments/checkout/" in first.url
    assert checkout_reference(second.url) == checkout_reference(first.url) == Order.objects.get().reference


def test_a_held_booking_shows_pay_now_back_to_its_checkout(client, localstripe):
    event = paid_event()
    book(client, event)
    order = Order.objects.get()
    from events.links import ticket_path

    page = client.get(ticket_path(Registration.objects.first())).content.decode()
    pay_now = re.search(r'href="(/payments/checkout/[^"]+)">Pay now</a>', page)
    assert pay_now and checkout_reference(pay_now.group(1)) == order.reference
    assert "All 2 tickets in this booking" in page


def test_the_confirmation_lists_every_ticket_and_each_ticket_page_lists_the_others(
    client, localstripe, django_capture_on_commit_callbacks
):
    event = paid_event()
    order = paid_order(client, event, django_capture_on_commit_callbacks, donation="5")
    codes = list(Registration.objects.values_list("code", flat=True))
    done = client.get(checkout_url(order) + "done/").content.decode()
    assert "Ticket 1 of 2" in done and "Ticket 2 of 2" in done and all(code in done for code in codes)
    from events.links import ticket_path

    page = client.get(ticket_path(Registration.objects.last())).content.decode()
    assert all(code in page for code in codes) and "Pay now" not in page
    assert page.count("<svg") >= 2  # a QR code for each ticket
    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects.count(f"Your place: {event.title}") == 2
    assert f"Your receipt {order.reference}" in subjects


def test_cancelling_an_event_refunds_each_paid_ticket_once_and_says_so(
    client, localstripe, django_capture_on_commit_callbacks
):
    event = paid_event()
    order = paid_order(client, event, django_capture_on_commit_callbacks, donation="5")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(event=event, actor=None, reason="The venue flooded.")
    refunds = Refund.objects.filter(status=Refund.Status.SUCCEEDED)
    assert sorted(refunds.values_list("amount_minor", flat=True)) == [1200, 1200]
    payment = Payment.objects.get()
    assert payment.amount_refunded_minor == 2400 and payment.status == Payment.Status.PARTLY_REFUNDED
    assert len(stripe_object(f"/v1/refunds?payment_intent={payment.stripe_payment_intent_id}")["data"]) == 2
    # Running the task again (a retried worker) refunds nothing more.
    references = [f"registration:{pk}" for pk in Registration.objects.values_list("pk", flat=True)]
    counts = ticket_refunds_make.call(item_references=references, reason="Event cancelled")
    assert counts["refunded"] == 0 and counts["already"] == 2
    assert Refund.objects.count() == 2
    assert len(stripe_object(f"/v1/refunds?payment_intent={payment.stripe_payment_intent_id}")["data"]) == 2
    [message] = [m for m in mail.outbox if m.subject.startswith("Cancelled:")]
    assert "Your refund of £24.00 for your tickets is on its way" in message.body
    order.refresh_from_db()
    assert order.status == Order.Status.PARTLY_REFUNDED


def test_a_refund_tells_the_selling_app_which_order_and_tickets_after_commit(
    client, localstripe, django_capture_on_commit_callbacks
):
    from payments.signals import payment_refunded

    event = paid_event()
    order = paid_order(client, event, django_capture_on_commit_callbacks, quantity="1")
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    payment_refunded.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            ticket_refunds_make.call(
                item_references=[f"registration:{Registration.objects.get().pk}"], reason="Event cancelled"
            )
        assert received == []
        for callback in callbacks:
            callback()
    finally:
        payment_refunded.disconnect(receiver)
    [sent] = received
    assert sent["order_reference"] == order.reference and sent["amount_refunded_minor"] == 1200
    assert sent["item_references"] == [f"registration:{Registration.objects.get().pk}"]
    assert sent["fully_refunded"] is True


def test_a_holder_cancelling_a_paid_ticket_gets_it_refunded_and_told(
    client, localstripe, django_capture_on_commit_callbacks
):
    event = paid_event()
    paid_order(client, event, django_capture_on_commit_callbacks, quantity="1")
    registration = Registration.objects.get()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        registration_self_cancel(registration=registration)
    refund = Refund.objects.get()
    assert refund.amount_minor == 1200 and refund.status == Refund.Status.SUCCEEDED
    assert refund.request_token == f"ticket-line-{OrderLine.objects.get(kind='ticket').pk}"
    [message] = mail.outbox
    assert "Your refund of £12.00 is on its way" in message.body


def test_a_refund_waits_and_is_retried_when_stripe_is_unreachable(
    client, localstripe, settings, django_capture_on_commit_callbacks
):
    event = paid_event()
    paid_order(client, event, django_capture_on_commit_callbacks, quantity="1")
    registration = Registration.objects.get()
    good_base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    counts = ticket_refunds_make.call(item_references=[f"registration:{registration.pk}"], reason="Event cancelled")
    assert counts["unavailable"] == 1 and Refund.objects.get().status == Refund.Status.PENDING
    settings.STRIPE_API_BASE = good_base
    counts = ticket_refunds_make.call(item_references=[f"registration:{registration.pk}"], reason="Event cancelled")
    assert counts["refunded"] == 1 and Refund.objects.get().status == Refund.Status.SUCCEEDED
