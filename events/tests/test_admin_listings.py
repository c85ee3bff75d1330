"""Event staff's lists page through any number of events and bookings, find one by title,
ticket code or name, and cost the same queries however many there are."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import MemberProfileFactory, UserFactory, sign_in_with_second_factor
from core.listing import PER_PAGE
from events.tests.bulk import bulk_events
from events.tests.factories import RegistrationFactory, make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = UserFactory(groups=["Event staff"])
    sign_in_with_second_factor(client, user)
    return user


def titles(response) -> list[str]:
    return [event.title for event, _sales in response.context["rows"]]


def test_the_events_list_shows_one_page_upcoming_first_and_links_to_the_rest(client, staff):
    past = make_event(title="Last year", starts_at=timezone.now() - timedelta(days=300))
    past.ends_at = past.starts_at + timedelta(hours=2)
    past.save()
    bulk_events(PER_PAGE)
    first = client.get("/admin/events/")
    assert len(first.context["rows"]) == PER_PAGE and "Last year" not in titles(first)
    assert 'rel="next"' in first.content.decode()
    assert titles(client.get("/admin/events/?p=2")) == ["Last year"]


def test_the_events_list_finds_events_by_title(client, staff):
    make_event(title="Fundraising supper")
    make_event(title="Peer circle")
    assert titles(client.get("/admin/events/", {"q": "SUPPER"})) == ["Fundraising supper"]


def test_the_events_list_takes_the_same_queries_for_one_page_or_two(client, staff):
    bulk_events(3)
    client.get("/admin/events/")
    with CaptureQueriesContext(connection) as few:
        client.get("/admin/events/")
    bulk_events(PER_PAGE * 2)
    with CaptureQueriesContext(connection) as many:
        client.get("/admin/events/")
    assert len(many) == len(few)


def test_an_events_bookings_are_listed_a_page_at_a_time_latest_first(client, staff):
    event = make_event(capacity=PER_PAGE + 5)
    bookings = [RegistrationFactory(event=event) for _ in range(PER_PAGE + 1)]
    first = client.get(f"/admin/events/{event.pk}/")
    shown = [registration for registration, _name in first.context["bookings"]]
    assert len(shown) == PER_PAGE and shown[0] == bookings[-1]
    second = client.get(f"/admin/events/{event.pk}/?p=2")
    assert [registration for registration, _name in second.context["bookings"]] == [bookings[0]]


def test_an_events_bookings_are_found_by_ticket_code_or_name_and_never_show_an_address(client, staff):
    event = make_event()
    amani = MemberProfileFactory(display_name="Amani").user
    member_ticket = RegistrationFactory(event=event, user=amani, attendee_name="")
    named = RegistrationFactory(event=event, attendee_name="Robin")
    RegistrationFactory(event=event, attendee_name="Sam")
    for query, wanted in (("amani", member_ticket), ("rob", named), (named.code.lower().replace("-", ""), named)):
        response = client.get(f"/admin/events/{event.pk}/", {"q": query})
        assert [registration for registration, _name in response.context["bookings"]] == [wanted], query
    html = client.get(f"/admin/events/{event.pk}/").content.decode()
    assert "Amani" in html and member_ticket.email not in html and named.email not in html


def test_an_events_page_takes_the_same_queries_for_three_bookings_or_sixty(client, staff):
    event = make_event(capacity=100)
    for _ in range(3):
        RegistrationFactory(event=event, user=MemberProfileFactory().user, attendee_name="")
    client.get(f"/admin/events/{event.pk}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/admin/events/{event.pk}/")
    for _ in range(57):
        RegistrationFactory(event=event, user=MemberProfileFactory().user, attendee_name="")
    with CaptureQueriesContext(connection) as many:
        client.get(f"/admin/events/{event.pk}/")
    assert len(many) == len(few)
