from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Payments"

    def ready(self):
        from payments import receivers  # noqa: F401 (connects accounts' member_erased)
