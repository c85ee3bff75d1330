"""Make sure each periodic task has one run waiting in the queue (idempotent).

Periodic tasks re-queue themselves after each run; this command starts the chain, or
restarts it if the queue was emptied. `make run` calls it; so should every deploy.
"""

from django.core.management.base import BaseCommand
from django_tasks_db.models import DBTaskResult

from accounts.tasks import retention_purge

PERIODIC = [retention_purge]


class Command(BaseCommand):
    help = "Queue the first run of each periodic task that has none waiting."

    def handle(self, *args, **options):
        for periodic in PERIODIC:
            waiting = DBTaskResult.objects.filter(task_path=periodic.module_path, status="READY").exists()
            if waiting:
                self.stdout.write(f"{periodic.module_path}: already queued")
            else:
                periodic.enqueue()
                self.stdout.write(f"{periodic.module_path}: queued")
