"""A real task worker process for fault tests (`manage.py task_worker` killed, cut off from
its database): e2e's settings with tasks on the database queue, as in production, and email
written to files in THRIVE_VAR_DIR/mail."""

from .e2e import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
