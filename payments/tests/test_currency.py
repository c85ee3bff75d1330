"""Currency end to end, on the server: a US-chapter event priced in dollars is shown, booked,
charged (the PaymentIntent localstripe holds is in usd), receipted (email and PDF), refunded
(in usd) and listed in Finance (order page and CSVs) in dollars. Spelling: ISO 4217 in our
models ("USD"), lower case only on the wire to Stripe."""

import csv
import io
import secrets
import subprocess

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client

from accounts.roles import FINANCE
from accounts.tests.factories import ChapterFactory
from events.models import Registration
from events.tests.factories import make_event
from payments.models import Order, Payment, Refund
from payments.services import DonationChoice, order_create, order_pay
from payments.tests.helpers import set_up_card, stripe_object

pytestmark = pytest.mark.django_db


@pytest.fixture
def us_event():
    us = ChapterFactory(name="United States", slug="us", country="US", time_zone="America/New_York", currency="USD")
    return make_event(
        title="Chicago supper", chapter=us, tickets=[{"name": "Standard", "quantity": 10, "price_minor": 2000}]
    )


@pytest.fixture
def finance_client(django_user_model, settings):
    user = django_user_model.objects.create_user(email="finance@thrive.example", password="x" * 12, is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=FINANCE)[0])
    settings.MFA_EXEMPT_EMAILS = [user.email]
    client = Client()
    client.force_login(user)
    return client


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_a_us_chapter_event_is_shown_charged_receipted_refunded_and_listed_in_dollars(
    client, localstripe, us_event, finance_client, django_capture_on_commit_callbacks, tmp_path
):
    page = client.get(us_event.url).content.decode()
    assert "Standard: $20.00" in page and "£20.00" not in page
    booking_page = client.get(f"/events/{us_event.pk}/book/").content.decode()
    assert "$20.00" in booking_page and "£20.00" not in booking_page

    response = client.post(
        f"/events/{us_event.pk}/book/",
        {"ticket_type": us_event.ticket_types.get().pk, "email": "buyer@example.org", "nonce": secrets.token_hex(8)},
    )
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.currency == "USD" and order.total_minor == 2000
    checkout = client.get(response.url).content.decode()
    assert "$20.00" in checkout and "£20.00" not in checkout

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert order_pay(order=order, setup_intent_id=set_up_card(order)).status == "succeeded"
    payment = Payment.objects.get(order=order)
    assert payment.currency == "USD"
    intent = stripe_object(f"/v1/payment_intents/{payment.stripe_payment_intent_id}")
    assert intent["currency"] == "usd" and intent["amount"] == 2000
    assert Registration.objects.get().status == Registration.Status.CONFIRMED

    [receipt] = [message for message in mail.outbox if message.subject == f"Your receipt {order.reference}"]
    assert "$20.00" in receipt.body and "£" not in receipt.body
    [(name, pdf, _type)] = [a for a in receipt.attachments if a[0].endswith(".pdf")]
    pdf_text = _pdf_text(pdf, tmp_path)
    assert "$20.00" in pdf_text and "£" not in pdf_text

    detail = finance_client.get(f"/admin/finance/orders/{order.pk}/").content.decode()
    assert "$20.00 (USD)" in detail and "minor units" not in detail and "£20.00" not in detail
    assert 'class="money-input__symbol" aria-hidden="true">$<' in detail  # the refund box, in dollars
    token = finance_client.get(f"/admin/finance/orders/{order.pk}/").context["payments"][0][1].initial["request_token"]
    done = finance_client.post(
        f"/admin/finance/payments/{payment.pk}/refund/",
        {"amount": "$20", "reason": "Event moved", "request_token": token},
        follow=True,
    )
    assert "Refunded $20.00." in done.content.decode()
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.SUCCEEDED and refund.amount_minor == 2000
    on_stripe = stripe_object(f"/v1/refunds/{refund.stripe_refund_id}")
    assert on_stripe["currency"] == "usd" and on_stripe["amount"] == 2000

    orders_csv = finance_client.get("/admin/finance/orders/?format=csv").content.decode()
    header, row = list(csv.reader(io.StringIO(orders_csv)))
    assert row[header.index("Total")] == "20.00" and row[header.index("Currency")] == "USD"
    payments_csv = finance_client.get("/admin/finance/payments/?format=csv").content.decode()
    header, row = list(csv.reader(io.StringIO(payments_csv)))
    assert (row[header.index("Amount")], row[header.index("Refunded")], row[header.index("Currency")]) == (
        "20.00",
        "20.00",
        "USD",
    )
    listing = finance_client.get("/admin/finance/payments/").content.decode()
    assert "$20.00 USD" in listing
    assert "$20.00 USD" in finance_client.get("/admin/finance/orders/").content.decode()


