"""Demo events for `manage.py seed_demo` (a `thrive_seed_demo` hook). Idempotent: an event
whose slug exists is left as it is, so running it again changes and duplicates nothing.

Six events: past and upcoming, free and paid (one pay what you can), online and in person,
in two chapters, one sensitive survivors-only event, one that repeats on further dates, and
two with co-hosts (the demo's partner organisations).
"""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import User
from certificates.models import Certificate
from certificates.services import certificate_issue
from cms.models import Chapter, HomePage, PartnerOrganisation
from events.models import EventDate, EventIndexPage, EventPage, Registration, TicketType
from events.page_permissions import grant_event_staff_on

VENUE = "Community Hall, 1 High Street, London"


def ticket(name: str, quantity: int, **fields) -> dict:
    return {"name": name, "quantity": quantity} | fields


PARTNER_CODE_TICKET = "Funded place (partner code)"
PARTNER_CODE_EVENT, PARTNER_CODE_PARTNER, PARTNER_CODE_PLACES = "fundraising-supper", "Safe Harbour Trust", 10

EVENTS = [
    {
        "title": "Survivor leadership gathering",
        "event_type": "gathering",
        "in_days": 10,
        "co_hosts": ["Safe Harbour Trust", "Freedom Routes"],
        "tickets": [ticket("Free place", 60)],
    },
    {
        "title": "Fundraising supper",
        "event_type": "fundraiser",
        "in_days": 24,
        "tickets": [
            ticket("Supper ticket", 40, price_minor=3500),
            ticket("Funded place for survivors", 10, funded=True),
            # Allocated places (issue 19): booked only with one of Safe Harbour Trust's codes.
            ticket(PARTNER_CODE_TICKET, 10, funded=True, hidden=True),
        ],
    },
    {
        "title": "Online policy briefing",
        "event_type": "workshop",
        "in_days": 3,
        "online": True,
        "tickets": [ticket("Free place", 200)],
    },
    {
        "title": "Survivors' circle",
        "event_type": "gathering",
        "in_days": 5,
        "sensitive": True,
        "audience": "survivors",
        "venue": "Room 3, Riverside Centre, 20 Mill Lane, London",
        "tickets": [ticket("Place", 12)],
    },
    {
        "title": "Spring conference",
        "event_type": "conference",
        "in_days": -30,
        "tickets": [ticket("Delegate", 100)],
    },
    {
        "title": "Speaking up: a four-week workshop",
        "slug": "speaking-up-workshop",
        "event_type": "workshop",
        "chapter": "us",
        "in_days": 8,
        "hour": 19,
        "hours": 2,
        "online": True,
        "weekly_repeats": 3,
        "co_hosts": ["Bridges Legal Clinic"],
        "summary": "Four weekly evenings on speaking in public, online with the US chapter. One booking covers all.",
        "tickets": [
            ticket("Pay what you can", 25, price_minor=2000, pay_what_you_can=True, minimum_minor=0),
            ticket("Funded place for survivors", 15, funded=True),
        ],
    },
]


def event_index() -> EventIndexPage:
    home = HomePage.objects.first()
    index = home.get_children().filter(slug="events").first()
    if index is None:
        index = EventIndexPage(title="Events", slug="events", show_in_menus=True, intro="<p>Come and meet us.</p>")
        home.add_child(instance=index)
        index.save_revision().publish()
    grant_event_staff_on(index)  # the receiver did so for a new index; an older demo's gets them here
    return index.specific


