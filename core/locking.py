"""Row locks, one way for every app (the pretix `lock_objects` habit).

`for_update(Model.objects.filter(...))` is `select_for_update()` that refuses to run outside a
transaction (on every database, SQLite included, where Django would silently lock nothing).
How long a lock is waited for is bounded on PostgreSQL: every connection starts with
`lock_timeout` = `settings.DATABASE_LOCK_WAIT_SECONDS` (config/settings/base.py), so taking a
lock costs no extra statement; a caller that wants a different bound passes `wait_seconds`
(one `SET LOCAL` for the rest of its transaction). A stuck holder makes the waiter fail (an
OperationalError that `is_lock_timeout` recognises) instead of hanging a web worker.
"""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.transaction import TransactionManagementError


def assert_in_transaction(using: str = DEFAULT_DB_ALIAS) -> None:
    if not connections[using].in_atomic_block:
        raise TransactionManagementError("row locks are taken inside transaction.atomic() only")


def for_update(queryset, *, of: tuple[str, ...] = (), wait_seconds: float | None = None):
    """`queryset.select_for_update(of=of)`, inside a transaction only. On PostgreSQL the wait
    for a lock is bounded by the connection's `lock_timeout`, or by `wait_seconds` when given.
    Lazy like any queryset: lock with .get(), list()..."""
    using = queryset.db
    assert_in_transaction(using)
    connection = connections[using]
    if wait_seconds is not None and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{int(wait_seconds * 1000)}ms"])
    return queryset.select_for_update(of=of)


def connection_lock_wait_seconds(using: str = DEFAULT_DB_ALIAS) -> float | None:
    """The lock wait this connection starts with (PostgreSQL), for checks and tests."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT setting::int FROM pg_settings WHERE name = 'lock_timeout'")
        return cursor.fetchone()[0] / 1000


def is_lock_timeout(error: BaseException) -> bool:
    """Did PostgreSQL give up waiting for a lock (SQLSTATE 55P03)?"""
    cause = getattr(error, "__cause__", None)
    diag = getattr(cause, "diag", None)
    return "55P03" in (getattr(cause, "sqlstate", None), getattr(diag, "sqlstate", None))


