"""Discreet mode reaches every calendar a member is handed: the ticket page's Google and
Outlook links carry the times only, titled "Appointment", and discreet .ics files (ticket,
bookings feed, training sessions) name neither Thrive nor the event, in PRODID or UID."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest

from accounts.tests.factories import MemberProfileFactory
from events import links
from events.tests.factories import RegistrationFactory, make_event

pytestmark = pytest.mark.django_db

TITLE = "Survivor circle"
VENUE = "Room 4, 12 Hidden Lane"


def calendar_links_on(page: str) -> list[dict]:
    urls = [unescape(url) for url in re.findall(r'href="(https://(?:calendar\.google|outlook\.live)\.com[^"]+)"', page)]
    return [parse_qs(urlsplit(url).query) for url in urls]


def assert_names_nothing(body: bytes) -> None:
    calendar = icalendar.Calendar.from_ical(body)
    assert b"thrive" not in body.lower() and TITLE.encode() not in body and b"Hidden Lane" not in body
    assert str(calendar["prodid"]) == "-//Calendar//Appointments//EN"
    for event in calendar.walk("VEVENT"):
        assert str(event["summary"]) == "Appointment"
        assert "description" not in event and "location" not in event and "url" not in event


def test_a_discreet_members_ticket_page_gives_calendar_links_with_times_only_titled_appointment(client):
    profile = MemberProfileFactory(discreet_mode=True)
    event = make_event(title=TITLE, venue=VENUE)
    registration = RegistrationFactory(event=event, user=profile.user, email=profile.user.email)
    page = client.get(links.ticket_path(registration)).content.decode()
    found = calendar_links_on(page)
    assert len(found) == 2  # Google and Outlook
    for query in found:
        assert query.get("text", query.get("subject")) == ["Appointment"]
        assert not {"details", "body", "location"} & set(query)
        assert TITLE not in str(query) and "Hidden Lane" not in str(query)
    assert "with the times only" in page


def test_an_ordinary_ticket_pages_calendar_links_carry_the_title_and_place(client):
    registration = RegistrationFactory(event=make_event(title=TITLE, venue=VENUE))
    google, outlook = calendar_links_on(client.get(links.ticket_path(registration)).content.decode())
    assert google["text"] == [TITLE] and outlook["subject"] == [TITLE]
    assert google["location"] == [VENUE]


def test_a_discreet_members_ticket_ics_names_neither_thrive_nor_the_event(client):
    profile = MemberProfileFactory(discreet_mode=True)
    registration = RegistrationFactory(
        event=make_event(title=TITLE, venue=VENUE), user=profile.user, email=profile.user.email
    )
    assert_names_nothing(client.get(links.ticket_path(registration, "events:ticket_ics")).content)


def test_a_discreet_members_bookings_feed_names_neither_thrive_nor_the_event(client):
    profile = MemberProfileFactory(discreet_mode=True)
    RegistrationFactory(event=make_event(title=TITLE, venue=VENUE), user=profile.user, email=profile.user.email)
    client.force_login(profile.user)
    client.post("/account/calendar/", {"action": "create"})  # one page makes every personal calendar address
    page = client.get("/account/calendar/").content.decode()
    assert_names_nothing(
        client.get(
            urlsplit(re.search(r'value="(http[^"]+/events/my-bookings/[^"]+\.ics)"', page).group(1)).path
        ).content
    )


def test_a_discreet_learners_session_calendar_names_neither_thrive_nor_the_course(client):
    from training.tests.factories import enrol, make_cohort, make_course, make_learner

    cohort = make_cohort(make_course(title=TITLE), sessions=1)
    learner = make_learner(discreet_mode=True)
    enrol(learner, cohort)
    client.force_login(learner)
    body = client.get(f"/training/sessions/{cohort.sessions.first().pk}/calendar.ics").content
    calendar = icalendar.Calendar.from_ical(body)
    assert str(calendar["prodid"]) == "-//Calendar//Appointments//EN"
    assert b"thrive" not in body.lower() and TITLE.encode() not in body


def test_a_guest_booking_with_a_discreet_members_address_shows_the_booker_an_ordinary_ticket(client):
    """Whoever books as a guest with someone else's address sees the same ticket page, PDF and
    .ics whether or not that address is a discreet member's (issue 23: the page said 'titled
    Appointment' and the PDF was appointment.pdf only for a discreet member's address). The
    owner, signed in, still sees the neutral one."""
    profile = MemberProfileFactory(discreet_mode=True)
    event = make_event(title=TITLE, venue=VENUE)
    guest_with_members_address = RegistrationFactory(event=event, user=None, email=profile.user.email)
    guest_unknown = RegistrationFactory(event=event, user=None, email="nobody-known@example.org")
    for registration in (guest_with_members_address, guest_unknown):
        page = client.get(links.ticket_path(registration)).content.decode()
        assert "with the times only" not in page and TITLE in page
        pdf = client.get(links.ticket_path(registration) + "ticket.pdf")
        assert pdf["Content-Disposition"] == f'attachment; filename="ticket-{registration.code}.pdf"'
        ics = client.get(links.ticket_path(registration) + "event.ics").content.decode()
        assert TITLE in ics
    client.force_login(profile.user)
    page = client.get(links.ticket_path(guest_with_members_address)).content.decode()
    assert "with the times only" in page
