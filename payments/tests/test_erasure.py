"""A member's erasure in payments: amounts and dates stay (six years), nothing that names or
reaches them does; a monthly gift stops taking money; a Gift Aid declaration stays whole
only where HMRC has already been claimed against it."""

import pytest
from django.utils import timezone

from accounts.services import erasure_confirm, erasure_request
from accounts.tests.factories import MemberProfileFactory, UserFactory
from accounts.tests.test_privacy import text_columns_containing
from payments.models import Donation, GiftAidDeclaration, Order, RecurringGift
from payments.services import (
    DonationChoice,
    gift_aid_declaration_create,
    order_create,
    order_pay,
    recurring_gift_checkout_start,
    recurring_gift_create,
    recurring_gift_start,
)
from payments.tests.helpers import browser_confirm_card, set_up_card, stripe_object

pytestmark = pytest.mark.django_db

EMAIL = "wrenna.pollux@example.org"


def declaration(last_name: str):
    return gift_aid_declaration_create(
        first_name="Wrenna", last_name=last_name, house_name_or_number="7", postcode="N1 9GU"
    )


def test_erasure_empties_payments_personal_data_and_stops_the_monthly_gift(
    localstripe, django_capture_on_commit_callbacks
):
    user = MemberProfileFactory(user__email=EMAIL).user
    claimed, unclaimed = declaration("Claimedsurname"), declaration("Unclaimedsurname")
    paid = []
    for gift_aid in (claimed, unclaimed):
        order = order_create(
            email=EMAIL,
            user=user,
            donation=DonationChoice(amount_minor=2000, message="From Wrenna Pollux", gift_aid_declaration=gift_aid),
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert order_pay(order=order, setup_intent_id=set_up_card(order)).status == "succeeded"
        paid.append(order)
    Donation.objects.filter(gift_aid_declaration=claimed).update(claimed_at=timezone.now())
    gift = recurring_gift_create(
        email=EMAIL,
        donation=DonationChoice(amount_minor=1000, message="Monthly, Wrenna", gift_aid_declaration=claimed),
        currency="GBP",
        user=user,
    )
    setup = recurring_gift_checkout_start(gift=gift)
    browser_confirm_card(setup.client_secret)
    with django_capture_on_commit_callbacks(execute=True):
        assert recurring_gift_start(gift=gift, setup_intent_id=setup.id).status == "succeeded"
    gift.refresh_from_db()
    assert stripe_object(f"/v1/subscriptions/{gift.stripe_subscription_id}")["status"] == "active"

    with django_capture_on_commit_callbacks(execute=True):
        erasure_confirm(request=erasure_request(user=user, revoke_certificates=False), actor=UserFactory())

    assert text_columns_containing(EMAIL) == []
    assert text_columns_containing("Wrenna Pollux") == [] and text_columns_containing("Monthly, Wrenna") == []
    assert text_columns_containing("Unclaimedsurname") == []
    # The claimed declaration stays whole for HMRC, no longer linked to the account.
    kept = GiftAidDeclaration.objects.get()
    assert kept.pk == claimed.pk and kept.last_name == "Claimedsurname" and kept.user_id is None
    assert Donation.objects.filter(gift_aid_declaration=kept, claimed_at__isnull=False).count() == 1
    # ... and no further claim uses it: the monthly gift's unclaimed donation lost it.
    assert Donation.objects.get(recurring_gift=gift).gift_aid_declaration is None
    # The money records stay: three donations, two paid orders, with their amounts.
    assert sorted(Donation.objects.values_list("amount_minor", flat=True)) == [1000, 2000, 2000]
    assert Order.objects.filter(pk__in=[o.pk for o in paid], status=Order.Status.PAID).count() == 2
    assert not paid[1].lines.get().gift_aid_eligible
    gift.refresh_from_db()
    assert gift.status == RecurringGift.Status.CANCELLED
    assert stripe_object(f"/v1/subscriptions/{gift.stripe_subscription_id}")["status"] == "canceled"


def test_erasure_reaches_gifts_made_signed_out_with_the_same_address(localstripe, django_capture_on_commit_callbacks):
    user = MemberProfileFactory(user__email=EMAIL).user
    order = order_create(email=EMAIL.upper(), donation=DonationChoice(amount_minor=1500))
    with django_capture_on_commit_callbacks(execute=True):
        order_pay(order=order, setup_intent_id=set_up_card(order))
        erasure_confirm(request=erasure_request(user=user, revoke_certificates=False), actor=UserFactory())
    order.refresh_from_db()
    assert order.email == f"erased-order-{order.pk}@erased.invalid"
    assert Donation.objects.get().email.endswith("@erased.invalid")
