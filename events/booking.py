"""What a visitor may book on an event right now: pure reads for the booking page and the
event page. They only decide what to *show*: `events.services` decides, under the event's
lock, what is actually sold (and hands places that cost to payments' checkout)."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events.availability import ticket_types_with_places
from events.prices import needs_payment, price_text


@dataclass
class TicketOption:
    ticket_type: object
    places_left: int
    price: str
    on_sale: bool

    @property
    def label(self) -> str:
        if not self.places_left:
            return _("%(ticket_type)s: %(price)s, sold out") % {
                "ticket_type": self.ticket_type.name,
                "price": self.price,
            }
        return ngettext(
            "%(ticket_type)s: %(price)s, %(count)s place left",
            "%(ticket_type)s: %(price)s, %(count)s places left",
            self.places_left,
        ) % {"ticket_type": self.ticket_type.name, "price": self.price, "count": self.places_left}


@dataclass
class BookingState:
    """`status` is one of: open, sold_out, not_open, closed, cancelled. `places_left` is the
    one number of places the event page and the booking page both say (see `places_on_sale`)."""

    status: str
    options: list[TicketOption]
    opens_at: object = None
    places_left: int = 0
    currency: str = ""  # of the prices shown ("" when none is)

    @property
    def bookable(self) -> list[TicketOption]:
        return [o for o in self.options if o.on_sale and o.places_left > 0]

    @property
    def waitable(self) -> list[TicketOption]:
        return [o for o in self.options if o.on_sale and o.places_left == 0]


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
    # A hidden type (access codes only) is never offered here; its places are not on sale.
    ticket_types = [(t, left) for t, left in ticket_types if not t.hidden]
    # The chapter (for the currency) is read only when an amount has to be shown.
    shows_amount = any(needs_payment(t) or t.pay_what_you_can for t, _left in ticket_types)
    currency = event.currency if shows_amount else ""
    options = [
        TicketOption(
            ticket_type=ticket_type,
            places_left=places_left,
            price=price_text(ticket_type, currency),
            on_sale=ticket_type.on_sale_at(now),
        )
        for ticket_type, places_left in ticket_types
    ]
    state = BookingState("open", options, places_left=places_on_sale(options, overall), currency=currency)
    if not state.bookable:
        state.status = "sold_out" if state.waitable else "closed"
    return state
