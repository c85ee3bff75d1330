from django.apps import AppConfig


class TaskWorkerConfig(AppConfig):
    name = "taskworker"
    verbose_name = "Task worker"
