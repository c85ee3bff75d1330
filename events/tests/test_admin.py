"""Event staff's admin: dashboard numbers, approvals, payment at the door, cancelling an
event, the attendance CSV, and the signals shared with payments."""

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Revision

from accounts.tests.factories import UserFactory, sign_in_with_second_factor
from events.availability import places_left
from events.models import EventPage, Registration, WaitingListEntry
from events.selectors import dashboard_events, event_sales
from events.services import event_cancel, registration_reserve
from events.signals import event_cancelled
from events.tests.factories import RegistrationFactory, WaitingListEntryFactory, make_event
from payments.signals import payment_succeeded

pytestmark = pytest.mark.django_db

Status = Registration.Status
PAID = [{"name": "Supper", "quantity": 5, "price_minor": 3500}]


@pytest.fixture
def staff(client):
    user = UserFactory(groups=["Event staff"])
    sign_in_with_second_factor(client, user)
    return user


def admin_url(event, rest: str = "") -> str:
    return f"/admin/events/{event.pk}/{rest}"


def test_dashboard_counts_match_the_selling_rules():
    now = timezone.now()
    event = make_event(capacity=10, tickets=[{"name": "Free", "quantity": 6}, {"name": "Helper", "quantity": 4}])
    free, helper = event.ticket_types.all()
    RegistrationFactory.create_batch(3, event=event, ticket_type=free)
    RegistrationFactory(event=event, ticket_type=free, status=Status.CHECKED_IN, checked_in_at=now)
    RegistrationFactory(event=event, ticket_type=helper, status=Status.PENDING)
    RegistrationFactory(
        event=event, ticket_type=helper, status=Status.RESERVED, reserved_until=now + timedelta(minutes=5)
    )
    RegistrationFactory(
        event=event, ticket_type=helper, status=Status.RESERVED, reserved_until=now - timedelta(minutes=5)
    )
    RegistrationFactory(event=event, ticket_type=free, status=Status.CANCELLED)
    WaitingListEntryFactory.create_batch(2, event=event, ticket_type=free)
    total, by_type = event_sales(event=event, now=now)
    assert (total.sold, total.checked_in, total.pending, total.reserved, total.waiting) == (4, 1, 1, 1, 2)
    assert total.places_left == places_left(event, now) == 4
    assert [(t.name, s.sold, s.places_left) for t, s in by_type] == [("Free", 4, 2), ("Helper", 0, 2)]
    [(row_event, row)] = dashboard_events(now=now)
    assert row_event == event and (row.sold, row.places_left, row.waiting, row.checked_in) == (4, 4, 2, 1)


def test_the_events_list_takes_the_same_queries_for_one_event_or_twenty(client, staff):
    make_event()
    client.get("/admin/events/")  # warms Django's content-type cache
    with CaptureQueriesContext(connection) as one:
        assert client.get("/admin/events/").status_code == 200
    for _ in range(19):
        RegistrationFactory(event=make_event())
    with CaptureQueriesContext(connection) as twenty:
        response = client.get("/admin/events/")
    assert response.content.decode().count("/check-in/") == 0  # the list links to each event's page
    assert len(twenty) == len(one)


def test_the_events_list_shows_upcoming_events_before_past_ones(client, staff):
    def starting_in(days: int) -> dict:
        start = timezone.now() + timedelta(days=days)
        return {"starts_at": start, "ends_at": start + timedelta(hours=2)}

    past = make_event(title="Last year", **starting_in(-300))
    later = make_event(title="Later", **starting_in(30))
    soon = make_event(title="Soon", **starting_in(2))
    html = client.get("/admin/events/").content.decode()
    assert html.index(soon.title) < html.index(later.title) < html.index(past.title)


def test_the_event_page_shows_sales_per_ticket_type_and_the_money_taken(client, staff):
    event = make_event(capacity=5, tickets=PAID)
    RegistrationFactory.create_batch(2, event=event, amount_minor=3500, paid_at=timezone.now())
    html = client.get(admin_url(event)).content.decode()
    assert "Supper (5 places)" in html and "£70.00" in html and "2 of 5 places sold" in html


def test_approving_a_pending_free_booking_confirms_it(client, staff):
    event = make_event()
    booking = RegistrationFactory(event=event, status=Status.PENDING, confirmed_at=None)
    response = client.post(admin_url(event, f"bookings/{booking.pk}/"), {"action": "approve"})
    assert response.status_code == 302
    assert Registration.objects.get(pk=booking.pk).status == Status.CONFIRMED


