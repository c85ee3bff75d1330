from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """A running `manage.py task_worker` process: written when it starts and every few seconds
    after (from a thread of its own, so a long task does not stop it). A task left RUNNING by
    a worker whose heartbeat stopped, or whose process is gone from this host, was lost with
    that worker and is queued again (taskworker.worker.lost_tasks_requeue)."""

    worker_id = models.CharField(_("worker id"), primary_key=True, max_length=64)
    hostname = models.CharField(_("host name"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    seen_at = models.DateTimeField(_("last seen at"), db_index=True)

    class Meta:
        verbose_name = _("task worker heartbeat")

    def __str__(self):
        return f"{self.worker_id} ({self.hostname}:{self.pid})"
