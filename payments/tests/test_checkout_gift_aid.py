"""Gift Aid on the donation in a basket: the booking form asks for no declaration, so the
checkout page offers it for the donation line only (pounds sterling), before payment."""

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

    euros = order_create(email="e@example.org", donation=DonationChoice(amount_minor=500), currency="eur")
    with pytest.raises(ValidationError, match="pounds sterling"):
        order_gift_aid_add(order=euros, declaration=declaration)
    assert not OrderLine.objects.filter(gift_aid_eligible=True).exists()


def test_no_offer_without_a_donation_or_in_another_currency(client, localstripe):
    from payments.services import DonationChoice, order_create

    euros = order_create(email="e@example.org", donation=DonationChoice(amount_minor=500), currency="eur")
    assert "Gift Aid" not in client.get(checkout_url(euros)).content.decode()
