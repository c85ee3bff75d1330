"""What the checkout page offers beside the card form: Gift Aid on the donation in a basket
(the booking form asks for no declaration, so the checkout offers it for the donation line
only, in pounds sterling, before payment), and more time on the hold of the places."""

import pytest
from django.core.exceptions import ValidationError

from payments import giftaid
from payments.models import Donation, GiftAidDeclaration, OrderLine
from payments.services import order_gift_aid_add, order_pay
from payments.tests.helpers import donation_order, set_up_card
from payments.views import checkout_url

pytestmark = pytest.mark.django_db

DECLARATION = {
    "gift_aid": "on",
    "title": "Ms",
    "first_name": "Sam",
    "last_name": "Donor",
    "house_name_or_number": "12",
    "postcode": "n1  9gu",
}


def _gift_aid_url(order) -> str:
    return checkout_url(order).rstrip("/") + "/gift-aid/"


def test_the_checkout_offers_gift_aid_on_the_donation_and_adds_it_before_payment(
    client, localstripe, django_capture_on_commit_callbacks
):
    order = donation_order(amount_minor=500)
    page = client.get(checkout_url(order)).content.decode()
    assert "Add Gift Aid to your £5.00 donation?" in page
    response = client.post(_gift_aid_url(order), DECLARATION)
    assert response.status_code == 302 and response["Location"] == checkout_url(order)
    page = client.get(checkout_url(order)).content.decode()
    assert "Gift Aid: added to your £5.00 donation." in page and "Add Gift Aid to your" not in page
    line = order.lines.get(kind=OrderLine.Kind.DONATION)
    declaration = GiftAidDeclaration.objects.get()
    assert line.gift_aid_eligible and line.gift_aid_declaration == declaration
    assert (declaration.first_name, declaration.postcode) == ("Sam", "N1 9GU")
    assert declaration.declaration_text == giftaid.DECLARATION_TEXT
    assert declaration.declaration_version == giftaid.DECLARATION_VERSION
    with django_capture_on_commit_callbacks(execute=True):
        assert order_pay(order=order, setup_intent_id=set_up_card(order)).status == "succeeded"
    assert Donation.objects.get().gift_aid_declaration == declaration


def test_a_declaration_missing_a_field_or_the_tick_is_refused_with_what_was_typed_kept(client, localstripe):
    order = donation_order(amount_minor=500)
    response = client.post(_gift_aid_url(order), DECLARATION | {"postcode": "", "gift_aid": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert "For Gift Aid we need your home postcode." in page
    assert "Tick the box to make the Gift Aid declaration." in page
    assert 'value="Donor"' in page
    assert not GiftAidDeclaration.objects.exists()
    assert not order.lines.get().gift_aid_eligible


def test_gift_aid_is_refused_once_the_order_is_paid_and_for_other_currencies(localstripe):
    from payments.services import gift_aid_declaration_create

    declaration = gift_aid_declaration_create(
        first_name="Sam", last_name="Donor", house_name_or_number="12", postcode="N1 9GU"
    )
    paid = donation_order(amount_minor=500)
    assert order_pay(order=paid, setup_intent_id=set_up_card(paid)).status == "succeeded"
    with pytest.raises(ValidationError, match="paid or closed"):
        order_gift_aid_add(order=paid, declaration=declaration)
    from payments.services import DonationChoice, order_create

    euros = order_create(email="e@example.org", donation=DonationChoice(amount_minor=500), currency="EUR")
    with pytest.raises(ValidationError, match="pounds sterling"):
        order_gift_aid_add(order=euros, declaration=declaration)
    assert not OrderLine.objects.filter(gift_aid_eligible=True).exists()


def test_no_offer_without_a_donation_or_in_another_currency(client, localstripe):
    from payments.services import DonationChoice, order_create

    euros = order_create(email="e@example.org", donation=DonationChoice(amount_minor=500), currency="EUR")
    assert "Gift Aid" not in client.get(checkout_url(euros)).content.decode()


def test_i_need_more_time_holds_the_places_longer_within_the_events_limit(client, localstripe):
    from datetime import timedelta

    from django.utils import timezone

    from events.checkout import ticket_lines
    from events.models import Registration
    from events.services import registration_reserve
    from events.tests.factories import make_event
    from payments.services import order_create

    event = make_event(capacity=5, tickets=[{"name": "Standard", "quantity": 5, "price_minor": 1200}])
    held = registration_reserve(event=event, ticket_type=event.ticket_types.first(), email="slow@example.org")
    order = order_create(email="slow@example.org", tickets=ticket_lines([held]))
    ten_minutes_ago = timezone.now() - timedelta(minutes=10)
    Registration.objects.filter(pk=held.pk).update(
        created_at=ten_minutes_ago, reserved_until=ten_minutes_ago + timedelta(minutes=event.reservation_minutes)
    )
    page = client.get(checkout_url(order)).content.decode()
    assert "I need more time" in page
    response = client.post(checkout_url(order).rstrip("/") + "/more-time/", follow=True)
    held.refresh_from_db()
    assert held.reserved_until > timezone.now() + timedelta(minutes=event.reservation_minutes - 1)
    assert f"Your places are now held until {timezone.localtime(held.reserved_until):%H:%M}." in (
        response.content.decode()
    )
