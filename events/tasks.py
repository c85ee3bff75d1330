"""Events' tasks. Each is a thin wrapper named exactly like the service it runs: the emails in
`events.emails`, the periodic runs in `events.services.housekeeping`. They take primary keys
and are idempotent; services queue them with `core.tasks.enqueue_on_commit`."""

from datetime import timedelta

from django.tasks import task

from core.tasks import requeue_after
from events import emails

HOUSEKEEPING_INTERVAL = timedelta(minutes=1)
REMINDERS_INTERVAL = timedelta(minutes=10)


@task
def registration_confirmation_send(*, registration_id: int) -> str:
    """The confirmation email with the PDF ticket and .ics, once (`events.emails`)."""
    return emails.registration_confirmation_send(registration_id=registration_id)


@task
def registration_reissued_send(*, registration_id: int) -> str:
    """The re-issued ticket after the event's door key was rotated (`events.emails`)."""
    return emails.registration_reissued_send(registration_id=registration_id)


@task
def waiting_list_offer_send(*, entry_id: int) -> str:
    """The email offering a freed place to the person at the front of the waiting list."""
    return emails.waiting_list_offer_send(entry_id=entry_id)


@task
def registration_transferred_send(*, event_id: int, email: str) -> None:
    """The notice to a previous holder that their ticket was passed on."""
    emails.registration_transferred_send(event_id=event_id, email=email)


@task
def registration_cancelled_send(*, registration_id: int) -> None:
    """The confirmation to a holder that they cancelled their booking."""
    emails.registration_cancelled_send(registration_id=registration_id)


@task
def event_cancelled_send(*, event_id: int, email: str, reason: str = "") -> None:
    """The email to one person that an event is cancelled."""
    emails.event_cancelled_send(event_id=event_id, email=email, reason=reason)


@task
def events_housekeeping() -> dict[str, int]:
    """Every minute: release expired reservations and offers, pass places on. Re-queues itself."""
    from events.services import housekeeping  # the services queue this module's tasks: imported when run

    counts = housekeeping.events_housekeeping()
    requeue_after(events_housekeeping, HOUSEKEEPING_INTERVAL)
    return counts


@task
def event_reminders_send() -> dict[str, int]:
    """Every 10 minutes: reminders for tomorrow's dates, and confirmations a lost task never
    sent. Both are sent once however often this runs. Re-queues itself. Sends email."""
    from events.services import housekeeping  # the services queue this module's tasks: imported when run

    counts = housekeeping.event_reminders_send()
    requeue_after(event_reminders_send, REMINDERS_INTERVAL)
    return counts
