"""Booking several tickets at once: all or none under the event's lock, one code each,
the booking's tickets listed on each ticket page (until one is passed on), and places
donors sponsored adding to the funded ticket type."""

import secrets

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from events.availability import places_left_by_ticket_type
from events.links import ticket_path
from events.models import Registration
from events.services import (
    MAX_TICKETS_PER_BOOKING,
    event_sponsored_places_set,
    registration_transfer,
    registrations_reserve,
)
from events.tests.factories import RegistrationFactory, make_event

pytestmark = pytest.mark.django_db


def test_several_free_tickets_confirm_together_each_with_its_own_code_and_email(
    client, django_capture_on_commit_callbacks
):
    event = make_event(capacity=5)
    data = {"ticket_type": event.ticket_types.first().pk, "email": "group@example.org", "quantity": "3"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/events/{event.pk}/book/", data | {"nonce": secrets.token_hex(8)})
    assert response.status_code == 302
    registrations = list(Registration.objects.all())
    assert len(registrations) == 3 and {r.status for r in registrations} == {Registration.Status.CONFIRMED}
    assert len({r.code for r in registrations}) == 3 and len({r.booking for r in registrations}) == 1
    assert len(mail.outbox) == 3
    page = client.get(response.url).content.decode()
    assert "Your 3 places are booked" in page and "All 3 tickets in this booking" in page
    assert all(r.code in page for r in registrations)


def test_asking_for_more_places_than_are_left_takes_none():
    event = make_event(capacity=4)
    RegistrationFactory(event=event)
    ticket_type = event.ticket_types.first()
    with pytest.raises(ValidationError, match="Only 3 places are left"):
        registrations_reserve(event=event, ticket_type=ticket_type, email="a@example.org", quantity=4)
    assert Registration.objects.count() == 1
    assert len(registrations_reserve(event=event, ticket_type=ticket_type, email="a@example.org", quantity=3)) == 3
    assert places_left_by_ticket_type(event)[ticket_type.pk] == 0


@pytest.mark.parametrize("quantity", [0, MAX_TICKETS_PER_BOOKING + 1])
def test_a_quantity_outside_the_limits_is_refused(quantity):
    event = make_event(capacity=50)
    with pytest.raises(ValidationError, match="between 1 and"):
        registrations_reserve(
            event=event, ticket_type=event.ticket_types.first(), email="a@example.org", quantity=quantity
        )


def test_a_ticket_passed_on_no_longer_shows_the_rest_of_the_booking(client):
    event = make_event(capacity=5)
    first, second = registrations_reserve(
        event=event, ticket_type=event.ticket_types.first(), email="group@example.org", quantity=2
    )
    moved = registration_transfer(registration=second, email="friend@example.org")
    assert moved.booking == ""
    page = client.get(ticket_path(moved)).content.decode()
    assert first.code not in page and "tickets in this booking" not in page


def test_sponsored_places_add_to_the_funded_ticket_type_within_capacity():
    event = make_event(
        capacity=10,
        tickets=[
            {"name": "Paid", "quantity": 8, "price_minor": 2000},
            {"name": "Funded", "quantity": 1, "funded": True},
        ],
    )
    paid, funded = event.ticket_types.all()
    assert places_left_by_ticket_type(event) == {paid.pk: 8, funded.pk: 1}
    event_sponsored_places_set(event=event, places=3)
    event_sponsored_places_set(event=event, places=3)  # absolute: twice is the same
    assert places_left_by_ticket_type(event) == {paid.pk: 8, funded.pk: 4}
    registrations_reserve(event=event, ticket_type=paid, email="p@example.org", quantity=8)
    assert places_left_by_ticket_type(event)[funded.pk] == 2  # the venue holds 10
    event_sponsored_places_set(event=event, places=0)
    assert places_left_by_ticket_type(event)[funded.pk] == 1
