"""Tasks the worker tests queue: one waits inside a database query, so a test can end its
session while it runs; one counts its own runs, so a test can tell that each ran once."""

import os
import time

from django.db import connection
from django.tasks import task


@task
def sleep_in_database(*, seconds: float) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(%s)", [seconds])
    return "slept"


# The table `count_run` writes to; taskworker/tests/test_workers_side_by_side.py makes and drops it.
RUNS_TABLE = "taskworker_test_runs"
HOLD_SECONDS = 120


@task
def count_run(*, value: int, hold: bool = False) -> int:
    """Counts its own runs in RUNS_TABLE, one row per `value`: `started` when a run begins
    (committed at once: workers run tasks in autocommit), `finished` when it ends, with the
    pid of the worker process of each. With `hold`, its first run then waits HOLD_SECONDS,
    long enough for the test to kill or freeze that worker; a later run does not wait."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {RUNS_TABLE} (value, started, finished, started_pid) VALUES (%s, 1, 0, %s) "  # noqa: S608
            f"ON CONFLICT (value) DO UPDATE SET started = {RUNS_TABLE}.started + 1, started_pid = EXCLUDED.started_pid "
            "RETURNING started",
            [value, os.getpid()],
        )
        started = cursor.fetchone()[0]
        if hold and started == 1:
            time.sleep(HOLD_SECONDS)
        cursor.execute(
            f"UPDATE {RUNS_TABLE} SET finished = finished + 1, finished_pid = %s WHERE value = %s",  # noqa: S608
            [os.getpid(), value],
        )
    return value
