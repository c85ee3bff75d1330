from allauth.core.internal import ratelimit
from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_out
from django.tasks.signals import task_enqueued, task_finished, task_started
from django.utils.translation import gettext_lazy as _

from core import logging as core_logging


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Thrive core")

    def ready(self):
        from core import deploy_checks, page_cache  # noqa: F401 (deploy_checks registers its system check)
        from core.middleware import mark_signed_out
        from core.tasks import collect_after_worker_task

        page_cache.connect_purge_signals()
        user_logged_out.connect(mark_signed_out, dispatch_uid="core.middleware.mark_signed_out")
        _allauth_waits_for_its_rate_limit_lock()
        task_finished.connect(collect_after_worker_task, dispatch_uid="core.collect_after_worker_task")
        # Log lines of a task carry its id; queuing one during a request logs both ids.
        task_enqueued.connect(core_logging.task_enqueued, dispatch_uid="core.logging.task_enqueued")
        task_started.connect(core_logging.task_started, dispatch_uid="core.logging.task_started")
        task_finished.connect(core_logging.task_finished, dispatch_uid="core.logging.task_finished")


def _allauth_waits_for_its_rate_limit_lock() -> None:
    """allauth counts its rate limits (failed passwords, sign-ups, resets) in the cache under a
    lock taken with cache.add() (atomic with Redis and with core.cache.LockingFileBasedCache), but
    gives up after waiting 1 second and then refuses the request with a 429. Under a burst on a
    busy machine honest attempts waited longer than that, so they wait up to 5 seconds (the lock
    itself expires after allauth's CACHE_LOCK_TIMEOUT, 10 seconds). Checked again on upgrades by
    core/tests/test_ratelimit_server.py (20 simultaneous wrong passwords: exactly 5 tried)."""
    ratelimit.CACHE_LOCK_WAIT_TIMEOUT = max(ratelimit.CACHE_LOCK_WAIT_TIMEOUT, 5)
