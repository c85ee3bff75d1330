from datetime import timedelta

from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.utils import timezone


def requeue_after(periodic_task, interval: timedelta) -> None:
    """Queue the next run of a periodic task (`manage.py schedule_tasks` starts the chain).
    Backends that cannot wait (the immediate one, in tests) run each task once."""
    if periodic_task.get_backend().supports_defer:
        periodic_task.using(run_after=timezone.now() + interval).enqueue()


def enqueue_on_commit(task, **kwargs) -> None:
    """Queue `task(**kwargs)` to run once the current transaction has committed (at once
    outside a transaction); never for a transaction that rolls back.

    When the queue is a table in that same database (django_tasks_db, as in production), the
    task's row is written inside the transaction: it commits or rolls back with the change
    that needs it (nothing is lost if the process stops between the commit and the enqueue),
    workers cannot see it before the commit, and it costs no second commit (about 1 ms on
    each paid webhook). Other backends (the immediate one in tests would run the task before
    the commit) are called from an on_commit callback."""
    if connections[DEFAULT_DB_ALIAS].in_atomic_block and _queue_in_database(task.get_backend()):
        task.enqueue(**kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(**kwargs))


def _queue_in_database(backend) -> bool:
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    return isinstance(backend, DatabaseBackend) and router.db_for_write(DBTaskResult) == DEFAULT_DB_ALIAS
