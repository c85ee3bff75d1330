"""`enqueue_on_commit`: a task runs only for a transaction that commits; with the database
queue its row is written inside that transaction. A database worker collects its garbage
after every task."""

import gc

import pytest
from django.db import transaction
from django.tasks.signals import task_finished
from django.test import override_settings
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

import core.tasks
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


@pytest.fixture
def gc_calls(monkeypatch):
    """gc.collect and gc.freeze as recorded calls (a real freeze would outlive the test)."""
    calls: list[str] = []
    monkeypatch.setattr(gc, "collect", lambda *args: calls.append("collect") or 0)
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(core.tasks, "_modules_when_frozen", 0)
    return calls


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_database_worker_collects_after_every_task_and_freezes_only_after_new_code(gc_calls):
    backend = note_ran.get_backend()
    assert isinstance(backend, DatabaseBackend)
    result = note_ran.enqueue(value=1)
    task_finished.send(sender=backend, task_result=result)  # the worker's sender after a success
    assert gc_calls == ["collect", "freeze"]
    task_finished.send(sender=type(backend), task_result=result)  # and after a failure
    assert gc_calls == ["collect", "freeze", "collect"]


def test_tasks_run_by_the_immediate_backend_leave_the_collector_alone(gc_calls):
    RAN.clear()
    note_ran.enqueue(value=3)
    assert RAN == [3]
    assert gc_calls == []