def test_declining_a_pending_booking_cancels_it_and_offers_the_place_to_the_waiting_list(client, staff):
    event = make_event(capacity=1)
    booking = RegistrationFactory(event=event, status=Status.PENDING, confirmed_at=None)
    waiting = WaitingListEntryFactory(event=event)
    client.post(admin_url(event, f"bookings/{booking.pk}/"), {"action": "decline"})
    assert Registration.objects.get(pk=booking.pk).status == Status.CANCELLED
    assert WaitingListEntry.objects.get(pk=waiting.pk).status == WaitingListEntry.Status.OFFERED


def test_declining_a_confirmed_booking_is_refused_with_a_message(client, staff):
    event = make_event()
    booking = RegistrationFactory(event=event)
    response = client.post(admin_url(event, f"bookings/{booking.pk}/"), {"action": "decline"}, follow=True)
    assert "not waiting for approval" in response.content.decode()
    assert Registration.objects.get(pk=booking.pk).status == Status.CONFIRMED


def test_marking_a_reserved_ticket_paid_at_the_door_confirms_it(client, staff):
    event = make_event(tickets=PAID)
    booking = registration_reserve(event=event, ticket_type=event.ticket_types.get(), email="door@example.org")
    client.post(admin_url(event, f"bookings/{booking.pk}/"), {"action": "paid_at_door"})
    booking.refresh_from_db()
    assert (booking.status, booking.paid_at_door) == (Status.CONFIRMED, True) and booking.paid_at is not None


def test_booking_actions_of_another_events_registration_are_not_found(client, staff):
    event, other = make_event(), make_event()
    booking = RegistrationFactory(event=other, status=Status.PENDING)
    assert client.post(admin_url(event, f"bookings/{booking.pk}/"), {"action": "approve"}).status_code == 404


