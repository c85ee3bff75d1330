"""Payments' retention: an unpaid order's email goes after 90 days; a Gift Aid declaration
six years after its last claim, unless it still covers something."""

from datetime import timedelta

import pytest
from django.utils import timezone

from payments.models import Donation, GiftAidDeclaration, Order, RecurringGift
from payments.services import (
    DonationChoice,
    gift_aid_declaration_create,
    order_pay,
    recurring_gift_create,
)
from payments.services.retention import payments_retention
from payments.tests.helpers import donation_order, set_up_card

pytestmark = pytest.mark.django_db


def test_an_unpaid_orders_email_is_removed_after_90_days_and_a_paid_ones_is_kept(localstripe):
    unpaid = donation_order(email="abandoned@example.org", message="For you")
    paid = donation_order(email="paid@example.org")
    order_pay(order=paid, setup_intent_id=set_up_card(paid))
    assert payments_retention() == {"unpaid_order_emails": 0, "gift_aid_declarations": 0}
    later = timezone.now() + timedelta(days=91)
    assert payments_retention(now=later)["unpaid_order_emails"] == 1
    unpaid.refresh_from_db()
    paid.refresh_from_db()
    assert unpaid.email == f"erased-order-{unpaid.pk}@erased.invalid" and unpaid.lines.get().message == ""
    assert paid.email == "paid@example.org"
    assert payments_retention(now=later)["unpaid_order_emails"] == 0


def test_a_declaration_goes_six_years_after_its_last_claim_unless_it_still_covers_a_gift(localstripe):
    def declared(last_name):
        return gift_aid_declaration_create(
            first_name="A", last_name=last_name, house_name_or_number="1", postcode="N1 1AA"
        )

    old, unclaimed, monthly = declared("Old"), declared("Unclaimed"), declared("Monthly")
    for declaration in (old, unclaimed, monthly):
        order = donation_order(gift_aid_declaration=declaration)
        order_pay(order=order, setup_intent_id=set_up_card(order))
    claimed_at = timezone.now()
    Donation.objects.exclude(gift_aid_declaration=unclaimed).update(claimed_at=claimed_at)
    gift = recurring_gift_create(
        email="m@example.org", donation=DonationChoice(amount_minor=1000, gift_aid_declaration=monthly), currency="GBP"
    )
    RecurringGift.objects.filter(pk=gift.pk).update(status=RecurringGift.Status.ACTIVE)
    assert payments_retention(now=claimed_at + timedelta(days=365 * 5))["gift_aid_declarations"] == 0
    counts = payments_retention(now=claimed_at + timedelta(days=6 * 366 + 1))
    assert counts["gift_aid_declarations"] == 1
    assert set(GiftAidDeclaration.objects.values_list("last_name", flat=True)) == {"Unclaimed", "Monthly"}
    assert Donation.objects.count() == 3 and Donation.objects.filter(gift_aid_declaration__isnull=True).count() == 1
    assert Order.objects.count() == 3
