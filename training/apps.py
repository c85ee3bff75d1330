from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "Training"

    def ready(self):
        from training import receivers  # noqa: F401 (connects payments' sponsorship signal)
