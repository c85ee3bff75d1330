from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ToolkitConfig(AppConfig):
    """The partner toolkit (issue 19): the partner home, posters and leaflets with short links,
    listings partners embed on their own sites, feeds. It sits at the top of the layers, beside
    voices: it reads events, training, accounts and cms; nothing below imports it."""

    name = "toolkit"
    verbose_name = _("Partner toolkit")
    default_auto_field = "django.db.models.BigAutoField"
