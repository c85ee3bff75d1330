"""Where payments meets tickets sold by another app (events' bookings), without importing it.

A ticket line carries the selling app's own reference for the ticket
(`OrderLine.item_reference`, e.g. "registration:12"); payments stores it and hands it back,
never reads it. Payments tells the app an order was paid with `payments.signals.payment_succeeded`
and learns which tickets it refused (their hold expired and the event filled up, or the booking
was cancelled): those need a refund, so the order is flagged. The app asks for refunds of
cancelled tickets with `ticket_refunds_queue`. What the confirmation and checkout pages show of
each ticket comes from the app through one Wagtail hook:

    @hooks.register("thrive_ticket_details")
    def ticket_details(item_references: list[str]) -> dict[str, TicketDetails]:
        ...

which answers for the references its app owns (and leaves the others out). Reads only.
A payer who needs more time asks the app to hold its tickets longer through

    @hooks.register("thrive_tickets_hold_extend")
    def tickets_hold_extend(item_references: list[str]) -> list[datetime]:
        ...

which extends what it can and answers until when each ticket it still holds is held.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from wagtail import hooks

from core.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)

TICKET_DETAILS_HOOK = "thrive_ticket_details"
HOLD_EXTEND_HOOK = "thrive_tickets_hold_extend"


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
    from payments.models import OrderLine

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
    from payments.models import Order
    from payments.signals import payment_succeeded

    references = ticket_references(order)
    answers = payment_succeeded.send(sender=Order, order_reference=order.reference, item_references=references)
    answers = [answer for _receiver, answer in answers if isinstance(answer, dict)]
    if references and not answers:
        logger.error("no receiver confirmed the %s paid tickets of order %s", len(references), order.pk)
    confirmed = {reference for answer in answers for reference in answer.get("confirmed", [])}
    return [reference for reference in references if reference not in confirmed]


def _refundable_payment(line):
    from payments.models import Payment

    return line.order.payments.filter(status__in=Payment.REFUNDABLE).order_by("-pk").first()


def ticket_refunds_queue(*, item_references: list[str], reason: str) -> None:
    """Queue the refund of these tickets (after commit, as a task: see `ticket_refunds_send`).
    For the app that sold them, when it cancelled them (an event, or a holder's own ticket);
    it passes only tickets paid online (money taken at the door is returned by hand).
    Idempotent. Moves no money itself."""
    from payments.tasks import ticket_refunds_send

    item_references = list(item_references)
    if item_references:
        enqueue_on_commit(ticket_refunds_send, item_references=item_references, reason=reason)


def ticket_refunds_make(*, item_references: list[str], reason: str) -> dict[str, int]:
    """MOVES MONEY. Refund the ticket line of each reference in a paid order (see
    `payments.tasks.ticket_refunds_send`). Idempotent: the refund's request token is
    `ticket-line-<line id>`, so a second run finds the refund already made. Returns counts
    of refunded, already refunded, skipped (no paid ticket line) and unavailable (Stripe
    could not be reached: try again later)."""
    from django.core.exceptions import ValidationError

    from payments import gateway
    from payments.models import Order, OrderLine, Refund
    from payments.services import refund_create
    from payments.services.settle import order_flag

    counts = {"refunded": 0, "already": 0, "skipped": 0, "unavailable": 0}
    lines = OrderLine.objects.filter(
        kind=OrderLine.Kind.TICKET,
        item_reference__in=list(item_references),
        order__status__in=[Order.Status.PAID, Order.Status.PARTLY_REFUNDED],
    ).select_related("order")
    counts["skipped"] = len(item_references) - len(lines)
    for line in lines:
        token = f"ticket-line-{line.pk}"
        existing = Refund.objects.filter(request_token=token, status=Refund.Status.SUCCEEDED).exists()
        if existing:
            counts["already"] += 1
            continue
        payment = _refundable_payment(line)
        if payment is None:
            counts["already"] += 1  # refunded in full already (by Finance, or a retry)
            continue
        try:
            refund = refund_create(
                payment=payment, reason=reason, actor=None, request_token=token, amount_minor=line.amount_minor
            )
        except gateway.PaymentsUnavailable:
            logger.warning("ticket refund for order line %s waits: Stripe unavailable", line.pk)
            counts["unavailable"] += 1
            continue
        except ValidationError:
            # Less is left to refund than the ticket cost (Finance refunded part by hand).
            with transaction.atomic():
                order_flag(
                    order=Order.objects.select_for_update().get(pk=line.order_id), reason=Order.Attention.REFUND_FAILED
                )
            counts["skipped"] += 1
            continue
        counts["refunded" if refund.status == Refund.Status.SUCCEEDED else "skipped"] += 1
    return counts


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
        for answer in hooks.get_hooks(HOLD_EXTEND_HOOK):
            times.extend(answer(references))
    return min(times) if times else None
