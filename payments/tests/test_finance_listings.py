"""Finance's lists of orders, payments and donations show one page at a time, find a record by
order reference, Stripe payment ID or email address, and cost the same queries however many
records there are."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import FINANCE
from core.listing import PER_PAGE
from payments.models import Donation, Order, OrderLine, Payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance_client(client, django_user_model, settings):
    user = django_user_model.objects.create_user(email="finance@thrive.example", password="x" * 12)
    user.groups.add(Group.objects.get_or_create(name=FINANCE)[0])
    settings.MFA_EXEMPT_EMAILS = [user.email]
    client.force_login(user)
    return client


def paid_donations(count: int, *, email: str = "giver@example.org") -> list[Order]:
    """`count` paid donation orders, a minute apart (latest last), each with its payment and
    donation, as the webhook leaves them."""
    now = timezone.now()
    orders = []
    for n in range(count):
        at = now - timedelta(minutes=count - n)
        order = Order.objects.create(email=email, total_minor=1000, status=Order.Status.PAID, paid_at=at)
        Order.objects.filter(pk=order.pk).update(created_at=at)
        line = OrderLine.objects.create(order=order, kind="donation", amount_minor=1000, description="Donation")
        Payment.objects.create(
            order=order,
            stripe_payment_intent_id=f"pi_test_{order.pk}",
            idempotency_key=f"test-{order.pk}",
            status=Payment.Status.SUCCEEDED,
            amount_minor=1000,
            currency="GBP",
        )
        Donation.objects.create(order_line=line, amount_minor=1000, currency="GBP", email=email, donated_at=at)
        orders.append(order)
    return orders


@pytest.mark.parametrize("listing", ["orders", "payments", "donations"])
def test_each_finance_list_shows_one_page_and_links_to_the_next(finance_client, listing):
    paid_donations(PER_PAGE + 1)
    first = finance_client.get(f"/admin/finance/{listing}/")
    assert len(first.context[listing]) == PER_PAGE and 'rel="next"' in first.content.decode()
    second = finance_client.get(f"/admin/finance/{listing}/?p=2")
    assert len(second.context[listing]) == 1


def test_orders_are_listed_latest_first_across_pages(finance_client):
    orders = paid_donations(PER_PAGE + 1)
    first = list(finance_client.get("/admin/finance/orders/").context["orders"])
    last = list(finance_client.get("/admin/finance/orders/?p=2").context["orders"])
    assert first[0] == orders[-1] and last == [orders[0]]


@pytest.mark.parametrize("listing", ["orders", "payments", "donations"])
def test_each_finance_list_takes_the_same_queries_for_one_record_or_sixty(finance_client, listing):
    paid_donations(1)
    finance_client.get(f"/admin/finance/{listing}/")
    with CaptureQueriesContext(connection) as one:
        finance_client.get(f"/admin/finance/{listing}/")
    paid_donations(59)
    with CaptureQueriesContext(connection) as sixty:
        finance_client.get(f"/admin/finance/{listing}/")
    assert len(sixty) == len(one)


def test_finance_finds_an_order_by_its_reference_in_any_case_or_the_payers_address(finance_client):
    paid_donations(3)
    [wanted] = paid_donations(1, email="Robin@Example.org")
    for text in (wanted.reference.lower(), "robin@example.ORG"):
        found = finance_client.get("/admin/finance/orders/", {"q": text}).context["orders"]
        assert list(found) == [wanted], text


def test_finance_finds_a_payment_by_stripe_id_or_order_reference(finance_client):
    paid_donations(3)
    [order] = paid_donations(1)
    payment = order.payments.get()
    for text in (payment.stripe_payment_intent_id, order.reference):
        assert list(finance_client.get("/admin/finance/payments/", {"q": text}).context["payments"]) == [payment]


def test_finance_finds_donations_by_address_or_order_reference_and_the_search_keeps_the_filters(finance_client):
    paid_donations(2)
    [order] = paid_donations(1, email="sam@example.org")
    donation = Donation.objects.get(order_line__order=order)
    by_address = finance_client.get("/admin/finance/donations/", {"q": "SAM@example.org", "gift_aid": "1"})
    assert list(by_address.context["donations"]) == []  # the Gift Aid filter still applies
    assert list(finance_client.get("/admin/finance/donations/", {"q": "sam@example.org"}).context["donations"]) == [
        donation
    ]
    assert list(finance_client.get("/admin/finance/donations/", {"q": order.reference}).context["donations"]) == [
        donation
    ]
