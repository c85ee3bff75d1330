from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundraisingConfig(AppConfig):
    name = "fundraising"
    verbose_name = _("Supporter fundraising")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from fundraising import receivers  # noqa: F401, PLC0415 (connects the donation receivers)
