from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from events.services import events_housekeeping

INTERVAL = timedelta(minutes=1)


@task
def events_housekeeping_task() -> dict[str, int]:
    """Every minute: release expired reservations and offers, pass places on. Re-queues itself."""
    counts = events_housekeeping()
    if events_housekeeping_task.get_backend().supports_defer:
        events_housekeeping_task.using(run_after=timezone.now() + INTERVAL).enqueue()
    return counts
