from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaskWorkerConfig(AppConfig):
    name = "taskworker"
    verbose_name = _("Task worker")
