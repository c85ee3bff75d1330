from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoicesConfig(AppConfig):
    name = "voices"
    verbose_name = _("Survivor voices")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from voices import receivers  # noqa: F401, PLC0415 (connects the payment receiver)
