"""Allocated places (issue 19): access-code blocks hold places, a code books one place once,
bad codes are refused with their reason (nothing booked), wrong codes are throttled, hidden
ticket types are never offered publicly, and a partner sees counts only."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.tests.factories import PartnerContactFactory, PartnerOrganisationFactory, StaffFactory
from events import selectors, services
from events.availability import places_left, places_left_by_ticket_type
from events.booking import booking_state
from events.models import AccessCode, Registration
from events.tests.factories import make_event

pytestmark = pytest.mark.django_db

Status = Registration.Status


def coded_event(*, capacity=10, paid=10, funded=10, **fields):
    return make_event(
        capacity=capacity,
        tickets=[
            {"name": "Standard", "quantity": paid, "price_minor": 2000},
            {"name": "Funded place", "quantity": funded, "funded": True, "hidden": True},
        ],
        **fields,
    )


def allocate(event, places=3, partner=None, **fields):
    return services.access_code_block_create(
        event=event,
        partner=partner or PartnerOrganisationFactory(),
        ticket_type=event.ticket_types.get(hidden=True),
        places=places,
        expires_at=fields.pop("expires_at", event.starts_at - timedelta(days=1)),
        actor=StaffFactory(),
        **fields,
    )


def refusal(call) -> str:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.code


def test_a_block_holds_its_places_and_a_code_books_one_free_place_once():
    event = coded_event()
    block = allocate(event, places=3)
    assert block.codes.count() == 3
    assert places_left(event) == 7
    code = block.codes.first().code
    registration = services.registration_reserve_with_code(event=event, code=code.lower(), email="A@example.org")
    assert registration.status == Status.CONFIRMED and registration.ticket_type.hidden
    assert places_left(event) == 7  # the place came from the block
    used = AccessCode.objects.get(code=code)
    assert used.used_at is not None and used.registration == registration
    assert refusal(lambda: services.registration_reserve_with_code(event=event, code=code, email="b@example.org")) == (
        "used_code"
    )
    assert Registration.objects.count() == 1


def test_bad_codes_are_refused_with_their_reason_and_book_nothing():
    event, other = coded_event(), coded_event()
    block = allocate(event, places=2)
    other_code = allocate(other, places=1).codes.get().code
    first, second = block.codes.values_list("code", flat=True)

    def book(code, now=None):
        return lambda: services.registration_reserve_with_code(event=event, code=code, email="x@example.org", now=now)

    assert refusal(book("ZZZZ-ZZZZ")) == "unknown_code"
    assert refusal(book(other_code)) == "other_event_code"
    later = block.expires_at + timedelta(minutes=1)
    assert refusal(book(first, now=later)) == "expired_code"
    services.access_code_block_revoke(block=block, actor=StaffFactory())
    assert refusal(book(second)) == "revoked_code"
    assert Registration.objects.count() == 0
    assert AccessCode.objects.filter(used_at__isnull=False).count() == 0


def test_an_expired_or_revoked_block_returns_its_unused_places_to_sale():
    event = coded_event(capacity=5, paid=5, funded=5)
    block = allocate(event, places=4)
    assert places_left(event) == 1
    assert places_left(event, now=block.expires_at + timedelta(seconds=1)) == 5
    services.access_code_block_revoke(block=block, actor=None)
    assert places_left(event) == 5


def test_public_sales_cannot_take_reserved_places_and_codes_still_book_them():
    event = coded_event(capacity=3, paid=3, funded=3)
    block = allocate(event, places=2)
    standard = event.ticket_types.get(hidden=False)
    services.registration_reserve(event=event, ticket_type=standard, email="a@example.org")
    assert refusal(lambda: services.registration_reserve(event=event, ticket_type=standard, email="b@example.org")) == (
        "sold_out"
    )
    for code in block.codes.values_list("code", flat=True):
        services.registration_reserve_with_code(event=event, code=code, email="c@example.org")
    assert Registration.objects.filter(status__in=Registration.HOLDS_PLACE).count() == 3


def test_allocation_refusals():
    event, other = coded_event(capacity=5), coded_event()
    hidden = event.ticket_types.get(hidden=True)
    partner = PartnerOrganisationFactory()

    def create(**changes):
        fields = {
            "event": event,
            "partner": partner,
            "ticket_type": hidden,
            "places": 2,
            "expires_at": event.starts_at,
            "actor": None,
        } | changes
        return lambda: services.access_code_block_create(**fields)

    assert refusal(create(places=0)) == "places"
    assert refusal(create(places=501)) == "places"
    assert refusal(create(expires_at=timezone.now() - timedelta(minutes=1))) == "expiry_past"
    assert refusal(create(expires_at=event.starts_at + timedelta(minutes=1))) == "expiry_late"
    assert refusal(create(ticket_type=other.ticket_types.get(hidden=True))) == "other_event"
    assert refusal(create(places=6)) == "places_left"
    create(places=5)()
    assert refusal(create(places=1)) == "places_left"


def test_a_hidden_ticket_type_is_never_offered_nor_sold_publicly(client):
    event = coded_event()
    hidden = event.ticket_types.get(hidden=True)
    assert [o.ticket_type.name for o in booking_state(event).options] == ["Standard"]
    assert refusal(lambda: services.registration_reserve(event=event, ticket_type=hidden, email="a@example.org")) == (
        "needs_code"
    )
    for path in (event.url, f"/events/{event.pk}/book/"):
        assert "Funded place" not in client.get(path).content.decode()
    response = client.post(
        f"/events/{event.pk}/book/", {"ticket_type": hidden.pk, "email": "a@example.org", "nonce": "n1"}
    )
    assert Registration.objects.count() == 0 and response.status_code == 200


def test_booking_page_with_a_code_link_books_the_hidden_place(client):
    event = coded_event()
    code = allocate(event, places=1).codes.get().code
    page = client.get(f"/events/{event.pk}/book/?code={code}").content.decode()
    assert "Funded place (with your code)" in page and code in page
    response = client.post(f"/events/{event.pk}/book/code/", {"code": code, "email": "sam@example.org"})
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.status == Status.CONFIRMED and registration.ticket_type.hidden
    again = client.post(f"/events/{event.pk}/book/code/", {"code": code, "email": "sam@example.org"})
    assert "This code has already been used" in again.content.decode()
    assert Registration.objects.count() == 1


def test_a_bad_code_on_the_page_re_shows_the_form_and_books_nothing(client):
    event = coded_event()
    response = client.post(f"/events/{event.pk}/book/code/", {"code": "WRNG-CODE", "email": "sam@example.org"})
    page = response.content.decode()
    assert response.status_code == 200 and "We do not recognise that code" in page and "sam@example.org" in page
    assert Registration.objects.count() == 0


def test_a_paid_hidden_type_goes_through_checkout(client):
    event = make_event(
        capacity=5,
        tickets=[{"name": "Partner rate", "quantity": 5, "price_minor": 500, "hidden": True}],
        chapter=None,
    )
    code = allocate(event, places=1).codes.get().code
    response = client.post(f"/events/{event.pk}/book/code/", {"code": code, "email": "sam@example.org"})
    assert response.status_code == 302 and response.url.startswith("/payments/checkout/")
    assert Registration.objects.get().status == Status.RESERVED


def test_a_hundred_wrong_codes_from_one_client_are_throttled_while_others_still_book(client, settings):
    event = coded_event()
    code = allocate(event, places=1).codes.get().code
    statuses = [
        client.post(
            f"/events/{event.pk}/book/code/",
            {"code": f"BAD{n:05d}", "email": "x@example.org"},
            REMOTE_ADDR="203.0.113.9",
        ).status_code
        for n in range(100)
    ]
    assert statuses[0] == 200 and statuses[-1] == 429
    assert statuses.count(429) >= 80  # paused after a handful of wrong codes, well before 100
    # Throttled, even a right code is not tried from that client...
    blocked = client.post(
        f"/events/{event.pk}/book/code/", {"code": code, "email": "x@example.org"}, REMOTE_ADDR="203.0.113.9"
    )
    assert blocked.status_code == 429 and Registration.objects.count() == 0
    # ...while another client's right code books.
    response = client.post(
        f"/events/{event.pk}/book/code/", {"code": code, "email": "y@example.org"}, REMOTE_ADDR="198.51.100.7"
    )
    assert response.status_code == 302 and Registration.objects.count() == 1


def test_the_partner_sees_counts_only_and_only_its_own_codes(client):
    event = coded_event()
    contact = PartnerContactFactory()
    block = allocate(event, places=3, partner=contact.organisation)
    services.registration_reserve_with_code(
        event=event, code=block.codes.first().code, email="survivor@example.org", attendee_name="Ana"
    )
    [row] = selectors.partner_allocations(contact.organisation)
    assert row["places"] == 3 and row["used"] == 1 and row["block_id"] == block.pk
    assert "survivor" not in str(row) and "Ana" not in str(row)
    client.force_login(contact.user)
    response = client.get(row["csv_url"])
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert all(code in body for code in block.codes.values_list("code", flat=True))
    assert f"/events/{event.pk}/book/?code=" in body and "survivor" not in body and "used" not in body.lower()
    client.force_login(PartnerContactFactory().user)
    assert client.get(row["csv_url"]).status_code == 404
    client.logout()
    assert client.get(row["csv_url"]).status_code == 302  # to sign in


def test_places_left_by_type_count_the_block():
    event = coded_event(capacity=10, paid=10, funded=4)
    hidden = event.ticket_types.get(hidden=True)
    allocate(event, places=3)
    assert places_left_by_ticket_type(event)[hidden.pk] == 1


def test_a_link_with_a_used_or_unknown_code_says_why_and_books_nothing(client):
    event = coded_event()
    code = allocate(event, places=1).codes.get().code
    services.registration_reserve_with_code(event=event, code=code, email="a@example.org")
    used = client.get(f"/events/{event.pk}/book/?code={code}")
    assert used.status_code == 200 and "This code has already been used" in used.content.decode()
    unknown = client.get(f"/events/{event.pk}/book/code/?code=NOPE-NOPE")
    assert unknown.status_code == 200 and "We do not recognise that code" in unknown.content.decode()
    assert Registration.objects.count() == 1


def test_sponsored_places_never_go_to_a_hidden_type():
    from events.availability import sponsored_places_of
    from events.models import SponsoredPlaces

    event = make_event(
        capacity=20,
        tickets=[
            {"name": "Funded place (partner code)", "quantity": 5, "funded": True, "hidden": True},
            {"name": "Funded place", "quantity": 5, "funded": True},
        ],
    )
    SponsoredPlaces.objects.create(event=event, places=3)
    public = event.ticket_types.get(hidden=False)
    assert sponsored_places_of(event) == {public.pk: 3}
    assert places_left_by_ticket_type(event)[public.pk] == 8
