"""`manage.py task_worker`: the task worker to run everywhere (`make run` and production),
instead of django-tasks-db's `db_worker`. Same options, plus --heartbeat and --lease; it
survives the database going away and queues again tasks lost with a worker that was killed
(taskworker.worker)."""

import os

from django.core.management.base import CommandError
from django.db import connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import valid_interval

from taskworker.worker import ResilientWorker

APPLICATION_NAME = "thrive-task-worker"


class Command(db_worker.Command):
    help = "Run the task worker (django-tasks-db's, surviving database outages and lost workers)"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--heartbeat",
            default=5.0,
            type=valid_interval,
            help="Seconds between this worker's heartbeats (default: %(default)r)",
        )
        parser.add_argument(
            "--lease",
            default=60.0,
            type=valid_interval,
            help="A RUNNING task whose worker has not been seen for this many seconds was lost with it and is "
            "queued again (default: %(default)r)",
        )

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        exclude_queues,
        heartbeat,
        lease,
        **options,
    ):
        self.configure_logging(verbosity)
        # Name the worker's PostgreSQL sessions, so an operator (or a test) can find them in
        # pg_stat_activity.
        for alias in connections:
            if connections.settings[alias]["ENGINE"].endswith("postgresql"):
                connections.settings[alias].setdefault("OPTIONS", {}).setdefault("application_name", APPLICATION_NAME)
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
            heartbeat=heartbeat,
            lease=max(lease, 2 * heartbeat),
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
