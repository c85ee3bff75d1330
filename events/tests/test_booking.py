"""The booking page: free places, pay what you can, members-only events, the waiting list,
resubmissions, robots and the hand-over to payments' checkout (the real one: payments is
always installed, and the checkout page runs against localstripe)."""

import re
import secrets
import subprocess

import pytest
from django.core import mail
from icalendar import Calendar

from accounts.tests.factories import MemberProfileFactory, UserFactory
from events.for_payments import registration_reference
from events.links import registration_from_token
from events.models import Registration, WaitingListEntry
from events.tests.factories import RegistrationFactory, make_event
from payments.models import Order
from payments.tests.helpers import checkout_reference

pytestmark = pytest.mark.django_db

Status = Registration.Status
SENSITIVE_VENUE = "Room 4, 12 Hidden Lane"


def book_url(event) -> str:
    return f"/events/{event.pk}/book/"


def booking(event, **fields) -> dict:
    data = {"ticket_type": event.ticket_types.first().pk, "email": "sam@example.org", "nonce": secrets.token_hex(8)}
    return data | fields


def ticket_named(url: str):
    token = url.rstrip("/").rsplit("/", 1)[-1]
    return registration_from_token(token)


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "ticket.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def held_for_checkout(response, registration) -> Order:
    """The booking went to payments' checkout: the one open order, holding this registration
    at its amount, is the one the redirect is signed for."""
    order = Order.objects.get()
    assert response.status_code == 302 and response.url.startswith("/payments/checkout/")
    assert checkout_reference(response.url) == order.reference
    [line] = order.lines.all()
    assert line.item_reference == registration_reference(registration)
    assert line.amount_minor == registration.amount_minor
    return order


def test_a_free_place_confirms_at_once_and_emails_a_pdf_ticket_and_a_calendar_entry(
    client, django_capture_on_commit_callbacks, tmp_path
):
    event = make_event(title="Spring gathering", venue="Community Hall, 1 High Street")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(book_url(event), booking(event, attendee_name="Sam"))
    registration = Registration.objects.get()
    assert registration.status == Status.CONFIRMED and registration.confirmation_sent_at is not None
    assert response.status_code == 302 and response.url.startswith("/events/ticket/")
    [message] = mail.outbox
    attachments = {name: (content, mimetype) for name, content, mimetype in message.attachments}
    pdf, _ = attachments[f"ticket-{registration.code}.pdf"]
    text = pdf_text(pdf, tmp_path)
    assert registration.code in text and "Spring gathering" in text and "Sam" in text
    calendar = Calendar.from_ical(attachments["event.ics"][0])
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["summary"]) == "Spring gathering" and "Community Hall" in str(vevent["location"])
    assert registration.code in message.body and "/events/ticket/" in message.body


