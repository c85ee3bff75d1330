"""What a ticket costs, decided on the server, and how a price is said. Pure: takes ticket
types and events, returns values (no queries beyond the event's chapter for its currency)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.money import format_money


def ticket_amount(ticket_type, amount_minor: int | None = None) -> int:
    """What one place costs, in minor units, decided on the server: the set price, or for pay
    what you can the amount chosen (at least the minimum). Funded and free places cost 0."""
    if ticket_type.funded:
        return 0
    if ticket_type.pay_what_you_can:
        chosen = ticket_type.minimum_minor if amount_minor is None else int(amount_minor)
        if chosen < ticket_type.minimum_minor:
            raise ValidationError(
                _("The least you can pay for '%(ticket_type)s' is %(amount)s.")
                % {
                    "ticket_type": ticket_type.name,
                    "amount": format_money(ticket_type.minimum_minor, ticket_type.event.currency),
                },
                code="amount",
            )
        return chosen
    return ticket_type.price_minor


def needs_payment(ticket_type) -> bool:
    """Does booking this ticket type take a payment? Free and funded ones do not; pay what you
    can only when its least amount is above 0 (else 0 can be booked)."""
    if ticket_type.funded or ticket_type.is_free:
        return False
    if ticket_type.pay_what_you_can:
        return ticket_type.minimum_minor > 0
    return ticket_type.price_minor > 0


def price_text(ticket_type, currency: str) -> str:
    """What a ticket costs, in words: "£12.00", "free", "pay what you can (at least £5.00)"
    ("at least £5.00" or "from £0.00" when the ticket's own name already says pay what you can)."""
    if ticket_type.funded:
        return _("funded place, free for survivors")
    if ticket_type.pay_what_you_can:
        least = format_money(ticket_type.minimum_minor, currency)
        amount = (
            _("at least %(amount)s") % {"amount": least}
            if ticket_type.minimum_minor
            else _("from %(amount)s") % {"amount": least}
        )
        if "pay what you can" in ticket_type.name.lower():  # the name (content, in English) says it already
            return amount
        return _("pay what you can (%(amount)s)") % {"amount": amount}
    if ticket_type.price_minor == 0:
        return _("free")
    return format_money(ticket_type.price_minor, currency)


def event_place_minor(event) -> int:
    """What one sponsored place costs on this event: the lowest price of its paid (not
    funded) tickets, the least amount for pay what you can; 0 when none has a price."""
    prices = [
        ticket_type.minimum_minor if ticket_type.pay_what_you_can else ticket_type.price_minor
        for ticket_type in event.ticket_types.all()
        if not ticket_type.funded and not ticket_type.hidden
    ]
    prices = [price for price in prices if price > 0]
    return min(prices) if prices else 0
