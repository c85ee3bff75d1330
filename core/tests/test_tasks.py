"""`enqueue_on_commit`: a task runs only for a transaction that commits; with the database
queue its row is written inside that transaction."""

import pytest
from django.db import transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from core.tasks import enqueue_on_commit
from core.tests.tasks_for_tests import RAN, note_ran

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _queued() -> list[int]:
    rows = DBTaskResult.objects.filter(task_path="core.tests.tasks_for_tests.note_ran")
    return [row.args_kwargs["kwargs"]["value"] for row in rows]


@override_settings(TASKS=DATABASE_QUEUE)
def test_with_the_database_queue_the_task_is_written_in_the_transaction_and_rolls_back_with_it():
    with transaction.atomic():
        enqueue_on_commit(note_ran, value=1)
        assert _queued() == [1]  # already in this transaction, not waiting for the commit
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(note_ran, value=2)
        raise RuntimeError
    assert _queued() == [1]


def test_with_the_immediate_backend_the_task_runs_only_after_a_commit(django_capture_on_commit_callbacks):
    RAN.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            enqueue_on_commit(note_ran, value=1)
            assert RAN == []
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue_on_commit(note_ran, value=2)
            raise RuntimeError
    assert RAN == [1]
    assert _queued() == []
