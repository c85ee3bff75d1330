"""Make sure each periodic task has one run waiting in the queue (idempotent).

Periodic tasks re-queue themselves after each run; this command starts the chain, or
restarts it if the queue was emptied. Apps register them with the `thrive_periodic_tasks`
hook. `make run` calls it; so should every deploy.
"""

from django.core.management.base import BaseCommand
from django_tasks_db.models import DBTaskResult
from wagtail import hooks

from core.hooks import PERIODIC_TASKS_HOOK


class Command(BaseCommand):
    help = "Queue the first run of each periodic task that has none waiting."

    def handle(self, *args, **options):
        for get_task in hooks.get_hooks(PERIODIC_TASKS_HOOK):
            periodic = get_task()
            waiting = DBTaskResult.objects.filter(task_path=periodic.module_path, status="READY").exists()
            if waiting:
                self.stdout.write(f"{periodic.module_path}: already queued")
            else:
                periodic.enqueue()
                self.stdout.write(f"{periodic.module_path}: queued")
