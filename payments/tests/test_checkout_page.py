"""What the checkout page offers beside the card form: Gift Aid on the donation in a basket
(the booking form asks for no declaration, so the checkout offers it for the donation line
only, in pounds sterling, before payment), and more time on the hold of the places."""

import pytest
from django.core.exceptions import ValidationError

from payments import giftaid
from payments.models import Donation, GiftAidDeclaration, OrderLine, Payment
from payments.services import order_gift_aid_add, order_pay
from payments.tests.helpers import donation_order, set_up_card
from payments.views import GIFT_AID_UNTICKED, checkout_url

pytestmark = pytest.mark.django_db

DECLARATION = {
    "gift_aid": "on",
    "title": "Ms",
    "first_name": "Sam",
    "last_name": "Donor",
    "house_name_or_number": "12",
    "postcode": "n1  9gu",
}


def _pay_url(order) -> str:
    return checkout_url(order).rstrip("/") + "/pay/"


def test_the_checkout_offers_gift_aid_in_the_card_form_and_records_it_before_the_payment_intent(
    client, localstripe, django_capture_on_commit_callbacks
):
    order = donation_order(amount_minor=500)
    page = client.get(checkout_url(order)).content.decode()
    assert "Add Gift Aid to your £5.00 donation?" in page
    form = page[page.index('<form id="checkout-form"') :]
    form = form[: form.index("</form>")]
    assert 'name="first_name"' in form and "Add Gift Aid</button>" not in page  # one form, one button
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_pay_url(order), DECLARATION | {"setup_intent": set_up_card(order)})
    assert response.json()["status"] == "succeeded"
    line = order.lines.get(kind=OrderLine.Kind.DONATION)
    declaration = GiftAidDeclaration.objects.get()
    assert line.gift_aid_eligible and line.gift_aid_declaration == declaration
    assert (declaration.first_name, declaration.postcode) == ("Sam", "N1 9GU")
    assert declaration.declaration_text == giftaid.DECLARATION_TEXT
    assert declaration.declaration_version == giftaid.DECLARATION_VERSION
    assert Donation.objects.get().gift_aid_declaration == declaration
    assert declaration.declared_at < Payment.objects.get().created_at  # recorded before the PaymentIntent
    thanks = client.get(checkout_url(order).rstrip("/") + "/done/").content.decode()
    assert "You paid <strong>£5.00</strong>, once. Your donation: £5.00, with Gift Aid added." in thanks


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        (DECLARATION | {"postcode": ""}, {"postcode": ["For Gift Aid we need your home postcode."]}),
        (DECLARATION | {"gift_aid": ""}, {"gift_aid": [GIFT_AID_UNTICKED]}),
    ],
    ids=["ticked-without-postcode", "filled-in-not-ticked"],
)
def test_pay_with_a_declaration_half_done_stops_before_any_payment_and_says_why(client, localstripe, sent, expected):
    order = donation_order(amount_minor=500)
    response = client.post(_pay_url(order), sent | {"setup_intent": set_up_card(order)})
    answer = response.json()
    assert answer["status"] == "gift_aid_invalid"
    assert answer["errors"] == expected
    assert "nothing has been taken" in answer["message"] and expected[next(iter(expected))][0] in answer["message"]
    assert not GiftAidDeclaration.objects.exists() and not order.lines.get().gift_aid_eligible
    assert not Payment.objects.exists()
    order.refresh_from_db()
    assert order.status in order.OPEN_STATES


def test_pay_without_any_gift_aid_details_pays_without_gift_aid(client, localstripe):
    order = donation_order(amount_minor=500)
    response = client.post(_pay_url(order), {"setup_intent": set_up_card(order), "first_name": " "})
    assert response.json()["status"] == "succeeded"
    assert not GiftAidDeclaration.objects.exists() and not order.lines.get().gift_aid_eligible


def test_a_declined_card_keeps_the_declaration_sent_with_it_and_the_next_try_does_not_repeat_it(client, localstripe):
    from payments.tests.helpers import DECLINED_AT_CHARGE, VISA

    order = donation_order(amount_minor=500)
    declined = client.post(_pay_url(order), DECLARATION | {"setup_intent": set_up_card(order, DECLINED_AT_CHARGE)})
    answer = declined.json()
    assert answer["status"] == "declined" and answer["gift_aid_added"] == "Gift Aid: added to your £5.00 donation."
    again = client.post(_pay_url(order), DECLARATION | {"setup_intent": set_up_card(order, VISA)})
    assert again.json()["status"] == "succeeded"
    assert GiftAidDeclaration.objects.count() == 1 and Donation.objects.get().gift_aid_declaration is not None


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
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from events.for_payments import ticket_lines
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
    local = timezone.localtime(held.reserved_until, ZoneInfo(event.time_zone))
    assert f"Your places are now held until {local:%H:%M} {event.time_zone} time." in response.content.decode()
