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
