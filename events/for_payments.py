"""What events answers to payments: the references of its tickets on order lines, the ticket
lines it asks payments to charge, and what payments' pages show of a ticket or of an event a
gift can fund.

Payments never imports events (DESIGN): an order line for a ticket carries the reference
"registration:<id>" that events makes here and reads back here, and everything payments needs
to know about a ticket (its price and description when ordering, its title, code, page and
hold on the checkout pages, whether a paid one was confirmed) is handed over as plain values.
Events calls payments' checkout directly (`events.services.selling.booking_place`); payments
answers back through the signals received in `events/receivers.py` and the hooks registered in
`events/wagtail_hooks.py` (contracts in `core/hooks.py`).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from events.links import ticket_path
from events.models import EventPage, Registration
from events.prices import event_place_minor
from payments.links import checkout_url
from payments.models import Order, OrderLine
from payments.services import TicketLine
from payments.sponsorship import SponsorshipTarget
from payments.tickets import TicketDetails, reference_ids

REFERENCE_PREFIX = "registration:"
SPONSORABLE_LISTED = 20


def registration_reference(registration) -> str:
    """The reference of a registration on payments' order lines."""
    return f"{REFERENCE_PREFIX}{registration.pk}"


def registration_ids(item_references) -> list[int]:
    """The registration ids among order-line references (others, not ours, are skipped)."""
    return reference_ids(item_references, REFERENCE_PREFIX)


def registrations_by_reference(item_references) -> dict[str, Registration]:
    """{reference: Registration} for the references that are registrations still on record."""
    ids = registration_ids(item_references)
    if not ids:  # a donation-only order, on every paid webhook: building the query costs ~0.6 ms
        return {}
    found = Registration.objects.filter(pk__in=ids).select_related("event")
    return {registration_reference(registration): registration for registration in found}


def ticket_lines(registrations) -> list[TicketLine]:
    """The order lines payments charges for these held registrations: each priced by its own
    `amount_minor` (set on the server when it was reserved). Refuses a registration that is
    not held for payment any more."""
    lines = []
    for registration in registrations:
        if registration.status != Registration.Status.RESERVED or registration.amount_minor <= 0:
            raise ValidationError(
                _("One of these places is no longer held for payment. Please book again."), code="not_held"
            )
        lines.append(
            TicketLine(
                item_reference=registration_reference(registration),
                amount_minor=registration.amount_minor,
                description=f"{registration.ticket_type.name}: {registration.event.title}",
            )
        )
    return lines


def ticket_details(item_references: list[str]) -> dict[str, TicketDetails]:
    """What payments' confirmation and checkout pages show of each ticket we sold."""
    details = {}
    for reference, registration in registrations_by_reference(item_references).items():
        details[reference] = TicketDetails(
            title=registration.event.title,
            url=ticket_path(registration),
            code=registration.code,
            confirmed=registration.status in (Registration.Status.CONFIRMED, Registration.Status.CHECKED_IN),
            held_until=in_event_zone(registration.event, registration.reserved_until),
        )
    return details


def in_event_zone(event, moment: datetime | None) -> datetime | None:
    """`moment` in the event's own time zone: payments' pages show hold times as the event
    reads them, and name that zone (its `tzinfo.key`)."""
    return moment.astimezone(ZoneInfo(event.time_zone)) if moment else None


def pending_checkout_url(registration) -> str | None:
    """Where a held, unpaid registration can still be paid ("Pay now" on the ticket page): the
    checkout of the open order that holds it, while its hold lasts; else None."""
    if registration.status != Registration.Status.RESERVED or not registration.reserved_until:
        return None
    if registration.reserved_until <= timezone.now():
        return None
    line = (
        OrderLine.objects.filter(
            item_reference=registration_reference(registration), order__status__in=Order.OPEN_STATES
        )
        .select_related("order")
        .order_by("-pk")
        .first()
    )
    return checkout_url(line.order) if line else None


def paid_online(registration) -> bool:
    """Was this ticket paid by card through payments (not at the door, not free)?"""
    return registration.paid_at is not None and not registration.paid_at_door and registration.amount_minor > 0


# Sponsorship ---------------------------------------------------------------------------------


def sponsorship_targets(page_ids: list[int] | None = None) -> list[SponsorshipTarget]:
    """Events a gift can fund places at: with `page_ids` None, the live, public, upcoming,
    not cancelled events with funded tickets (soonest first, at most 20); else those of
    `page_ids` that are events."""
    events = EventPage.objects.select_related("chapter").prefetch_related("ticket_types")
    if page_ids is None:
        events = (
            events.live()
            .public()
            .filter(cancelled=False, ends_at__gt=timezone.now(), ticket_types__funded=True, ticket_types__hidden=False)
            .distinct()
            .order_by("starts_at")[:SPONSORABLE_LISTED]
        )
    else:
        events = events.filter(pk__in=page_ids)
    return [
        SponsorshipTarget(
            page_id=event.pk,
            label=_("Funded places at %(title)s") % {"title": event.title},
            place_minor=event_place_minor(event),
            currency=event.currency,
        )
        for event in events
    ]
