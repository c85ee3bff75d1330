"""Where payments meets tickets sold by another app (events' bookings), without importing it.

A ticket line carries the selling app's own reference for the ticket
(`OrderLine.item_reference`, e.g. "registration:12"); payments stores it and hands it back,
never reads it. Payments tells the app an order was paid with `payments.signals.payment_succeeded`
and learns which tickets it refused (their hold expired and the event filled up, or the booking
was cancelled): those need a refund, so the order is flagged. The app asks for refunds of
cancelled tickets with `ticket_refunds_queue`. What the confirmation and checkout pages show of
each ticket, and longer holds for a payer who needs more time, come from the app through the
`TICKET_DETAILS_HOOK` and `TICKETS_HOLD_EXTEND_HOOK` hooks (contracts in core/hooks.py).
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from wagtail import hooks

from core.hooks import TICKET_DETAILS_HOOK, TICKETS_HOLD_EXTEND_HOOK
from core.tasks import enqueue_on_commit
from payments.models import Order, OrderLine
from payments.signals import payment_succeeded

logger = logging.getLogger(__name__)


def reference_ids(item_references, prefix: str) -> list[int]:
    """The ids in the references that start with `prefix` (an app's own, e.g. "registration:"),
    in order; references of other apps, or not ending in a number, are skipped."""
    ids = []
    for reference in item_references:
        number = reference.removeprefix(prefix)
        if reference.startswith(prefix) and number.isdigit():
            ids.append(int(number))
    return ids


@dataclass(frozen=True)
class TicketDetails:
    """One ticket as the app that sold it shows it on payments' pages."""

    title: str  # what the ticket is for (the event's title)
    url: str  # the ticket's own page
    code: str = ""  # the ticket code, once confirmed
    confirmed: bool = False
    # Until when the place is held for payment, in the selling app's time zone for it (the
    # event's): payments' pages show the time in that zone and name it (`tzinfo.key`).
    held_until: datetime | None = None


def ticket_references(order) -> list[str]:
    """The references of an order's ticket lines, in line order."""
    return list(order.lines.filter(kind=OrderLine.Kind.TICKET).values_list("item_reference", flat=True))


def ticket_details(item_references: list[str]) -> dict[str, TicketDetails]:
    """{reference: TicketDetails} from the apps that own these references. Reads only."""
    details: dict[str, TicketDetails] = {}
    if item_references:
        for answer in hooks.get_hooks(TICKET_DETAILS_HOOK):
            details |= answer(list(item_references))
    return details


def tickets_confirm_paid(*, order) -> list[str]:
    """Send `payment_succeeded` for an order that has just become paid; returns the ticket
    references no receiver confirmed (they need a refund). Runs in the caller's transaction
    (confirming is idempotent). Moves no money, sends no email. With no receiver connected
    every ticket counts as refused, so the order is flagged rather than silently kept."""
    references = ticket_references(order)
    answers = payment_succeeded.send(sender=Order, order_reference=order.reference, item_references=references)
    answers = [answer for _receiver, answer in answers if isinstance(answer, dict)]
    if references and not answers:
        logger.error("no receiver confirmed the %s paid tickets of order %s", len(references), order.pk)
    confirmed = {reference for answer in answers for reference in answer.get("confirmed", [])}
    return [reference for reference in references if reference not in confirmed]


def ticket_refunds_queue(*, item_references: list[str], reason: str) -> None:
    """Queue the refund of these tickets (after commit, as the task `ticket_refunds_make`).
    For the app that sold them, when it cancelled them (an event, or a holder's own ticket);
    it passes only tickets paid online (money taken at the door is returned by hand).
    Idempotent. Moves no money itself."""
    from payments.tasks import ticket_refunds_make  # payments.tasks imports the services, which import this module

    item_references = list(item_references)
    if item_references:
        enqueue_on_commit(ticket_refunds_make, item_references=item_references, reason=reason)


def tickets_of_order(order) -> list[dict]:
    """The tickets an order paid for, each with its own page (for the confirmation page)."""
    references = ticket_references(order)
    details = ticket_details(references)
    shown = []
    for reference in references:
        ticket = details.get(reference)
        if ticket is None:
            continue  # the app no longer knows it
        shown.append(
            {
                "number": len(shown) + 1,
                "title": ticket.title,
                "code": ticket.code if ticket.confirmed else "",
                "confirmed": ticket.confirmed,
                "url": ticket.url,
            }
        )
    return shown


def tickets_held_until(order) -> datetime | None:
    """The earliest time until which the order's tickets are held for payment, or None."""
    times = [ticket.held_until for ticket in ticket_details(ticket_references(order)).values() if ticket.held_until]
    return min(times) if times else None


def tickets_hold_extend(order) -> datetime | None:
    """Ask the apps that sold this order's tickets to hold them longer (within their own
    limits); the earliest time they are now held until, or None when none is held."""
    references = ticket_references(order)
    times: list[datetime] = []
    if references:
        for answer in hooks.get_hooks(TICKETS_HOLD_EXTEND_HOOK):
            times.extend(answer(references))
    return min(times) if times else None
