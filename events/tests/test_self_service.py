"""Signed ticket and offer links: the ticket page, cancel, transfer, downloads, calendar
links, waiting-list offers, and the personal bookings calendar."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from accounts.tests.factories import MemberProfileFactory, UserFactory
from events import links
from events.models import Registration, WaitingListEntry
from events.services import registration_cancel, waiting_list_join
from events.tests.factories import RegistrationFactory, make_event

pytestmark = pytest.mark.django_db

Status = Registration.Status
VENUE = "Room 4, 12 Hidden Lane"


def ticket_link(registration) -> str:
    return links.ticket_path(registration)


def link_in(body: str, kind: str) -> str:
    return urlsplit(re.search(rf"(http\S+/events/{kind}/\S+/)", body).group(1)).path


def test_a_forged_or_changed_ticket_link_answers_404(client):
    registration = RegistrationFactory(event=make_event())
    good = ticket_link(registration)
    assert client.get(good).status_code == 200
    assert client.get(good.replace("/events/ticket/", "/events/ticket/x")).status_code == 404
    assert client.get("/events/ticket/not-a-token/").status_code == 404
    assert client.get("/events/offer/not-a-token/").status_code == 404


def test_the_venue_of_a_sensitive_event_shows_on_the_ticket_page_only_once_confirmed(client):
    event = make_event(
        venue=VENUE, sensitive=True, tickets=[{"name": "Place", "quantity": 5, "approval_required": True}]
    )
    pending = RegistrationFactory(event=event, status=Status.PENDING, confirmed_at=None)
    assert VENUE not in client.get(ticket_link(pending)).content.decode()
    confirmed = RegistrationFactory(event=event)
    assert VENUE in client.get(ticket_link(confirmed)).content.decode()


def test_the_online_link_shows_to_confirmed_attendees_only(client):
    event = make_event(online=True, online_link="https://meet.example.org/room")
    reserved = RegistrationFactory(event=event, status=Status.RESERVED, reserved_until=timezone.now())
    assert "meet.example.org" not in client.get(ticket_link(reserved)).content.decode()
    assert "meet.example.org/room" in client.get(ticket_link(RegistrationFactory(event=event))).content.decode()


def test_calendar_links_of_a_sensitive_event_carry_no_venue_and_go_to_google_and_outlook(client):
    event = make_event(venue=VENUE, sensitive=True)
    page = client.get(ticket_link(RegistrationFactory(event=event))).content.decode()
    google = re.search(r'href="(https://calendar.google.com/[^"]+)"', page).group(1).replace("&amp;", "&")
    outlook = re.search(r'href="(https://outlook.live.com/[^"]+)"', page).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(google).query)["text"] == [event.title]
    assert "Hidden" not in google and "Hidden" not in outlook and "location" not in google


def test_cancelling_before_the_cutoff_frees_the_place_and_offers_it_to_the_waiting_list(
    client, django_capture_on_commit_callbacks
):
    event = make_event(capacity=1)
    registration = RegistrationFactory(event=event)
    waiting_list_join(event=event, ticket_type=event.ticket_types.first(), email="next@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ticket_link(registration) + "cancel/", {"confirm": "yes"})
    assert response.status_code == 302
    assert Registration.objects.get(pk=registration.pk).status == Status.CANCELLED
    assert WaitingListEntry.objects.get().status == WaitingListEntry.Status.OFFERED
    assert {tuple(m.to) for m in mail.outbox} == {("next@example.org",), (registration.email,)}


def test_the_cancellation_message_says_whether_the_place_went_to_the_waiting_list_or_is_free_again(client):
    event = make_event(capacity=2)
    alone = RegistrationFactory(event=event)
    page = client.post(ticket_link(alone) + "cancel/", {"confirm": "yes"}, follow=True).content.decode()
    assert "Your booking is cancelled and the place is free again for someone else to book." in page
    assert "waiting list" not in page and "gone to someone else" not in page
    full = make_event(capacity=1)
    holder = RegistrationFactory(event=full)
    waiting_list_join(event=full, ticket_type=full.ticket_types.first(), email="next@example.org")
    page = client.post(ticket_link(holder) + "cancel/", {"confirm": "yes"}, follow=True).content.decode()
    assert "the place has been offered to the next person on the waiting list." in page


def test_cancelling_after_the_cutoff_is_refused_with_a_message(client):
    event = make_event(starts_at=timezone.now() + timedelta(hours=10), self_service_cutoff_hours=24)
    registration = RegistrationFactory(event=event)
    page = client.get(ticket_link(registration)).content.decode()
    assert "Cancel my booking" not in page and "can no longer be changed online" in page
    response = client.post(ticket_link(registration) + "cancel/", {"confirm": "yes"}, follow=True)
    assert "that time has passed" in response.content.decode()
    assert Registration.objects.get(pk=registration.pk).status == Status.CONFIRMED


def test_a_transfer_gives_a_new_code_kills_the_old_link_and_emails_both_people(
    client, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(event=make_event(), email="first@example.org")
    old_link, old_code = ticket_link(registration), registration.code
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(old_link + "transfer/", {"email": "Second@Example.org", "attendee_name": "Robin"})
    assert "has been passed on" in response.content.decode()
    registration.refresh_from_db()
    assert registration.code != old_code and registration.email == "second@example.org"
    assert registration.attendee_name == "Robin"
    assert client.get(old_link).status_code == 404
    new_holder = next(m for m in mail.outbox if m.to == ["second@example.org"])
    assert registration.code in new_holder.body and old_code not in new_holder.body
    assert client.get(link_in(new_holder.body, "ticket")).status_code == 200
    assert any(m.to == ["first@example.org"] for m in mail.outbox)


def test_a_members_only_ticket_is_not_passed_on_online_whoever_the_address_belongs_to(client):
    """Refusing only non-members would tell the holder who is a member (issue 23)."""
    event = make_event(audience="members")
    registration = RegistrationFactory(event=event, user=MemberProfileFactory().user)
    other_member = MemberProfileFactory(user=UserFactory(email="member2@example.org")).user
    page = client.get(ticket_link(registration)).content.decode()
    assert "Pass on my ticket" not in page and "cannot be passed on online" in page
    answers = []
    for address in ("outsider@example.org", other_member.email):
        response = client.post(ticket_link(registration) + "transfer/", {"email": address})
        answers.append((response.status_code, "cannot be passed on online" in response.content.decode()))
        assert "belong" not in response.content.decode()
    assert answers == [(200, True), (200, True)]
    assert Registration.objects.get(pk=registration.pk).email == registration.email


def test_the_pdf_and_ics_downloads_are_for_confirmed_tickets_only(client):
    event = make_event()
    confirmed = RegistrationFactory(event=event)
    response = client.get(ticket_link(confirmed) + "ticket.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert Calendar.from_ical(client.get(ticket_link(confirmed) + "event.ics").content).walk("VEVENT")
    cancelled = RegistrationFactory(event=event, status=Status.CANCELLED)
    assert client.get(ticket_link(cancelled) + "ticket.pdf").status_code == 404


def test_a_waiting_list_offer_is_emailed_with_a_link_that_books_the_place(client, django_capture_on_commit_callbacks):
    event = make_event(capacity=1)
    taken = RegistrationFactory(event=event)
    waiting_list_join(event=event, ticket_type=event.ticket_types.first(), email="next@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=taken)
    [offer_email] = mail.outbox
    offer_path = link_in(offer_email.body, "offer")
    assert "Take this place" in client.get(offer_path).content.decode()
    assert not Registration.objects.filter(email="next@example.org").exists()  # opening the link is not accepting
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(offer_path)
    registration = Registration.objects.get(email="next@example.org")
    assert registration.status == Status.CONFIRMED
    # The ticket link it redirects to names this registration (its signature's timestamp may
    # differ by a second from one made now, so the link itself is not compared).
    assert response.status_code == 302 and response.url.startswith("/events/ticket/")
    assert links.registration_from_token(response.url.rstrip("/").rsplit("/", 1)[-1]) == registration
    assert mail.outbox[-1].to == ["next@example.org"] and registration.code in mail.outbox[-1].body


def test_an_expired_offer_link_says_so_and_books_nothing(client):
    event = make_event(capacity=1)
    entry = WaitingListEntry.objects.create(
        event=event,
        ticket_type=event.ticket_types.first(),
        email="late@example.org",
        status=WaitingListEntry.Status.OFFERED,
        offered_until=timezone.now() - timedelta(minutes=1),
    )
    path = urlsplit(links.offer_url(entry)).path
    response = client.post(path)
    assert "This offer has ended" in response.content.decode()
    assert not Registration.objects.exists()


def test_the_personal_bookings_feed_lists_confirmed_bookings_and_404s_after_revoking(client):
    user = UserFactory()
    RegistrationFactory(event=make_event(title="Mine, confirmed"), user=user, email=user.email)
    RegistrationFactory(event=make_event(title="Mine, cancelled"), user=user, email=user.email, status=Status.CANCELLED)
    RegistrationFactory(event=make_event(title="Someone else's"))
    client.force_login(user)
    client.post("/account/calendar/", {"action": "create"})  # one page makes every personal calendar address
    page = client.get("/account/calendar/").content.decode()
    feed_path = urlsplit(re.search(r'value="(http[^"]+/events/my-bookings/[^"]+\.ics)"', page).group(1)).path
    client.logout()
    response = client.get(feed_path)
    assert response["Cache-Control"] == "no-store"
    summaries = [str(e["summary"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]
    assert summaries == ["Mine, confirmed"]
    client.force_login(user)
    client.post("/account/calendar/", {"action": "revoke"})
    assert client.get(feed_path).status_code == 404


def test_the_personal_feed_of_a_discreet_member_says_appointment_only(client):
    profile = MemberProfileFactory(discreet_mode=True)
    RegistrationFactory(event=make_event(title="Survivor circle"), user=profile.user, email=profile.user.email)
    client.force_login(profile.user)
    client.post("/account/calendar/", {"action": "create"})  # one page makes every personal calendar address
    page = client.get("/account/calendar/").content.decode()
    body = client.get(
        urlsplit(re.search(r'value="(http[^"]+/events/my-bookings/[^"]+\.ics)"', page).group(1)).path
    ).content
    assert b"Survivor circle" not in body and b"SUMMARY:Appointment" in body


def test_a_ticket_booked_without_signing_in_with_a_discreet_members_address_downloads_neutral_for_its_owner(
    client,
):
    """The .ics emailed to the address follows the address (events.emails); one downloaded
    from the ticket page follows who is looking (issue 23): the owner signed in gets the
    neutral one, a visitor who typed that address into a guest booking gets what any address
    gets (test_discreet_calendars), so the page does not tell them the address is a member's."""
    profile = MemberProfileFactory(discreet_mode=True)
    registration = RegistrationFactory(event=make_event(title="Survivor circle"), user=None, email=profile.user.email)
    assert b"Survivor circle" in client.get(ticket_link(registration) + "event.ics").content
    client.force_login(profile.user)
    body = client.get(ticket_link(registration) + "event.ics").content
    assert b"Survivor circle" not in body and b"SUMMARY:Appointment" in body


