"""Row locks, one way for every app (the pretix `lock_objects` habit).

`for_update(Model.objects.filter(...))` is `select_for_update()` that refuses to run outside a
transaction (on every database, SQLite included, where Django would silently lock nothing) and,
on PostgreSQL, bounds how long the transaction waits for any lock (`SET LOCAL lock_timeout`):
a stuck holder makes the waiter fail (an OperationalError that `is_lock_timeout` recognises)
instead of hanging a web worker.
"""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.transaction import TransactionManagementError

LOCK_WAIT_SECONDS = 10


def assert_in_transaction(using: str = DEFAULT_DB_ALIAS) -> None:
    if not connections[using].in_atomic_block:
        raise TransactionManagementError("row locks are taken inside transaction.atomic() only")


def for_update(queryset, *, of: tuple[str, ...] = (), wait_seconds: int = LOCK_WAIT_SECONDS):
    """`queryset.select_for_update(of=of)`, inside a transaction only, waiting at most
    `wait_seconds` for a lock (PostgreSQL). Lazy like any queryset: lock with .get(), list()..."""
    using = queryset.db
    assert_in_transaction(using)
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{int(wait_seconds * 1000)}ms"])
    return queryset.select_for_update(of=of)


def is_lock_timeout(error: BaseException) -> bool:
    """Did PostgreSQL give up waiting for a lock (SQLSTATE 55P03)?"""
    cause = getattr(error, "__cause__", None)
    return getattr(cause, "sqlstate", None) == "55P03" or getattr(getattr(cause, "diag", None), "sqlstate", None) == "55P03"
