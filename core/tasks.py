import gc
import sys
from datetime import timedelta

from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.utils import timezone


def requeue_after(task, interval: timedelta, **kwargs) -> None:
    """Queue `task(**kwargs)` to run again after `interval`: the next run of a periodic task
    (`manage.py schedule_tasks` starts the chain), or a retry of one that could not finish
    (Stripe unreachable). Backends that cannot wait (the immediate one, in tests) run each
    task once."""
    if task.get_backend().supports_defer:
        task.using(run_after=timezone.now() + interval).enqueue(**kwargs)


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
    from django_tasks_db.backend import DatabaseBackend  # only the database queue needs it
    from django_tasks_db.models import DBTaskResult  # models: core.tasks stays free of them (models modules import it)

    return isinstance(backend, DatabaseBackend) and router.db_for_write(DBTaskResult) == DEFAULT_DB_ALIAS


_modules_when_frozen = 0


def collect_after_worker_task(sender, **kwargs) -> None:
    """Connected to `task_finished`. In a database-queue worker (`manage.py db_worker`), frees
    what each task left in reference cycles at once, in a collection that costs well under a
    millisecond.

    Left to the automatic collector, those cycles (each WeasyPrint document holds Pango and
    HarfBuzz memory through them) wait for a full collection, which on a worker's heap (about
    two million objects after `django.setup()`) is rare and costs about 145 ms: a certificate
    worker grew by about 10 MB over 400 PDFs. So after a task that loaded new code (the first
    of its kind), everything still alive is collected once and frozen with `gc.freeze()`
    (modules, settings, caches: they are still freed by reference counting), and after every
    task only what was allocated since is examined. Tasks of other backends (the immediate one
    runs them inside a request or a test) are left alone. Never raises: an error here would
    mark a task that succeeded as failed."""
    from django_tasks_db.backend import DatabaseBackend  # only the database queue needs it

    global _modules_when_frozen
    # The worker sends the backend itself after a success, its class after a failure.
    backend_class = sender if isinstance(sender, type) else type(sender)
    if not issubclass(backend_class, DatabaseBackend):
        return
    gc.collect()
    if len(sys.modules) != _modules_when_frozen:
        gc.freeze()
        _modules_when_frozen = len(sys.modules)