def demo_event(spec: dict, chapters: dict) -> EventPage:
    """An unsaved event (with its ticket types and further dates) built from a spec above."""
    chapter = chapters.get(spec.get("chapter", "uk"))
    zone_name = chapter.time_zone if chapter else "Europe/London"
    online = spec.get("online", False)
    day = timezone.localdate() + timedelta(days=spec["in_days"])
    at = time(spec.get("hour", 18), tzinfo=ZoneInfo(zone_name))
    start = datetime.combine(day, at)
    length = timedelta(hours=spec.get("hours", 3))
    tickets = spec["tickets"]
    event = EventPage(
        title=spec["title"],
        slug=spec.get("slug") or spec["title"].lower().replace("'", "").replace(" ", "-"),
        summary=spec.get("summary") or f"{spec['title']}, organised by the {chapter.slug.upper()} chapter.",
        event_type=spec["event_type"],
        chapter=chapter,
        time_zone=zone_name,
        starts_at=start,
        ends_at=start + length,
        online=online,
        sensitive=spec.get("sensitive", False),
        venue="" if online else spec.get("venue", VENUE),
        online_link="https://meet.example.org/briefing" if online else "",
        audience=spec.get("audience", "public"),
        capacity=sum(t["quantity"] for t in tickets),
        accessibility="Step-free access; quiet room available." if not online else "Live captions; cameras optional.",
    )
    for fields in tickets:
        event.ticket_types.add(TicketType(**fields))
    event.partners = list(PartnerOrganisation.objects.filter(name__in=spec.get("co_hosts", [])))
    for week in range(1, spec.get("weekly_repeats", 0) + 1):
        repeat = datetime.combine(day + timedelta(weeks=week), at)  # same local time, whatever the clocks do
        event.extra_dates.add(EventDate(starts_at=repeat, ends_at=repeat + length))
    return event


def seed_events(*, password: str) -> None:
    del password
    index = event_index()
    chapters = {chapter.slug: chapter for chapter in Chapter.objects.all()}
    existing = set(index.get_children().values_list("slug", flat=True))
    for spec in EVENTS:
        event = demo_event(spec, chapters)
        if event.slug in existing:
            continue
        index.add_child(instance=event)
        event.save_revision().publish()
    seed_member_bookings()
    seed_access_codes()


def seed_access_codes() -> None:
    """Safe Harbour Trust's 10 access codes for the fundraising supper's hidden funded places
    (issue 19): its contact (partner@thrive.example) downloads them from the partner home;
    Event staff see them on the event's Access codes screen. Idempotent."""
    from events.models import AccessCodeBlock
    from events.services import access_code_block_create

    event = EventPage.objects.filter(slug=PARTNER_CODE_EVENT).first()
    partner = PartnerOrganisation.objects.filter(name=PARTNER_CODE_PARTNER).first()
    if event is None or partner is None or AccessCodeBlock.objects.filter(event=event, partner=partner).exists():
        return
    ticket_type = event.ticket_types.filter(name=PARTNER_CODE_TICKET, hidden=True).first()
    if ticket_type is None or event.starts_at <= timezone.now() + timedelta(days=2):
        return
    access_code_block_create(
        event=event,
        partner=partner,
        ticket_type=ticket_type,
        places=PARTNER_CODE_PLACES,
        expires_at=event.starts_at - timedelta(days=1),
        actor=None,
    )


DEMO_MEMBER_EMAIL = "member@thrive.example"


def seed_member_bookings() -> None:
    """The demo member's own bookings, so their account page has something to show: a ticket
    for the next gathering, and the spring conference they attended, with its attendance
    certificate. Idempotent: a booking is made only if the member has none for that event,
    and `certificate_issue` issues once per ticket."""
    member = User.objects.filter(email=DEMO_MEMBER_EMAIL).first()
    if member is None:
        return
    now = timezone.now()
    bookings = [
        ("survivor-leadership-gathering", Registration.Status.CONFIRMED),
        ("spring-conference", Registration.Status.CHECKED_IN),
    ]
    for slug, status in bookings:
        event = EventPage.objects.filter(slug=slug).first()
        if event is None:
            continue
        registration = Registration.objects.filter(event=event, user=member).first()
        if registration is None:
            registration = Registration.objects.create(
                event=event,
                ticket_type=event.ticket_types.first(),
                user=member,
                email=member.email,
                status=status,
                confirmed_at=now,
                checked_in_at=event.starts_at if status == Registration.Status.CHECKED_IN else None,
            )
        if registration.status == Registration.Status.CHECKED_IN:
            certificate_issue(
                recipient=member,
                source=registration,
                title=event.title,
                awarded_on=timezone.localtime(event.starts_at).date(),
                hours=Decimal((event.ends_at - event.starts_at).total_seconds() / 3600),
                kind=Certificate.Kind.EVENT,
            )
