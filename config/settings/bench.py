"""Benchmarks: the `make run` site plus a bare view to compare against; tasks on the
database queue (as in production) and email discarded."""

from .e2e import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
# The page cache's database check (a query every 2 s per process) off, so query counts are exact.
PAGE_CACHE_GENERATION_CHECK_SECONDS = None
