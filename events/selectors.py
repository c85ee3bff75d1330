"""Reads: for Event staff (the dashboard, sales per ticket type, check-in counts) and for the
selling rules and attendee pages (membership, a booking's tickets, the self-service deadline).

Counts follow `events.availability`: a place is held by a booking awaiting approval,
confirmed, checked in, or reserved and not expired, and by an open waiting-list offer.
Names shown are display names (the attendee name given, or the member's display name),
never email addresses.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Case, Count, F, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import MemberProfile
from accounts.roles import EVENT_STAFF
from core.codes import normalise_code
from events.availability import sponsored_places_of
from events.models import EventPage, Registration, TicketType, WaitingListEntry

Status = Registration.Status
ATTENDING = (Status.CONFIRMED, Status.CHECKED_IN)


def is_member(user) -> bool:
    """A signed-in person with a member profile that was not erased."""
    return user is not None and user.is_authenticated and MemberProfile.objects.active().filter(user=user).exists()


def booking_registrations(registration: Registration) -> list[Registration]:
    """Every ticket booked together with this one (itself included), oldest first."""
    if not registration.booking:
        return [registration]
    return list(
        Registration.objects.filter(event_id=registration.event_id, booking=registration.booking)
        .select_related("event", "ticket_type")
        .order_by("pk")
    )


def self_service_deadline(event: EventPage) -> datetime:
    """Until when attendees may cancel or pass on their own ticket."""
    return event.starts_at - timedelta(hours=event.self_service_cutoff_hours)


def _registration_counts(now) -> dict:
    return {
        "confirmed": Count("pk", filter=Q(status=Status.CONFIRMED)),
        "checked_in": Count("pk", filter=Q(status=Status.CHECKED_IN)),
        "pending": Count("pk", filter=Q(status=Status.PENDING)),
        "reserved": Count("pk", filter=Q(status=Status.RESERVED, reserved_until__gt=now)),
        "amount_minor": Sum("amount_minor", filter=Q(status__in=ATTENDING), default=0),
    }


def _waiting_counts(now) -> dict:
    return {
        "waiting": Count("pk", filter=Q(status=WaitingListEntry.Status.WAITING)),
        "offers": Count("pk", filter=Q(status=WaitingListEntry.Status.OFFERED, offered_until__gt=now)),
    }


@dataclass
class Sales:
    """Counts for one event or one ticket type of it."""

    capacity: int
    confirmed: int = 0
    checked_in: int = 0
    pending: int = 0
    reserved: int = 0
    amount_minor: int = 0
    waiting: int = 0
    offers: int = 0
    places_left: int = field(init=False, default=0)

    @property
    def sold(self) -> int:
        return self.confirmed + self.checked_in

    @property
    def held(self) -> int:
        return self.sold + self.pending + self.reserved + self.offers

    def finish(self, limit: int | None = None) -> "Sales":
        self.places_left = max(0, self.capacity - self.held)
        if limit is not None:
            self.places_left = min(self.places_left, limit)
        return self


def dashboard_order(*, now) -> QuerySet:
    """The ids of every event in the dashboard's order: upcoming (soonest first; an event is
    upcoming until it ends), then past (latest first). Ids only: sorting 5,000 whole page
    rows took 32 ms, their ids 2 ms."""
    upcoming = Q(ends_at__gte=now)
    return (
        EventPage.objects.annotate(
            is_past=Case(When(upcoming, then=Value(0)), default=Value(1)),
            upcoming_start=Case(When(upcoming, then=F("starts_at"))),
            past_start=Case(When(~upcoming, then=F("starts_at"))),
        )
        .order_by("is_past", F("upcoming_start").asc(nulls_last=True), F("past_start").desc(nulls_last=True), "pk")
        .values_list("pk", flat=True)
    )


def dashboard_events(*, now=None, event_ids: list[int] | None = None) -> list[tuple[EventPage, Sales]]:
    """The events of `event_ids` (every event, in `dashboard_order`, when None), in that
    order, each with its counts. Four queries however many events there are."""
    now = now or timezone.now()
    ids = list(dashboard_order(now=now)) if event_ids is None else list(event_ids)
    found = EventPage.objects.select_related("chapter").in_bulk(ids)
    events = [found[pk] for pk in ids if pk in found]
    by_event = {
        row.pop("event_id"): row
        for row in Registration.objects.filter(event_id__in=ids)
        .values("event_id")
        .annotate(**_registration_counts(now))
    }
    waiting = {
        row.pop("event_id"): row
        for row in WaitingListEntry.objects.filter(event_id__in=ids).values("event_id").annotate(**_waiting_counts(now))
    }
    return [
        (event, Sales(capacity=event.capacity, **by_event.get(event.pk, {}), **waiting.get(event.pk, {})).finish())
        for event in events
    ]


def event_sales(*, event: EventPage, now=None) -> tuple[Sales, list[tuple[TicketType, Sales]]]:
    """(the whole event's counts, [(ticket type, its counts)]). Places left per type are
    limited by both the type's quantity and what is left of the event's capacity."""
    now = now or timezone.now()
    ticket_types = list(event.ticket_types.all())
    by_type = {
        row.pop("ticket_type_id"): row
        for row in Registration.objects.filter(event=event)
        .values("ticket_type_id")
        .annotate(**_registration_counts(now))
    }
    waiting = {
        row.pop("ticket_type_id"): row
        for row in WaitingListEntry.objects.filter(event=event)
        .values("ticket_type_id")
        .annotate(**_waiting_counts(now))
    }
    total = Sales(capacity=event.capacity)
    for counts in list(by_type.values()) + list(waiting.values()):
        for name, value in counts.items():
            setattr(total, name, getattr(total, name) + value)
    total.finish()
    sponsored = sponsored_places_of(event)
    rows = [
        (
            ticket_type,
            Sales(
                capacity=ticket_type.quantity + sponsored.get(ticket_type.pk, 0),
                **by_type.get(ticket_type.pk, {}),
                **waiting.get(ticket_type.pk, {}),
            ).finish(limit=total.places_left),
        )
        for ticket_type in ticket_types
    ]
    return total, rows


def waiting_list_summary(*, event: EventPage) -> list[tuple[str, int]]:
    """[(status label, how many)] for every waiting-list status, in a fixed order."""
    counts = dict(WaitingListEntry.objects.filter(event=event).values_list("status").annotate(n=Count("pk")).order_by())
    return [(label, counts.get(value, 0)) for value, label in WaitingListEntry.Status.choices]


def attendee_label(registration: Registration) -> str:
    """What Event staff see for an attendee: the name given at booking, else the member's
    display name, else 'Guest'. Never the email address."""
    if registration.attendee_name:
        return registration.attendee_name
    profile = getattr(registration.user, "member_profile", None) if registration.user_id else None
    return getattr(profile, "display_name", "") or _("Guest")


def with_people(registrations):
    """A registration queryset with what `attendee_label` and the ticket type name need."""
    return registrations.select_related("ticket_type", "user__member_profile")


def check_in_counts(*, event: EventPage) -> dict[str, int]:
    """{"expected": confirmed or checked in, "in": checked in}. One query."""
    return Registration.objects.filter(event=event).aggregate(
        expected=Count("pk", filter=Q(status__in=ATTENDING)), checked_in=Count("pk", filter=Q(status=Status.CHECKED_IN))
    )


def recent_check_ins(*, event: EventPage, limit: int = 5) -> list[Registration]:
    return list(
        with_people(Registration.objects.filter(event=event, status=Status.CHECKED_IN)).order_by(
            "-checked_in_at", "-pk"
        )[:limit]
    )


def _ticket_matches(query: str) -> Q:
    """Tickets whose code starts with, or whose attendee name or holder's display name
    contains, `query`. Names through a subquery on member profiles (their trigram index), so
    the tickets themselves are found by the event's index, not by joining every account."""
    names = MemberProfile.objects.filter(display_name__icontains=query).values("user_id")
    matches = Q(attendee_name__icontains=query) | Q(user_id__in=names)
    if code := normalise_code(query):
        matches |= Q(code__startswith=code)
    return matches


def registrations_in_order(ids) -> list[Registration]:
    """The registrations of `ids`, in that order, with what `attendee_label` needs."""
    found = with_people(Registration.objects.all()).in_bulk(list(ids))
    return [found[pk] for pk in ids if pk in found]


def search_tickets(*, event: EventPage, query: str, limit: int = 10) -> list[Registration]:
    """Tickets of this event whose code starts with, or whose attendee name or member
    display name contains, what was typed. Ids first, people after: a search that joins the
    people while it looks made PostgreSQL scan every ticket of every event."""
    query = query.strip()[:80]
    if len(query) < 2:
        return []
    ids = Registration.objects.filter(_ticket_matches(query), event=event).order_by("attendee_name", "pk")
    return registrations_in_order(list(ids.values_list("pk", flat=True)[:limit]))


def event_bookings(*, event: EventPage, query: str = "") -> QuerySet:
    """The ids of every ticket of this event, latest booked first (for `registrations_in_order`
    once a page of them is chosen); narrowed, when `query` is given, as `search_tickets` narrows."""
    bookings = Registration.objects.filter(event=event).order_by("-created_at", "-pk")
    query = query.strip()[:80]
    if query:
        bookings = bookings.filter(_ticket_matches(query))
    return bookings.values_list("pk", flat=True)


def certificate_sources() -> dict[str, dict]:
    """Events with attendees checked in at the door, whose attendance can be certified in
    bulk (a hook for the certificates admin, which never imports events). Only tickets held
    by an account qualify: a certificate belongs to a person who can sign in to see it.
    Hours are the event's length times its dates; Event staff may issue them."""
    events = (
        EventPage.objects.filter(registrations__status=Status.CHECKED_IN, registrations__user__isnull=False)
        .distinct()
        .prefetch_related("extra_dates")
        .order_by("-starts_at")
    )
    sources = {}
    for event in events:
        dates = 1 + len(event.extra_dates.all())
        hours = Decimal(round((event.ends_at - event.starts_at).total_seconds() / 1800) * dates) / 2

        def qualifying(event=event, hours=hours):
            checked_in = Registration.objects.filter(
                event=event, status=Status.CHECKED_IN, user__isnull=False
            ).select_related("user")
            for registration in checked_in:
                yield {
                    "recipient": registration.user,
                    "source": registration,
                    "title": event.title,
                    "awarded_on": timezone.localtime(event.starts_at).date(),
                    "hours": hours,
                    "kind": "event",
                }

        sources[f"events.event:{event.pk}"] = {
            "label": f"{event.title} ({timezone.localtime(event.starts_at):%-d %B %Y}): attendance",
            "qualifying": qualifying,
            "roles": {EVENT_STAFF},
        }
    return sources


# Allocated places (access codes) ------------------------------------------------------------


def access_code_blocks(*, event: EventPage) -> list:
    """The event's access-code blocks for Event staff, each with `places` and `used` counts
    (one query)."""
    from events.models import AccessCodeBlock

    return list(
        AccessCodeBlock.objects.filter(event=event)
        .select_related("partner", "ticket_type")
        .annotate(places=Count("codes"), used=Count("codes", filter=Q(codes__used_at__isnull=False)))
        .order_by("-created_at", "-pk")
    )


def partner_allocations(partner) -> list[dict]:
    """Every access-code block given to `partner`, newest event first: counts only, never who
    used a code (see /work/notes/codes.md for the shape; the partner home lists these)."""
    from django.urls import reverse

    from events.models import AccessCodeBlock

    now = timezone.now()
    blocks = (
        AccessCodeBlock.objects.filter(partner=partner)
        .select_related("event", "ticket_type")
        .annotate(places=Count("codes"), used=Count("codes", filter=Q(codes__used_at__isnull=False)))
        .order_by("-event__starts_at", "-pk")
    )
    return [
        {
            "block_id": block.pk,
            "event_title": block.event.title,
            "event_url": block.event.url or "",
            "event_start": block.event.starts_at,
            "ticket_type_name": block.ticket_type.name,
            "places": block.places,
            "used": block.used,
            "expires_at": block.expires_at,
            "expired": block.expires_at <= now,
            "revoked": block.revoked_at is not None,
            "csv_url": reverse("events:access_codes_csv_partner", args=[block.pk]),
        }
        for block in blocks
    ]