def test_the_ticket_pdf_ics_and_email_of_a_sensitive_event_never_hold_the_venue(
    client, django_capture_on_commit_callbacks, tmp_path
):
    event = make_event(title="Quiet circle", venue=SENSITIVE_VENUE, sensitive=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(book_url(event), booking(event))
    [message] = mail.outbox
    pdf, ics = (content for _name, content, _type in message.attachments)
    text = pdf_text(pdf, tmp_path)
    assert Registration.objects.get().code in text
    assert "Hidden Lane" not in text and "Hidden Lane" not in message.body
    [vevent] = Calendar.from_ical(ics).walk("VEVENT")
    assert "location" not in vevent and "Hidden Lane" not in str(ics)


def test_sending_the_same_form_twice_books_one_place_and_shows_the_first_booking(client):
    event = make_event()
    data = booking(event)
    first = client.post(book_url(event), data)
    second = client.post(book_url(event), data)
    assert Registration.objects.count() == 1
    # Both answers name the same ticket (the signed links differ by their timestamp when
    # the two posts fall in different seconds, so the ticket each names is compared).
    assert first.status_code == second.status_code == 302
    assert ticket_named(first.url) == ticket_named(second.url) == Registration.objects.get()
    page = client.get(second.url)
    assert "already sent this booking" in page.content.decode()


def test_a_paid_booking_sent_again_goes_to_the_same_checkout_not_to_an_unpaid_ticket(client):
    """The first answer was lost (a host stopped, a closed tab): the same form sent again is
    taken to the held place's payment, as the first answer would have been."""
    event = make_event(tickets=[{"name": "Supper ticket", "quantity": 5, "price_minor": 3500}])
    data = booking(event)
    first = client.post(book_url(event), data)
    second = client.post(book_url(event), data)
    assert Registration.objects.count() == 1 and Order.objects.count() == 1
    assert first.status_code == second.status_code == 302
    # The same order's checkout (each link is signed when it is made, so may differ by a second).
    assert "/payments/checkout/" in first.url and "/payments/checkout/" in second.url
    assert checkout_reference(second.url) == checkout_reference(first.url) == Order.objects.get().reference


def test_a_corrected_form_can_be_sent_again_with_the_same_token(client):
    event = make_event()
    data = booking(event, email="not-an-email")
    assert client.post(book_url(event), data).status_code == 200
    data["email"] = "sam@example.org"
    response = client.post(book_url(event), data | {"email": "sam@example.org"})
    assert response.status_code == 302 and Registration.objects.count() == 1


def test_every_field_error_is_shown_next_to_its_field(client):
    event = make_event()
    response = client.post(book_url(event), {"nonce": "x"})
    body = response.content.decode()
    assert "Choose a ticket." in body and "Enter an email address so we can send your ticket." in body
    assert 'aria-invalid="true"' in body and "<title>Error: " in body


def test_pay_what_you_can_below_the_minimum_is_refused_with_a_message_on_the_amount(client):
    event = make_event(tickets=[{"name": "Supper", "quantity": 5, "pay_what_you_can": True, "minimum_minor": 500}])
    response = client.post(book_url(event), booking(event, amount="3.50"))
    assert response.status_code == 200 and not Registration.objects.exists()
    assert "The least you can pay for &#x27;Supper&#x27; is £5.00." in response.content.decode()
    assert re.search(r'id="id_amount_error"', response.content.decode())
    assert not Order.objects.exists()


def test_pay_what_you_can_at_or_above_the_minimum_is_held_and_sent_to_the_checkout(client):
    event = make_event(tickets=[{"name": "Supper", "quantity": 5, "pay_what_you_can": True, "minimum_minor": 500}])
    response = client.post(book_url(event), booking(event, amount="12.50"))
    registration = Registration.objects.get()
    assert registration.status == Status.RESERVED and registration.amount_minor == 1250
    order = held_for_checkout(response, registration)
    assert order.total_minor == 1250 and order.currency == "GBP"


def test_paid_tickets_are_shown_and_booked_through_the_checkout(client, localstripe):
    event = make_event(tickets=[{"name": "Supper ticket", "quantity": 5, "price_minor": 3500}])
    page = client.get(book_url(event)).content.decode()
    assert "Supper ticket: £35.00, 5 places left" in page and "Book my place" in page
    assert "Online payment is not available yet" not in page
    response = client.post(book_url(event), booking(event))
    registration = Registration.objects.get()
    assert registration.status == Status.RESERVED and registration.amount_minor == 3500
    held_for_checkout(response, registration)
    checkout = client.get(response.url)
    assert checkout.status_code == 200 and "£35.00" in checkout.content.decode()


def test_pay_what_you_can_with_no_minimum_books_0_at_once_and_sends_more_to_the_checkout(client):
    event = make_event(tickets=[{"name": "Gift", "quantity": 5, "pay_what_you_can": True, "minimum_minor": 0}])
    paid = client.post(book_url(event), booking(event, amount="5"))
    held = Registration.objects.get()
    assert held.status == Status.RESERVED and held.amount_minor == 500
    held_for_checkout(paid, held)
    client.post(book_url(event), booking(event, amount="0", email="free@example.org"))
    assert Registration.objects.get(email="free@example.org").status == Status.CONFIRMED
    assert Order.objects.count() == 1  # nothing to pay for the place at 0


def test_a_members_only_event_refuses_anonymous_visitors_and_says_to_sign_in(client):
    event = make_event(audience="survivors")
    page = client.get(book_url(event)).content.decode()
    assert "Sign in</a> to book" in page
    response = client.post(book_url(event), booking(event))
    assert "This event is for members of the network. Sign in to book." in response.content.decode()
    assert not Registration.objects.exists()


def test_a_signed_in_member_books_a_members_only_event_with_their_email_prefilled(client):
    member = MemberProfileFactory().user
    client.force_login(member)
    event = make_event(audience="members")
    assert f'value="{member.email}"' in client.get(book_url(event)).content.decode()
    client.post(book_url(event), booking(event, email=member.email))
    assert Registration.objects.get().user == member


def test_a_sold_out_event_shows_the_waiting_list_form_instead_of_booking(client):
    event = make_event(capacity=1)
    RegistrationFactory(event=event)
    page = client.get(book_url(event)).content.decode()
    assert "Join the waiting list" in page and "Book my place" not in page
    event_page = client.get(event.url).content.decode()
    assert "Fully booked." in event_page and f"/events/{event.pk}/book/" in event_page


def test_joining_the_waiting_list_records_the_email(client):
    event = make_event(capacity=1)
    RegistrationFactory(event=event)
    response = client.post(
        f"/events/{event.pk}/waiting-list/",
        {"wait-ticket_type": event.ticket_types.first().pk, "wait-email": "Wait@Example.org"},
    )
    assert "You are on the waiting list" in response.content.decode()
    assert WaitingListEntry.objects.get().email == "wait@example.org"


def test_a_robot_filling_the_hidden_field_books_nothing(client):
    event = make_event()
    response = client.post(book_url(event), booking(event, website_url="http://spam.example"))
    assert response.status_code == 200 and not Registration.objects.exists()


def test_many_bookings_from_one_visitor_are_paused_with_answers_kept(client, settings):
    settings.FORM_RATE_LIMIT = 2
    event = make_event(capacity=10)
    for n in range(2):
        client.post(book_url(event), booking(event, email=f"p{n}@example.org"))
    response = client.post(book_url(event), booking(event, email="kept@example.org"))
    assert response.status_code == 429 and 'value="kept@example.org"' in response.content.decode()
    assert Registration.objects.count() == 2


def test_the_event_page_links_to_booking_and_lists_further_dates(client):
    from datetime import timedelta

    from events.models import EventDate

    event = make_event()
    EventDate.objects.create(
        event=event, starts_at=event.starts_at + timedelta(weeks=1), ends_at=event.ends_at + timedelta(weeks=1)
    )
    page = client.get(event.url).content.decode()
    assert "Book a place" in page and "One booking covers every date" in page
    assert "Online booking is not open on this site yet" not in page


def test_a_signed_in_users_booking_is_listed_on_my_bookings(client):
    user = UserFactory()
    client.force_login(user)
    event = make_event(title="Listed event")
    client.post(book_url(event), booking(event, email=user.email))
    page = client.get("/events/my-bookings/").content.decode()
    assert "Listed event" in page and "/events/ticket/" in page


def test_a_paid_hold_is_released_when_payments_refuse_it(client, settings):
    settings.DONATION_MAX_MINOR = 10000  # payments refuses a donation over £100.00
    event = make_event(tickets=[{"name": "Supper", "quantity": 1, "price_minor": 3500}])
    response = client.post(book_url(event), booking(event, donation="250"))
    body = response.content.decode()
    assert "For gifts over £100.00 please contact us" in body
    assert re.search(r'id="id_donation_error"', body)  # shown next to the donation (its code)
    assert Registration.objects.get().status == Status.CANCELLED and not Order.objects.exists()
    assert "1 place left" in client.get(book_url(event)).content.decode()


def test_a_signed_in_non_member_is_told_to_apply_not_to_sign_in(client):
    from accounts.tests.factories import UserFactory

    event = make_event(audience="members")
    client.force_login(UserFactory())
    page = client.get(book_url(event)).content.decode()
    assert "your account is not a member's account yet" in page and "/membership/apply/" in page
    assert "Sign in</a> to book" not in page
    response = client.post(book_url(event), booking(event))
    assert "Sign in to book" not in response.content.decode()
    assert "You can apply to join" in response.content.decode()
    assert not Registration.objects.exists()


def test_a_hold_for_payment_can_be_extended_twice_but_a_lapsed_one_is_not_revived():
    from datetime import timedelta

    from django.utils import timezone

    from events.services import registration_reserve, registrations_hold_extend

    event = make_event(tickets=[{"name": "Standard", "quantity": 5, "price_minor": 1200}])
    held = registration_reserve(event=event, ticket_type=event.ticket_types.get(), email="slow@example.org")
    minutes = timedelta(minutes=event.reservation_minutes)
    first_until = held.reserved_until
    later = held.created_at + minutes - timedelta(minutes=1)  # one minute left
    [extended] = registrations_hold_extend(registration_ids=[held.pk], now=later)
    assert extended.reserved_until == later + minutes > first_until
    # However often it is asked, never beyond three holds' worth from the booking.
    for step in range(1, 6):
        registrations_hold_extend(registration_ids=[held.pk], now=later + step * minutes / 2)
    held.refresh_from_db()
    assert held.reserved_until == held.created_at + 3 * minutes
    # Once the hold has lapsed it is not revived (the place may have gone to someone else).
    assert registrations_hold_extend(registration_ids=[held.pk], now=held.reserved_until + timedelta(seconds=1)) == []
    held.refresh_from_db()
    assert held.reserved_until == held.created_at + 3 * minutes
    assert timezone.now() < held.reserved_until
