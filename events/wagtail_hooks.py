from zoneinfo import ZoneInfo

from django.urls import include, path, reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from wagtail import hooks

from accounts.roles import CHAPTER_ORGANISERS, EVENT_STAFF
from accounts.wagtail_hooks import RoleMenuItem
from core.hooks import (
    ACCOUNT_PANELS_HOOK,
    CALENDAR_FEEDS_HOOK,
    CERTIFICATE_SOURCES_HOOK,
    CHAPTER_LISTINGS_HOOK,
    HOME_LISTINGS_HOOK,
    PERIODIC_TASKS_HOOK,
    PERSONAL_DATA_HOOK,
    SEED_DEMO_HOOK,
    SEED_SCALE_HOOK,
    SPONSORSHIP_TARGETS_HOOK,
    TICKET_DETAILS_HOOK,
    TICKETS_HOLD_EXTEND_HOOK,
)
from events import admin_urls
from events.account import account_panel
from events.chapter import chapter_events_listing
from events.demo import seed_events as seed
from events.erasure import PERSONAL_DATA as events_personal_data
from events.for_payments import in_event_zone, registration_ids, sponsorship_targets
from events.for_payments import ticket_details as details
from events.models import EventIndexPage, EventPage
from events.scale import seed_events as seed_scale_events
from events.selectors import certificate_sources
from events.services import registrations_hold_extend
from events.tasks import event_reminders_send, events_housekeeping


@hooks.register(PERIODIC_TASKS_HOOK)
def housekeeping_task():
    return events_housekeeping


@hooks.register(PERIODIC_TASKS_HOOK)
def reminders_task():
    return event_reminders_send


@hooks.register(HOME_LISTINGS_HOOK)
def upcoming_events(request):
    events = (
        EventPage.objects.live().public().filter(ends_at__gte=timezone.now(), cancelled=False).order_by("starts_at")[:3]
    )
    # The day in the event's own zone, as every other page says it (the database holds UTC).
    items = [
        {
            "title": e.title,
            "url": e.url,
            "when": dateformat.format(e.starts_at.astimezone(ZoneInfo(e.time_zone)), "j F Y"),
        }
        for e in events
    ]
    index = EventIndexPage.objects.live().first() if items else None
    return {"title": _("Upcoming events"), "items": items, "more_url": index.url if index else None}


hooks.register(CHAPTER_LISTINGS_HOOK, chapter_events_listing, order=10)  # events first on a chapter's page


@hooks.register(SEED_DEMO_HOOK)
def seed_events(password):
    seed(password=password)


hooks.register(SEED_SCALE_HOOK, seed_scale_events, order=40)


@hooks.register("register_admin_urls")
def events_admin_urls():
    return [path("events/", include(admin_urls, namespace="events_admin"))]


@hooks.register("register_admin_menu_item")
def events_menu_item():
    return RoleMenuItem(
        "Events", reverse("events_admin:events"), icon_name="date", order=207, roles=(EVENT_STAFF, CHAPTER_ORGANISERS)
    )


# For payments (which never imports events): see events/for_payments.py ---------------------------


@hooks.register(TICKET_DETAILS_HOOK)
def ticket_details(item_references):
    return details(item_references)


@hooks.register(TICKETS_HOLD_EXTEND_HOOK)
def tickets_hold_extend(item_references):
    """More time to pay for the tickets we sold among these references; answers until when
    each one still held is held now (in its event's zone)."""
    ids = registration_ids(item_references)
    held = registrations_hold_extend(registration_ids=ids) if ids else []
    return [in_event_zone(registration.event, registration.reserved_until) for registration in held]


@hooks.register(SPONSORSHIP_TARGETS_HOOK, order=10)  # events before courses on the donation form
def sponsorable_events(page_ids=None):
    return sponsorship_targets(page_ids)


@hooks.register(CERTIFICATE_SOURCES_HOOK)
def event_certificate_sources():
    return certificate_sources()


@hooks.register(ACCOUNT_PANELS_HOOK)
def my_bookings_panel(request):
    return account_panel(request)


@hooks.register(CALENDAR_FEEDS_HOOK, order=20)
def my_bookings_feed(token: str) -> dict:
    return {"key": "bookings", "label": _("My bookings"), "path": reverse("events:my_feed", args=[token])}


@hooks.register(PERSONAL_DATA_HOOK)
def personal_data():
    return events_personal_data