def _pdf_text(pdf: bytes, tmp_path) -> str:
    import subprocess

    path = tmp_path / "ticket.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_pdf_ticket_of_a_discreet_holder_is_a_neutral_appointment_with_date_and_code(client, tmp_path):
    profile = MemberProfileFactory(discreet_mode=True)
    event = make_event(title="Survivor circle", venue="Community Hall, 1 High Street")
    discreet = RegistrationFactory(event=event, user=profile.user, email="other@example.org")
    response = client.get(ticket_link(discreet) + "ticket.pdf")
    assert response["Content-Disposition"] == 'attachment; filename="appointment.pdf"'
    text = _pdf_text(response.content, tmp_path)
    assert "Appointment" in text and discreet.code in text and "thrive" not in text.lower()
    assert event.starts_at.astimezone(timezone.get_current_timezone()).strftime("%B %Y") in text
    for giveaway in ("THRIVE", "Survivor", "Community Hall", "High Street", discreet.ticket_type.name):
        assert giveaway not in text
    plain = RegistrationFactory(event=event, attendee_name="Sam")
    response = client.get(ticket_link(plain) + "ticket.pdf")
    assert response["Content-Disposition"] == f'attachment; filename="ticket-{plain.code}.pdf"'
    text = _pdf_text(response.content, tmp_path)
    assert "Survivor circle" in text and "Community Hall" in text and "THRIVE" in text.upper() and plain.code in text
