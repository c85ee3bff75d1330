"""Volunteering tasks: thin wrappers around volunteers.emails, each taking ids only."""

from datetime import timedelta

from django.tasks import task

from core.tasks import requeue_after
from volunteers import emails

REMINDERS_INTERVAL = timedelta(minutes=10)


@task
def volunteer_email_send(*, volunteer_id: int, kind: str) -> None:
    """Application received, approved or declined. Sends email."""
    emails.volunteer_email_send(volunteer_id=volunteer_id, kind=kind)


@task
def sign_up_email_send(*, sign_up_id: int, kind: str) -> None:
    """A place on a shift confirmed (or reminded), with the .ics. Sends email."""
    emails.sign_up_email_send(sign_up_id=sign_up_id, kind=kind)


@task
def shift_reminders_send() -> int:
    """Every 10 minutes: reminders for shifts starting in the next 24 hours, each sent once.
    Re-queues itself. Sends email."""
    sent = emails.shift_reminders_send()
    requeue_after(shift_reminders_send, REMINDERS_INTERVAL)
    return sent
