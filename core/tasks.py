from datetime import timedelta

from django.utils import timezone


def requeue_after(periodic_task, interval: timedelta) -> None:
    """Queue the next run of a periodic task (`manage.py schedule_tasks` starts the chain).
    Backends that cannot wait (the immediate one, in tests) run each task once."""
    if periodic_task.get_backend().supports_defer:
        periodic_task.using(run_after=timezone.now() + interval).enqueue()
