"""Demo events for `manage.py seed_demo` (a `thrive_seed_demo` hook). Idempotent."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from cms.models import Chapter, HomePage
from events.models import EventIndexPage, EventPage, TicketType

EVENTS = [
    ("Survivor leadership gathering", "gathering", 10, False, False, "public", [("Free place", 0, False, 60)]),
    (
        "Fundraising supper",
        "fundraiser",
        24,
        False,
        False,
        "public",
        [("Supper ticket", 3500, False, 40), ("Funded place for survivors", 0, True, 10)],
    ),
    ("Online policy briefing", "workshop", 3, True, False, "public", [("Free place", 0, False, 200)]),
    ("Survivors' circle", "gathering", 5, False, True, "survivors", [("Place", 0, False, 12)]),
    ("Spring conference", "conference", -30, False, False, "public", [("Delegate", 0, False, 100)]),
]


def seed_events(*, password: str) -> None:
    del password
    home = HomePage.objects.first()
    index = home.get_children().filter(slug="events").first()
    if index is None:
        index = EventIndexPage(title="Events", slug="events", show_in_menus=True, intro="<p>Come and meet us.</p>")
        home.add_child(instance=index)
        index.save_revision().publish()
    index = index.specific
    uk = Chapter.objects.filter(slug="uk").first()
    zone = ZoneInfo("Europe/London")
    for title, kind, days, online, sensitive, audience, tickets in EVENTS:
        slug = title.lower().replace("'", "").replace(" ", "-")
        if index.get_children().filter(slug=slug).exists():
            continue
        day = timezone.localdate() + timedelta(days=days)
        start = datetime.combine(day, time(18), tzinfo=zone)
        event = EventPage(
            title=title,
            slug=slug,
            summary=f"{title}, organised by the UK chapter.",
            event_type=kind,
            chapter=uk,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            online=online,
            sensitive=sensitive,
            venue="" if online else "Community Hall, 1 High Street, London",
            online_link="https://meet.example.org/briefing" if online else "",
            audience=audience,
            capacity=sum(t[3] for t in tickets),
            accessibility="Step-free access; quiet room available.",
        )
        for name, price, funded, quantity in tickets:
            event.ticket_types.add(TicketType(name=name, price_minor=price, funded=funded, quantity=quantity))
        index.add_child(instance=event)
        event.save_revision().publish()
