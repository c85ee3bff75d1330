"""Sponsored places: gifts earmarked for an event pay for funded places there; only
succeeded gifts count, a refund takes the places back, and the donor sees no one."""

import pytest
from wagtail.models import Page

from events.availability import places_left_by_ticket_type
from events.models import SponsoredPlaces
from events.tests.factories import make_event
from payments.forms import DonationForm
from payments.models import DonatePage, Donation, Payment
from payments.services import DonationChoice, order_create, order_pay, refund_create
from payments.sponsorship import sponsored_places_count
from payments.tests.helpers import set_up_card

pytestmark = pytest.mark.django_db


def supper():
    return make_event(
        capacity=30,
        tickets=[
            {"name": "Supper", "quantity": 20, "price_minor": 2500},
            {"name": "Funded place for survivors", "quantity": 2, "funded": True},
        ],
    )


def give(event, amount_minor: int, django_capture_on_commit_callbacks, *, pay: bool = True):
    order = order_create(
        email="giver@example.org",
        donation=DonationChoice(amount_minor=amount_minor, earmark="funded_places", sponsored_page_id=event.pk),
    )
    if pay:
        with django_capture_on_commit_callbacks(execute=True):
            assert order_pay(order=order, setup_intent_id=set_up_card(order)).status == "succeeded"
    return order


def funded_left(event) -> int:
    return places_left_by_ticket_type(event)[event.ticket_types.get(funded=True).pk]


def test_succeeded_earmarked_gifts_grow_the_funded_places_by_whole_places(
    localstripe, django_capture_on_commit_callbacks
):
    event = supper()
    give(event, 3000, django_capture_on_commit_callbacks)  # one place costs 25.00 (the supper ticket)
    assert funded_left(event) == 3
    give(event, 2000, django_capture_on_commit_callbacks)
    assert funded_left(event) == 4 and SponsoredPlaces.objects.get(event=event).places == 2
    count = sponsored_places_count(event)
    assert (count.given_minor, count.place_minor, count.places) == (5000, 2500, 2)


def test_an_unpaid_gift_funds_nothing(localstripe, django_capture_on_commit_callbacks):
    event = supper()
    give(event, 5000, django_capture_on_commit_callbacks, pay=False)
    assert funded_left(event) == 2 and not SponsoredPlaces.objects.exists()


def test_a_refunded_gift_takes_its_places_back(localstripe, django_capture_on_commit_callbacks):
    event = supper()
    order = give(event, 5000, django_capture_on_commit_callbacks)
    assert funded_left(event) == 4
    with django_capture_on_commit_callbacks(execute=True):
        refund_create(payment=Payment.objects.get(order=order), reason="Donor asked", actor=None, request_token="t1")
    assert Donation.objects.get().refunded
    assert funded_left(event) == 2 and SponsoredPlaces.objects.get(event=event).places == 0


def test_the_donation_form_offers_events_with_funded_places_and_records_the_earmark(db):
    event = supper()
    plain = make_event(title="No funded places")
    home = Page.get_first_root_node().get_children().first()
    page = home.add_child(instance=DonatePage(title="Donate", slug="donate-sponsor", suggested_amounts="10"))
    form = DonationForm(page=page)
    values = [value for value, _label in form.fields["earmark"].choices]
    assert f"page:{event.pk}" in values and f"page:{plain.pk}" not in values
    form = DonationForm(
        {"preset": "1000", "email": "g@example.org", "earmark": f"page:{event.pk}", "frequency": "once"}, page=page
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["sponsored_page_id"] == event.pk and form.cleaned_data["earmark"] == "funded_places"


def test_a_course_is_offered_after_the_events_and_a_place_on_it_costs_its_price(
    localstripe, django_capture_on_commit_callbacks
):
    from payments.sponsorship import sponsorship_targets
    from training.tests.factories import make_course

    event = supper()
    course = make_course(title="Speaking up", modules=1, price_minor=4000)
    labels = [target.label for target in sponsorship_targets()]
    assert labels.index(f"Funded places at {event.title}") < labels.index("Funded places on Speaking up")
    give(course, 9000, django_capture_on_commit_callbacks)
    count = sponsored_places_count(course)
    assert (count.given_minor, count.place_minor, count.places) == (9000, 4000, 2)
    assert not SponsoredPlaces.objects.exists()  # an event's count, not a course's
    assert course.sponsored_places.places == 2  # training keeps a course's count


def test_the_recount_is_sent_to_whichever_app_owns_the_page(db):
    from payments.services.sponsorship import sponsored_places_recount
    from payments.signals import sponsorship_changed

    event = supper()
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    sponsorship_changed.connect(receiver)
    try:
        sponsored_places_recount(page_id=event.pk)
    finally:
        sponsorship_changed.disconnect(receiver)
    assert received == [
        {"signal": sponsorship_changed, "page_id": event.pk, "places": 0, "given_minor": 0, "place_minor": 2500}
    ]
    assert sponsored_places_recount(page_id=10**9) is None