def test_the_attendance_csv_has_names_not_emails_and_quotes_formulas(client, staff):
    event = make_event(time_zone="Europe/London")
    RegistrationFactory(event=event, attendee_name="=HYPERLINK(1)", email="secret@example.org")
    checked = RegistrationFactory(event=event, attendee_name="Amani", status=Status.CHECKED_IN)
    Registration.objects.filter(pk=checked.pk).update(checked_in_at=datetime(2030, 7, 1, 17, 4, tzinfo=UTC))
    response = client.get(admin_url(event, "attendance.csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Ticket code", "Attendee", "Ticket type", "Status", "Checked in at"]
    assert rows[1][1:4] == ["'=HYPERLINK(1)", "Free", "Confirmed"]
    assert rows[2][1:] == ["Amani", "Free", "Checked in", "2030-07-01 18:04"]
    assert "secret@example.org" not in response.content.decode()


def test_people_without_the_role_are_refused_the_dashboard_the_csv_and_cancelling(client):
    """Refused the admin's way: a redirect to the admin home saying they may not."""
    event = make_event()
    sign_in_with_second_factor(client, UserFactory(groups=["Trainers"]))
    for url in ("/admin/events/", admin_url(event), admin_url(event, "attendance.csv"), admin_url(event, "cancel/")):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/admin/"), url
    client.post(admin_url(event, "cancel/"), {"reason": "No."})
    assert not EventPage.objects.get(pk=event.pk).cancelled


def test_cancelling_an_event_emails_every_attendee_and_waiting_person_once(
    client, staff, django_capture_on_commit_callbacks
):
    event = make_event(capacity=5, venue="Secret House, 2 Quiet Lane", sensitive=True)
    RegistrationFactory.create_batch(2, event=event, email="twice@example.org")
    RegistrationFactory(event=event, email="once@example.org", status=Status.PENDING)
    RegistrationFactory(event=event, email="gone@example.org", status=Status.CANCELLED)
    WaitingListEntryFactory(event=event, email="waiting@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(admin_url(event, "cancel/"), {"reason": "The venue flooded."})
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["once@example.org", "twice@example.org", "waiting@example.org"]
    for message in mail.outbox:
        assert "The venue flooded." in message.body and event.title in message.body
        assert "Secret House" not in message.body and "Quiet Lane" not in message.body
    assert not Registration.objects.filter(event=event).exclude(status=Status.CANCELLED).exists()
    assert WaitingListEntry.objects.get(event=event).status == WaitingListEntry.Status.LEFT


def test_the_cancellation_email_names_the_venue_of_an_ordinary_event_and_promises_refunds(
    staff, django_capture_on_commit_callbacks
):
    event = make_event(venue="Community Hall", tickets=PAID)
    RegistrationFactory(event=event, amount_minor=3500, paid_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(event=event, actor=staff, reason="Illness.")
    [message] = mail.outbox
    assert "Community Hall" in message.body and "Your refund of £35.00 for your tickets is on its way" in message.body


def test_the_cancellation_email_says_the_team_returns_money_taken_at_the_door(
    staff, django_capture_on_commit_callbacks
):
    event = make_event(venue="Community Hall", tickets=PAID)
    RegistrationFactory(event=event, amount_minor=3500, paid_at=timezone.now(), paid_at_door=True)
    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(event=event, actor=staff, reason="Illness.")
    [message] = mail.outbox
    assert "paid for your place in person" in message.body and "on its way" not in message.body


def test_cancelling_needs_a_reason_and_a_post(client, staff):
    event = make_event()
    assert "Reason, sent to attendees" in client.get(admin_url(event, "cancel/")).content.decode()
    response = client.post(admin_url(event, "cancel/"), {"reason": " "})
    assert "Write a short reason" in response.content.decode()
    assert not EventPage.objects.get(pk=event.pk).cancelled


def test_cancelling_twice_is_refused(staff):
    event = make_event()
    event_cancel(event=event, actor=staff, reason="Storm.")
    with pytest.raises(Exception, match="already cancelled"):
        event_cancel(event=event, actor=staff, reason="Storm.")


def test_a_cancelled_events_calendar_says_cancelled_with_a_higher_sequence(client, staff):
    event = make_event()
    before = icalendar.Calendar.from_ical(client.get(f"/events/{event.pk}/calendar.ics").content)
    event_cancel(event=event, actor=staff, reason="Storm.")
    after = icalendar.Calendar.from_ical(client.get(f"/events/{event.pk}/calendar.ics").content)
    [old], [new] = before.walk("VEVENT"), after.walk("VEVENT")
    assert str(new["status"]) == "CANCELLED" and new["sequence"] > old["sequence"]


def test_publishing_a_draft_saved_before_cancelling_does_not_revive_the_event(staff):
    event = make_event()
    revision = event.save_revision()
    event_cancel(event=event, actor=staff, reason="Storm.")
    Revision.objects.get(pk=revision.pk).publish()  # loaded afresh, as the admin and scheduler do
    event = EventPage.objects.get(pk=event.pk)
    assert event.cancelled and event.cancelled_at is not None


def test_cancelling_sends_the_signal_payments_will_refund_from_after_commit(staff, django_capture_on_commit_callbacks):
    event = make_event(tickets=PAID)
    paid = RegistrationFactory(event=event, amount_minor=3500, paid_at=timezone.now())
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    event_cancelled.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            event_cancel(event=event, actor=staff, reason="Storm.")
        assert received == []
        for callback in callbacks:
            callback()
    finally:
        event_cancelled.disconnect(receiver)
    [sent] = received
    assert sent["event"].pk == event.pk and [r.pk for r in sent["registrations"]] == [paid.pk]
    assert sent["registrations"][0].status == Status.CANCELLED and sent["reason"] == "Storm."


def test_payment_succeeded_confirms_the_paid_reservations():
    event = make_event(tickets=PAID)
    ticket_type = event.ticket_types.get()
    held = registration_reserve(event=event, ticket_type=ticket_type, email="paid@example.org")
    gone = registration_reserve(event=event, ticket_type=ticket_type, email="late@example.org")
    Registration.objects.filter(pk=gone.pk).update(status=Status.CANCELLED)
    [(_receiver, answer)] = [
        response
        for response in payment_succeeded.send(
            sender=None,
            order_reference="T1",
            item_references=[f"registration:{held.pk}", f"registration:{gone.pk}", "other-app:7"],
        )
        if response[0].__module__ == "events.receivers"
    ]
    assert answer == {"confirmed": [f"registration:{held.pk}"], "refused": [f"registration:{gone.pk}"]}
    held.refresh_from_db()
    assert held.status == Status.CONFIRMED and held.paid_at is not None and not held.paid_at_door


def test_the_events_list_and_dashboard_show_each_events_time_in_its_own_named_zone(client, staff):
    start = datetime(2030, 12, 11, 19, 0, tzinfo=ZoneInfo("America/New_York"))
    event = make_event(
        title="Speaking up", starts_at=start, ends_at=start + timedelta(hours=2), time_zone="America/New_York"
    )
    listing = client.get("/admin/events/").content.decode()
    assert "11 Dec 2030 19:00 (America/New_York)" in listing and "12 Dec 2030" not in listing
    dashboard = client.get(admin_url(event)).content.decode()
    assert (
        "Wednesday 11 December 2030, 19:00 to 21:00 (America/New_York)" in dashboard and "12 Dec 2030" not in dashboard
    )
