from datetime import timedelta

from django.tasks import task

from core.tasks import requeue_after
from events.services import events_housekeeping

INTERVAL = timedelta(minutes=1)


@task
def events_housekeeping_task() -> dict[str, int]:
    """Every minute: release expired reservations and offers, pass places on. Re-queues itself."""
    counts = events_housekeeping()
    requeue_after(events_housekeeping_task, INTERVAL)
    return counts


@task
def event_cancelled_email(*, event_id: int, email: str, reason: str = "") -> None:
    """Tell one person (an attendee or someone on the waiting list) that an event is
    cancelled, once per address however many tickets they held. Never names the venue of
    a sensitive event. For places paid online it says the refund is on its way (payments
    refunds them from `event_cancelled`); for money taken at the door, that the team will
    return it. Sends one email."""
    from zoneinfo import ZoneInfo

    from core.email import email_send
    from events.models import EventPage, Registration
    from core.money import format_money

    event = EventPage.objects.get(pk=event_id)
    local_start = event.starts_at.astimezone(ZoneInfo(event.time_zone))  # strings: templates would convert times
    paid_places = Registration.objects.filter(event=event, email=email, paid_at__isnull=False, amount_minor__gt=0)
    refunded_online = sum(paid_places.filter(paid_at_door=False).values_list("amount_minor", flat=True))
    email_send(
        to=[email],
        subject=f"Cancelled: {event.title}",
        template="event_cancelled",
        context={
            "event": event,
            "day": f"{local_start:%A %-d %B %Y}",
            "when": f"{local_start:%A %-d %B %Y, %H:%M}",
            "venue": "" if event.sensitive or event.online else event.venue,
            "reason": reason.strip(),
            "paid": paid_places.exists(),
            "refund_total": format_money(refunded_online, event.currency) if refunded_online else "",
            "paid_by_hand": paid_places.filter(paid_at_door=True).exists()
            or (paid_places.exists() and not refunded_online),
        },
    )
