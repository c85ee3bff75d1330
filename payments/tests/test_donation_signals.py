"""The contract another app relies on to start a donation with its own reference (core/hooks.py:
`donation_recorded`, `donation_refunded`): the reference and the sponsored-event flag travel
from the choice to the line and the donation, and the signals hand the reference back once."""

import uuid

import pytest

from payments.models import Donation, Payment
from payments.services import DonationChoice, order_create, order_pay, refund_create
from payments.signals import donation_recorded, donation_refunded
from payments.tests.helpers import set_up_card

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    calls = []

    def listen(signal_name):
        def receiver(sender, *, donations, **kwargs):
            calls.append((signal_name, list(donations)))

        return receiver

    recorded, refunded = listen("recorded"), listen("refunded")
    donation_recorded.connect(recorded, dispatch_uid="test-recorded")
    donation_refunded.connect(refunded, dispatch_uid="test-refunded")
    yield calls
    donation_recorded.disconnect(dispatch_uid="test-recorded")
    donation_refunded.disconnect(dispatch_uid="test-refunded")


def _paid(**choice):
    order = order_create(email="d@example.org", donation=DonationChoice(amount_minor=1500, **choice))
    assert order_pay(order=order, setup_intent_id=set_up_card(order)).status == "succeeded"
    return order


def test_a_referenced_donation_is_handed_back_once_when_recorded_and_when_refunded(localstripe, heard):
    order = _paid(item_reference="someapp:7", sponsored_event=True)
    donation = Donation.objects.get()
    assert donation.sponsored_event is True and donation.order_line.item_reference == "someapp:7"
    refund_create(payment=Payment.objects.get(order=order), reason="r", actor=None, request_token=uuid.uuid4().hex)
    assert heard == [("recorded", [(donation.pk, "someapp:7")]), ("refunded", [(donation.pk, "someapp:7")])]


def test_a_donation_without_a_reference_sends_neither_signal(localstripe, heard):
    _paid()
    assert heard == []
    assert Donation.objects.get().sponsored_event is False
