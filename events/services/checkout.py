"""From the booking page (or a waiting-list offer) to payment: places are reserved, and those
that cost something are handed to payments' checkout in one order, with any donation.

Events calls payments directly (DESIGN: that direction is allowed); payments confirms a paid
place later through `payments.signals.payment_succeeded` (`events/receivers.py`).

Not one transaction, on purpose: the places are reserved (and committed) first, then the
order is made; when payments refuses it (a donation outside the limits, a place already in
another checkout), every hold is released at once, each in its own transaction, so the
released places are on record as cancelled and back on sale.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy

from core.tasks import enqueue_on_commit
from events.for_payments import ticket_lines
from events.models import EventPage, Registration, TicketType, WaitingListEntry
from events.prices import ticket_amount
from events.services.selling import registration_cancel, registrations_reserve
from events.services.waiting_list import waiting_list_accept
from events.tasks import registration_confirmation_send
from payments.links import checkout_url
from payments.services import DonationChoice, order_create

Status = Registration.Status
DONATION_NEEDS_PAID_TICKET = gettext_lazy(
    "A donation can be added to paid tickets only. To give on its own, please use our donate page."
)


@dataclass
class Booked:
    """What a booking came to: its tickets (first one first), where to pay for them when they
    are held for payment, and, for an offer taken, why payment could not start (the place is
    then released)."""

    registrations: list[Registration]
    checkout_url: str = ""
    refusal: str = ""

    @property
    def first(self) -> Registration:
        return self.registrations[0]


def registrations_checkout_start(*, registrations: list[Registration], donation_minor: int = 0, user=None) -> str:
    """One order in payments for these held places (each priced by its own `amount_minor`)
    plus the donation, if any, in the event's currency; returns its checkout address. When
    payments refuses (ValidationError, code "donation" when the donation is what it refused),
    every hold is released (the places go back on sale) and the refusal raised. Moves no money."""
    try:
        order = order_create(
            email=registrations[0].email,
            tickets=ticket_lines(registrations),
            donation=DonationChoice(amount_minor=int(donation_minor)) if donation_minor else None,
            user=user,
            currency=registrations[0].event.currency,
        )
    except ValidationError:
        for registration in registrations:
            registration_cancel(registration=registration)
        raise
    return checkout_url(order)


def booking_place(
    *,
    event: EventPage,
    ticket_type: TicketType,
    email: str,
    quantity: int = 1,
    user=None,
    attendee_name: str = "",
    amount_minor: int | None = None,
    donation_minor: int = 0,
    now=None,
) -> Booked:
    """Book from the booking page: `quantity` places of one ticket type, all or none
    (`registrations_reserve` decides what may be sold). Places that cost nothing are confirmed
    and their confirmation emails queued; places that cost are held and handed to payments'
    checkout with the donation (`registrations_checkout_start`); places needing approval wait.
    Refuses a donation with places that cost nothing (code "donation"), and passes on the
    refusals of reserving (codes "amount", "quantity", "sold_out"...) and of payments."""
    paid = ticket_amount(ticket_type, amount_minor) > 0  # refuses an amount below the least, first
    if donation_minor and not paid:
        raise ValidationError(DONATION_NEEDS_PAID_TICKET, code="donation")
    # One transaction for the places and their confirmation emails' tasks (written inside it
    # when the queue is the database): a process stopped right after the commit, as a host
    # that dies, still leaves every confirmed place its email.
    with transaction.atomic():
        registrations = registrations_reserve(
            event=event,
            ticket_type=ticket_type,
            email=email,
            quantity=quantity,
            user=user,
            attendee_name=attendee_name,
            amount_minor=amount_minor,
            now=now,
        )
        booked = Booked(registrations)
        if booked.first.status == Status.CONFIRMED:
            for registration in registrations:
                enqueue_on_commit(registration_confirmation_send, registration_id=registration.pk)
    if booked.first.status == Status.RESERVED:
        booked.checkout_url = registrations_checkout_start(
            registrations=registrations, donation_minor=donation_minor, user=user
        )
    return booked


def waiting_list_offer_take(*, entry: WaitingListEntry, user=None, now=None) -> Booked:
    """Take an offered place (`waiting_list_accept`, whose refusal is raised): one that costs
    nothing is confirmed; a paid one goes to payments' checkout. When payments refuses, the
    place is released (back on sale) and `refusal` says why."""
    registration = waiting_list_accept(entry=entry, now=now)
    booked = Booked([registration])
    if registration.status == Status.RESERVED:
        try:
            booked.checkout_url = registrations_checkout_start(registrations=[registration], user=user)
        except ValidationError as error:
            booked.refusal = error.messages[0]
    return booked
