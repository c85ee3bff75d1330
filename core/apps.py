from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Thrive core"

    def ready(self):
        from django.tasks.signals import task_finished

        from core import page_cache
        from core.tasks import collect_after_worker_task

        page_cache.connect_purge_signals()
        task_finished.connect(collect_after_worker_task, dispatch_uid="core.collect_after_worker_task")
