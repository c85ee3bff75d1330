"""The attendee's panel on the account page (the `thrive_account_panels` hook, see
accounts/views.py): bookings coming up, each linking to its ticket page, and the way to My
bookings and its private calendar feed (made on the account's calendar page)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from events import links
from events.models import EventIndexPage, Registration
from events.occurrences import moment_text

PANEL_LIMIT = 5


def account_panel(request) -> dict | None:
    user = request.user
    if not user.is_authenticated:
        return None
    upcoming = list(
        Registration.objects.filter(user=user, event__ends_at__gte=timezone.now())
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("event", "ticket_type")
        .order_by("event__starts_at", "pk")[:PANEL_LIMIT]
    )
    items = [
        {
            "title": registration.event.title,
            "url": links.ticket_path(registration),
            "detail": f"{moment_text(registration.event, registration.event.starts_at)} · "
            f"{registration.ticket_type.name} · {registration.get_status_display()}"
            + (" · " + _("the event has been cancelled") if registration.event.cancelled else ""),
        }
        for registration in upcoming
    ]
    panel_links = [
        {"label": _("All my bookings and tickets"), "url": reverse("events:my_bookings")},
        {"label": _("Calendar feed of my bookings"), "url": reverse("accounts:calendar")},
    ]
    index = EventIndexPage.objects.live().public().first()
    if index is not None:
        panel_links.append({"label": _("Find an event"), "url": index.url})
    return {
        "key": "bookings",
        "title": _("My bookings"),
        "order": 20,
        "items": items,
        "empty": _("You have no bookings coming up. Events you book while signed in appear here."),
        "links": panel_links,
    }
