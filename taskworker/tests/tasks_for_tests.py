"""A task the worker fault tests queue: it waits inside a database query, so a test can end
its session while it runs."""

from django.db import connection
from django.tasks import task


@task
def sleep_in_database(*, seconds: float) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(%s)", [seconds])
    return "slept"
