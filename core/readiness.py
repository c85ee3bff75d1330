"""What /readyz checks: can this host serve visitors and keep its promises right now?

Each check answers None when all is well, or a short word saying what is wrong (never an
address, a key or anything personal): the view names the failed checks in its 503 body.

- database: one `SELECT 1`.
- cache: a value written and read back under a key of this process and thread (so two
  hosts probing at once cannot mix their answers, and the number of keys stays bounded).
  The cache forgives a Redis that is down (core.cache), so only a round trip proves it is up.
- storage: `exists()` on a key that need not exist. On local disk it cannot fail unless the
  folder is unreadable; on S3 it is a HEAD request, made through a client with short
  timeouts and no retries, so an unreachable bucket answers within about 2 s.
- tasks: the oldest task ready to run on a database queue has waited less than
  READY_MAX_TASK_AGE_SECONDS (a task due later counts from when it became due). Workers that
  are dead, stuck or too few show here. Not checked when tasks do not go through a database.
"""

import logging
import os
import secrets
import socket
import threading
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.db import DatabaseError, connection
from django.db.models import Case, F, Min, When
from django.db.models.functions import Greatest
from django.tasks import task_backends
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

logger = logging.getLogger(__name__)

PROBE_KEY = "readyz:probe"
CACHE_PROBE_SECONDS = 30
# The storage probe's S3 client: 1 s to connect, 2 s to read, one attempt (boto3's defaults
# are 60 s and several tries; the load balancer gives up on a check long before that).
STORAGE_PROBE_CONNECT_SECONDS = 1
STORAGE_PROBE_READ_SECONDS = 2

_probe_storage = None
_probe_storage_lock = threading.Lock()


def database_problem() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning("readiness: database unavailable (%s)", type(error).__name__)
        return "unavailable"
    return None


def cache_problem() -> str | None:
    key = f"readyz:{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
    token = secrets.token_hex(8)
    try:
        cache.set(key, token, CACHE_PROBE_SECONDS)
        answered = cache.get(key)
    except Exception as error:  # any backend's own connection errors  # noqa: BLE001
        logger.warning("readiness: cache unavailable (%s)", type(error).__name__)
        return "unavailable"
    if answered != token:
        logger.warning("readiness: cache did not return what was written")
        return "unavailable"
    return None


def _storage_for_probe():
    """The default storage, or for S3 a copy of it whose client gives up quickly."""
    global _probe_storage
    if _probe_storage is not None:
        return _probe_storage
    with _probe_storage_lock:
        if _probe_storage is None:
            storage = storages["default"]
            if getattr(storage, "client_config", None) is not None and hasattr(storage, "bucket_name"):
                # botocore is present whenever an S3 storage is configured; imported here so a
                # local-disk install never loads it.
                from botocore.config import Config

                quick = Config(
                    connect_timeout=STORAGE_PROBE_CONNECT_SECONDS,
                    read_timeout=STORAGE_PROBE_READ_SECONDS,
                    retries={"max_attempts": 1, "mode": "standard"},
                )
                storage = type(storage)(client_config=storage.client_config.merge(quick))
            _probe_storage = storage
    return _probe_storage


def _forget_probe_storage(*, setting, **_kwargs):
    global _probe_storage
    if setting == "STORAGES" or setting.startswith("AWS_"):
        _probe_storage = None


setting_changed.connect(_forget_probe_storage, dispatch_uid="readiness_probe_storage")


def storage_problem() -> str | None:
    try:
        _storage_for_probe().exists(PROBE_KEY)
    except Exception as error:  # OSError, botocore's ClientError and connection errors  # noqa: BLE001
        logger.warning("readiness: storage unavailable (%s)", type(error).__name__)
        return "unavailable"
    return None


def oldest_ready_task_age() -> timedelta | None:
    """How long the oldest task ready to run on a database queue has waited, or None when
    none waits (or no task backend is a database queue)."""
    aliases = [backend.alias for backend in task_backends.all() if isinstance(backend, DatabaseBackend)]
    if not aliases:
        return None
    no_run_after = get_date_max()
    oldest = (
        DBTaskResult.objects.ready()
        .filter(backend_name__in=aliases)
        .aggregate(
            since=Min(
                Case(When(run_after=no_run_after, then=F("enqueued_at")), default=Greatest("enqueued_at", "run_after"))
            )
        )["since"]
    )
    return None if oldest is None else max(timezone.now() - oldest, timedelta(0))


def tasks_problem() -> str | None:
    try:
        age = oldest_ready_task_age()
    except DatabaseError:
        return "unknown"  # the database check says why
    if age is not None and age.total_seconds() > settings.READY_MAX_TASK_AGE_SECONDS:
        logger.warning("readiness: oldest queued task has waited %d s", age.total_seconds())
        return "backlog"
    return None


CHECKS = {
    "database": database_problem,
    "cache": cache_problem,
    "storage": storage_problem,
    "tasks": tasks_problem,
}


def readiness() -> dict[str, str]:
    """{check: "ok" or what is wrong} for every check, all run each time."""
    return {name: check() or "ok" for name, check in CHECKS.items()}
