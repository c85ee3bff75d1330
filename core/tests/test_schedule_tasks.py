"""`manage.py schedule_tasks` queues one waiting run of each periodic task (idempotent)."""

import io

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from wagtail import hooks

from core.hooks import PERIODIC_TASKS_HOOK

pytestmark = pytest.mark.django_db


def test_schedule_tasks_queues_one_run_on_the_database_backend(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    call_command("schedule_tasks", stdout=io.StringIO())
    call_command("schedule_tasks", stdout=io.StringIO())
    assert DBTaskResult.objects.filter(task_path="accounts.tasks.retention_purge", status="READY").count() == 1
    for get_task in hooks.get_hooks(PERIODIC_TASKS_HOOK):
        path = get_task().module_path
        assert DBTaskResult.objects.filter(task_path=path, status="READY").count() == 1, path