def test_a_donation_with_the_tickets_of_a_us_event_is_in_dollars_and_gets_no_gift_aid(client, localstripe, us_event):
    client.post(
        f"/events/{us_event.pk}/book/",
        {
            "ticket_type": us_event.ticket_types.get().pk,
            "email": "buyer@example.org",
            "donation": "$5",
            "nonce": secrets.token_hex(8),
        },
    )
    order = Order.objects.get()
    assert order.currency == "USD" and order.total_minor == 2500
    assert "Gift Aid" not in client.get(order_checkout_address(order)).content.decode()


def order_checkout_address(order) -> str:
    from payments.views import checkout_url

    return checkout_url(order)


def test_an_order_is_spelt_in_iso_4217_whatever_case_it_was_given_in(db):
    order = order_create(email="a@example.org", donation=DonationChoice(amount_minor=500), currency="usd")
    assert order.currency == "USD"
    assert order_create(email="b@example.org", donation=DonationChoice(amount_minor=500)).currency == "GBP"


def test_funded_places_are_offered_and_counted_only_in_the_events_own_currency(
    wagtail_tree, us_event, localstripe, django_capture_on_commit_callbacks
):
    from events.models import TicketType
    from payments.forms import DonationForm
    from payments.models import DonatePage
    from payments.sponsorship import sponsored_places_count

    TicketType.objects.create(event=us_event, name="Funded place", quantity=2, funded=True)
    pounds = wagtail_tree.add_child(instance=DonatePage(title="Give", slug="give-gbp", suggested_amounts="10"))
    dollars = wagtail_tree.add_child(
        instance=DonatePage(title="Give $", slug="give-usd", suggested_amounts="10", currency="USD")
    )
    choice = f"page:{us_event.pk}"
    assert choice not in [value for value, _ in DonationForm(page=pounds).fields["earmark"].choices]
    assert choice in [value for value, _ in DonationForm(page=dollars).fields["earmark"].choices]
    for amount, currency in [(4000, "USD"), (9900, "GBP")]:
        gift = DonationChoice(amount_minor=amount, earmark="funded_places", sponsored_page_id=us_event.pk)
        order = order_create(email="g@example.org", donation=gift, currency=currency)
        with django_capture_on_commit_callbacks(execute=True):
            assert order_pay(order=order, setup_intent_id=set_up_card(order)).status == "succeeded"
    count = sponsored_places_count(us_event)
    assert (count.given_minor, count.place_minor, count.places) == (4000, 2000, 2)


def test_a_chapter_takes_only_a_currency_thrive_can_take_payments_in(db):
    from django.core.exceptions import ValidationError

    from cms.models import Chapter

    chapter = Chapter(name="Canada", slug="ca", country="ca", time_zone="America/Toronto", currency="usd")
    chapter.full_clean()
    assert chapter.currency == "USD"
    chapter.currency = "CAD"
    with pytest.raises(ValidationError) as refused:
        chapter.full_clean()
    assert refused.value.message_dict["currency"] == [
        "Use one of the currencies Thrive can take payments in: GBP, EUR, USD."
    ]
