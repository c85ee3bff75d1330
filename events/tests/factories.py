from datetime import timedelta

import factory
from django.utils import timezone
from wagtail.models import Page

from events.models import EventIndexPage, EventPage, Registration, TicketType, WaitingListEntry


def event_index() -> EventIndexPage:
    existing = EventIndexPage.objects.first()
    if existing:
        return existing
    root = Page.get_first_root_node()
    home = root.get_children().first() or root
    return home.add_child(instance=EventIndexPage(title="Events", slug="events-test"))


def make_event(*, capacity: int = 10, tickets: list[dict] | None = None, **fields) -> EventPage:
    number = EventPage.objects.count() + 1
    start = timezone.now() + timedelta(days=7)
    event = EventPage(
        title=fields.pop("title", f"Event {number}"),
        slug=f"event-{number}",
        summary="A gathering",
        starts_at=fields.pop("starts_at", start),
        ends_at=fields.pop("ends_at", start + timedelta(hours=2)),
        capacity=capacity,
        **fields,
    )
    for spec in tickets or [{"name": "Free", "quantity": capacity}]:
        event.ticket_types.add(TicketType(**spec))
    event_index().add_child(instance=event)
    return event


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A confirmed, free ticket for `event` (pass event=...; the ticket type defaults to the
    event's first)."""

    class Meta:
        model = Registration

    email = factory.Sequence(lambda n: f"attendee{n}@example.org")
    attendee_name = factory.Sequence(lambda n: f"Attendee {n}")
    status = Registration.Status.CONFIRMED
    confirmed_at = factory.LazyFunction(timezone.now)
    ticket_type = factory.LazyAttribute(lambda registration: registration.event.ticket_types.first())


class WaitingListEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WaitingListEntry

    email = factory.Sequence(lambda n: f"waiting{n}@example.org")
    ticket_type = factory.LazyAttribute(lambda entry: entry.event.ticket_types.first())
