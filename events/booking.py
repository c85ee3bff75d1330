"""What a visitor may book on an event right now, and the hand-over to online payment.

Pure reads for the booking page and the event page. They only decide what to *show*:
`events.services` decides, under the event's lock, what is actually sold.

Online payment (issue 7) is the payments app, which plugs in through two Wagtail hooks
(payments never imports events: events hands it plain values, see `events/checkout.py`):

    @hooks.register("thrive_checkout_url")
    def checkout_url(request, *, email, tickets, donation_minor=0, currency=None) -> str | None:
        ...

It is called with the booker's email, one `payments.services.TicketLine` per registration
that is RESERVED (held for the event's reservation minutes; several when a person books
several tickets: reference "registration:<id>", its `amount_minor`, a description), an
optional donation to add to the same payment (minor units), and the event's currency (ISO
4217, "USD": every amount is in it, and the order must be charged in it), and
returns the URL of a checkout page where their amounts plus the donation are paid, or None
if it cannot take this payment; it may raise ValidationError with a message for the person
(code "donation" when the donation is what it refused). It must not move money itself.

    @hooks.register("thrive_pending_checkout_url")
    def pending_checkout_url(item_reference) -> str | None:

answers the checkout address where a held registration (by its reference) can still be
paid ("Pay now" on the ticket page), or None. Payment is confirmed later by the
`payments.signals.payment_succeeded` signal (`events/receivers.py`). While no function is
registered, paid tickets are shown but cannot be booked online, and the pages say so; when
none gives a URL, the reservation is cancelled and nothing is charged.
"""

from dataclasses import dataclass

from django.utils import timezone
from wagtail import hooks

from events.availability import ticket_types_with_places
from events.prices import needs_payment, price_text

CHECKOUT_HOOK = "thrive_checkout_url"


def _checkout_hooks() -> list:
    return hooks.get_hooks(CHECKOUT_HOOK)


def online_payment_available() -> bool:
    return bool(_checkout_hooks())


def checkout_url(*, request, registrations, donation_minor: int = 0) -> str | None:
    """The first checkout URL a payments hook offers for these reservations (and the
    donation), or None. Raises ValidationError when a place is no longer held, and lets a
    hook's ValidationError (a message for the person) through."""
    from events.for_payments import ticket_lines

    registrations = list(registrations)
    tickets = ticket_lines(registrations)
    email = registrations[0].email if registrations else ""
    currency = registrations[0].event.currency if registrations else None
    for get_url in _checkout_hooks():
        url = get_url(request, email=email, tickets=tickets, donation_minor=donation_minor, currency=currency)
        if url:
            return url
    return None


def pending_checkout_url(registration) -> str | None:
    """Where a held, unpaid registration can still be paid, while its hold lasts; else None."""
    if registration.status != registration.Status.RESERVED or not registration.reserved_until:
        return None
    if registration.reserved_until <= timezone.now():
        return None
    from events.for_payments import registration_reference

    for get_url in hooks.get_hooks("thrive_pending_checkout_url"):
        url = get_url(registration_reference(registration))
        if url:
            return url
    return None


@dataclass
class TicketOption:
    ticket_type: object
    places_left: int
    price: str
    on_sale: bool
    bookable_online: bool

    @property
    def label(self) -> str:
        places = f"{self.places_left} place{'s' if self.places_left != 1 else ''} left"
        return f"{self.ticket_type.name}: {self.price}, {places if self.places_left else 'sold out'}"


@dataclass
class BookingState:
    """`status` is one of: open, sold_out, pay_offline (only paid tickets, and no online
    payment yet), not_open, closed, cancelled. `places_left` is the one number of places
    the event page and the booking page both say (see `places_on_sale`)."""

    status: str
    options: list[TicketOption]
    opens_at: object = None
    places_left: int = 0
    currency: str = ""  # of the prices shown ("" when none is)

    @property
    def bookable(self) -> list[TicketOption]:
        return [o for o in self.options if o.on_sale and o.bookable_online and o.places_left > 0]

    @property
    def waitable(self) -> list[TicketOption]:
        return [o for o in self.options if o.on_sale and o.bookable_online and o.places_left == 0]

    @property
    def paid_only_offline(self) -> list[TicketOption]:
        return [o for o in self.options if o.on_sale and not o.bookable_online]


def places_on_sale(options: list[TicketOption], capacity_left: int) -> int:
    """Places that can be booked now: what the ticket types on sale have left, never more than
    what is left of the event's capacity. The event page says this number, and the booking
    page's ticket choices add up to it (places of a type not on sale yet are not counted)."""
    return min(capacity_left, sum(option.places_left for option in options if option.on_sale))


def booking_state(event, now=None) -> BookingState:
    """What can be booked on `event` now (one query for the ticket types and their places;
    the chapter is read only when a price is shown)."""
    now = now or timezone.now()
    registration = event.registration_state(now)
    if registration != "open":
        return BookingState(
            registration, [], opens_at=event.registration_opens_at if registration == "not_open" else None
        )
    ticket_types, overall = ticket_types_with_places(event, now)
    # The chapter (for the currency) is read only when an amount has to be shown.
    shows_amount = any(needs_payment(t) or t.pay_what_you_can for t, _left in ticket_types)
    currency = event.currency if shows_amount else ""
    payments = online_payment_available()
    options = [
        TicketOption(
            ticket_type=ticket_type,
            places_left=places_left,
            price=price_text(ticket_type, currency),
            on_sale=ticket_type.on_sale_at(now),
            bookable_online=payments or not needs_payment(ticket_type),
        )
        for ticket_type, places_left in ticket_types
    ]
    state = BookingState("open", options, places_left=places_on_sale(options, overall), currency=currency)
    if not state.bookable:
        state.status = "sold_out" if state.waitable else "pay_offline" if state.paid_only_offline else "closed"
    return state
