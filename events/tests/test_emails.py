"""Attendee emails: confirmations and reminders are sent once, discreet members get neutral
attachments, and the periodic task is registered."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from icalendar import Calendar
from wagtail import hooks

from accounts.tests.factories import MemberProfileFactory
from events.emails import reminders_send
from events.models import EventDate, Registration
from events.tasks import event_reminders_send, registration_confirmation_send
from events.tests.factories import RegistrationFactory, make_event

pytestmark = pytest.mark.django_db

Status = Registration.Status


def tomorrow_event(**fields):
    return make_event(starts_at=timezone.now() + timedelta(hours=20), **fields)


def booked_last_week(event, **fields):
    return RegistrationFactory(event=event, confirmed_at=timezone.now() - timedelta(days=7), **fields)


def test_the_reminder_is_sent_once_even_when_the_task_runs_twice():
    registration = booked_last_week(tomorrow_event(title="Tomorrow's gathering"))
    assert reminders_send() == 1
    assert reminders_send() == 0
    [reminder] = mail.outbox
    assert reminder.to == [registration.email] and "Tomorrow's gathering" in reminder.subject
    assert Registration.objects.get(pk=registration.pk).reminder_sent_at is not None


def test_only_confirmed_attendees_of_events_within_24_hours_are_reminded():
    soon = tomorrow_event()
    booked_last_week(soon)
    booked_last_week(soon, status=Status.CANCELLED)
    booked_last_week(make_event(starts_at=timezone.now() + timedelta(hours=30)))
    booked_last_week(tomorrow_event(cancelled=True))
    assert reminders_send() == 1 and len(mail.outbox) == 1


def test_someone_who_booked_within_the_last_day_gets_no_reminder():
    RegistrationFactory(event=tomorrow_event(), confirmed_at=timezone.now() - timedelta(hours=1))
    assert reminders_send() == 0 and mail.outbox == []


def test_each_date_of_a_repeating_event_gets_its_own_reminder():
    now = timezone.now()
    event = tomorrow_event()
    EventDate.objects.create(
        event=event, starts_at=event.starts_at + timedelta(weeks=1), ends_at=event.ends_at + timedelta(weeks=1)
    )
    booked_last_week(event)
    assert reminders_send(now=now) == 1
    assert reminders_send(now=now + timedelta(days=2)) == 0
    assert reminders_send(now=now + timedelta(days=7, hours=1)) == 1
    assert reminders_send(now=now + timedelta(days=7, hours=2)) == 0


def test_a_failed_reminder_is_tried_again_on_the_next_run(monkeypatch):
    registration = booked_last_week(tomorrow_event())

    def broken(**kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("events.emails.email_send", broken)
    assert reminders_send() == 0
    assert Registration.objects.get(pk=registration.pk).reminder_sent_at is None
    monkeypatch.undo()
    assert reminders_send() == 1


def test_the_confirmation_is_sent_once_however_often_its_task_runs():
    registration = RegistrationFactory(event=make_event())
    assert registration_confirmation_send.call(registration_id=registration.pk) == "sent"
    assert registration_confirmation_send.call(registration_id=registration.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_a_discreet_member_gets_no_pdf_and_a_neutral_calendar_entry():
    profile = MemberProfileFactory(discreet_mode=True)
    registration = RegistrationFactory(event=make_event(title="Survivor circle"), email=profile.user.email)
    registration_confirmation_send.call(registration_id=registration.pk)
    [message] = mail.outbox
    assert [name for name, _content, _type in message.attachments] == ["event.ics"]
    [vevent] = Calendar.from_ical(message.attachments[0][1]).walk("VEVENT")
    assert str(vevent["summary"]) == "Appointment" and "Survivor circle" not in message.body


def test_confirmations_a_lost_task_never_sent_go_out_on_the_next_periodic_run():
    registration = RegistrationFactory(event=make_event())
    RegistrationFactory(event=make_event(), confirmed_at=timezone.now() - timedelta(days=30))
    counts = event_reminders_send.call()
    assert counts["confirmations_queued"] == 1
    assert [m.to for m in mail.outbox] == [[registration.email]]


def test_the_reminder_task_is_registered_as_a_periodic_task():
    assert event_reminders_send in [get_task() for get_task in hooks.get_hooks("thrive_periodic_tasks")]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_reminders_at_the_same_moment_send_each_once(wagtail_tree):
    event = tomorrow_event()
    for _ in range(10):
        booked_last_week(event)
    barrier = threading.Barrier(2)
    sent = []

    def worker():
        try:
            barrier.wait()
            sent.append(reminders_send())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(sent) == 10 and len(mail.outbox) == 10
