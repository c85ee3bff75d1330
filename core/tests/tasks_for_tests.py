"""A task the tests of core.tasks queue (it only notes that it ran)."""

from django.tasks import task

RAN: list[int] = []


@task
def note_ran(*, value: int) -> None:
    RAN.append(value)
