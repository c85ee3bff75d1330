from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events"

    def ready(self):
        from events import page_permissions, receivers  # noqa: F401 (connect their signal receivers)
