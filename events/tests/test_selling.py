from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from events.availability import places_left
from events.models import Registration, WaitingListEntry
from events.services import (
    events_housekeeping,
    registration_cancel,
    registration_check_in,
    registration_confirm_paid,
    registration_reserve,
    waiting_list_accept,
    waiting_list_join,
)
from events.tests.factories import make_event

pytestmark = pytest.mark.django_db


def reserve(event, email="a@example.org", now=None):
    return registration_reserve(event=event, ticket_type=event.ticket_types.first(), email=email, now=now)


def test_free_places_confirm_at_once_and_the_last_place_is_sold_once():
    event = make_event(capacity=2)
    assert reserve(event, "a@example.org").status == Registration.Status.CONFIRMED
    reserve(event, "b@example.org")
    with pytest.raises(ValidationError, match="no places left"):
        reserve(event, "c@example.org")
    assert Registration.objects.count() == 2 and places_left(event) == 0


def test_paid_reservations_expire_and_free_their_place_when_the_clock_moves():
    event = make_event(capacity=1, tickets=[{"name": "Paid", "quantity": 1, "price_minor": 1500}])
    now = timezone.now()
    held = reserve(event, now=now)
    assert held.status == Registration.Status.RESERVED
    with pytest.raises(ValidationError):
        reserve(event, "b@example.org", now=now + timedelta(minutes=5))
    later = now + timedelta(minutes=event.reservation_minutes + 1)
    assert events_housekeeping(now=later)["reservations_released"] == 1
    assert reserve(event, "b@example.org", now=later).status == Registration.Status.RESERVED


def test_a_late_payment_is_refused_when_the_place_has_gone():
    event = make_event(capacity=1, tickets=[{"name": "Paid", "quantity": 1, "price_minor": 1500}])
    now = timezone.now()
    first = reserve(event, now=now)
    later = now + timedelta(minutes=event.reservation_minutes + 1)
    events_housekeeping(now=later)
    reserve(event, "b@example.org", now=later)
    with pytest.raises(ValidationError):
        registration_confirm_paid(registration=first, now=later)


def test_waiting_list_offers_go_out_in_order_and_untaken_offers_pass_on():
    event = make_event(capacity=1)
    ticket = event.ticket_types.first()
    now = timezone.now()
    taken = reserve(event, now=now)
    entries = [waiting_list_join(event=event, ticket_type=ticket, email=f"w{n}@example.org", now=now) for n in range(3)]
    registration_cancel(registration=taken, now=now)
    statuses = [WaitingListEntry.objects.get(pk=e.pk).status for e in entries]
    assert statuses == ["offered", "waiting", "waiting"]
    with pytest.raises(ValidationError):
        reserve(event, "someone.else@example.org", now=now)  # the offered place is held
    later = now + timedelta(hours=event.offer_hours + 1)
    events_housekeeping(now=later)
    statuses = [WaitingListEntry.objects.get(pk=e.pk).status for e in entries]
    assert statuses == ["expired", "offered", "waiting"]
    registration = waiting_list_accept(entry=entries[1], now=later)
    assert registration.status == Registration.Status.CONFIRMED and registration.email == "w1@example.org"
    with pytest.raises(ValidationError, match="offer has ended"):
        waiting_list_accept(entry=entries[0], now=later)


def test_joining_the_waiting_list_needs_a_sold_out_event():
    event = make_event(capacity=1)
    with pytest.raises(ValidationError, match="places left"):
        waiting_list_join(event=event, ticket_type=event.ticket_types.first(), email="w@example.org")


def test_booking_outside_the_window_or_for_members_only_is_refused():
    event = make_event(registration_closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="closed"):
        reserve(event)
    members_only = make_event(audience="members")
    with pytest.raises(ValidationError, match="members"):
        reserve(members_only)


def test_check_in_once_says_when_it_was_first_used_and_refuses_other_events():
    event, other = make_event(), make_event()
    registration = reserve(event)
    first, first_time = registration_check_in(event=event, code=registration.code.lower(), actor=None)
    assert first_time and first.status == Registration.Status.CHECKED_IN
    again, again_first = registration_check_in(event=event, code=registration.code, actor=None)
    assert not again_first and again.checked_in_at == first.checked_in_at
    with pytest.raises(ValidationError, match="another event"):
        registration_check_in(event=other, code=registration.code, actor=None)
