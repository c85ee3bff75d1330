from wagtail import hooks

from core.hooks import (
    ACCOUNT_PANELS_HOOK,
    CERTIFICATE_SOURCES_HOOK,
    HOME_LISTINGS_HOOK,
    PERIODIC_TASKS_HOOK,
    SEED_DEMO_HOOK,
    SPONSORSHIP_TARGETS_HOOK,
    TICKET_DETAILS_HOOK,
    TICKETS_HOLD_EXTEND_HOOK,
)


@hooks.register(PERIODIC_TASKS_HOOK)
def housekeeping_task():
    from events.tasks import events_housekeeping_task

    return events_housekeeping_task


@hooks.register(PERIODIC_TASKS_HOOK)
def reminders_task():
    from events.emails import event_reminders_task

    return event_reminders_task


@hooks.register(HOME_LISTINGS_HOOK)
def upcoming_events(request):
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from events.models import EventIndexPage, EventPage

    events = (
        EventPage.objects.live().public().filter(ends_at__gte=timezone.now(), cancelled=False).order_by("starts_at")[:3]
    )
    # The day in the event's own zone, as every other page says it (the database holds UTC).
    items = [
        {"title": e.title, "url": e.url, "when": f"{e.starts_at.astimezone(ZoneInfo(e.time_zone)):%-d %B %Y}"}
        for e in events
    ]
    index = EventIndexPage.objects.live().first() if items else None
    return {"title": "Upcoming events", "items": items, "more_url": index.url if index else None}


@hooks.register(SEED_DEMO_HOOK)
def seed_events(password):
    from events.demo import seed_events as seed

    seed(password=password)


@hooks.register("register_admin_urls")
def events_admin_urls():
    from django.urls import include, path

    from events import admin_urls

    return [path("events/", include(admin_urls, namespace="events_admin"))]


@hooks.register("register_admin_menu_item")
def events_menu_item():
    from django.urls import reverse

    from accounts.roles import EVENT_STAFF
    from accounts.wagtail_hooks import RoleMenuItem

    return RoleMenuItem("Events", reverse("events_admin:events"), icon_name="date", order=207, roles=(EVENT_STAFF,))


# For payments (which never imports events): see events/checkout.py ---------------------------


@hooks.register(TICKET_DETAILS_HOOK)
def ticket_details(item_references):
    from events.checkout import ticket_details as details

    return details(item_references)


@hooks.register(TICKETS_HOLD_EXTEND_HOOK)
def tickets_hold_extend(item_references):
    from events.checkout import tickets_hold_extend as extend

    return extend(item_references)


@hooks.register(SPONSORSHIP_TARGETS_HOOK, order=10)  # events before courses on the donation form
def sponsorable_events(page_ids=None):
    from events.checkout import sponsorship_targets

    return sponsorship_targets(page_ids)


@hooks.register(CERTIFICATE_SOURCES_HOOK)
def event_certificate_sources():
    from events.selectors import certificate_sources

    return certificate_sources()


@hooks.register(ACCOUNT_PANELS_HOOK)
def my_bookings_panel(request):
    from events.account import account_panel

    return account_panel(request)
