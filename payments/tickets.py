"""Where payments meets event bookings: confirming paid tickets, refunding cancelled
ones, and listing an order's tickets.

Events defines the contract (`events/signals.py`): payments sends `payment_succeeded`
with the paid registrations; the events receiver confirms each with
`registration_confirm_paid` and answers which it refused (the hold expired and the event
filled up, or the booking was cancelled). Those need a refund: no money is kept for a
place that does not exist. Events sends `event_cancelled` and `ticket_cancelled` after
commit; the receivers here queue the refunds of tickets paid online.
"""

import logging

from django.db import transaction
from django.dispatch import receiver

from events.signals import event_cancelled, ticket_cancelled

logger = logging.getLogger(__name__)


def tickets_confirm_paid(*, registrations: list) -> list[int]:
    """Confirm paid registrations through events; returns the ids events refused. Runs in
    the caller's transaction (confirming is idempotent). Moves no money, sends no email.
    With no receiver connected every registration counts as refused, so the order is
    flagged rather than silently kept."""
    from events.signals import payment_succeeded
    from payments.models import Order

    answers = [answer for _receiver, answer in payment_succeeded.send(sender=Order, registrations=registrations)]
    answers = [answer for answer in answers if isinstance(answer, dict)]
    if not answers:
        logger.error("no receiver confirmed %s paid registrations", len(registrations))
        return [registration.pk for registration in registrations]
    confirmed = {pk for answer in answers for pk in answer.get("confirmed", [])}
    return [registration.pk for registration in registrations if registration.pk not in confirmed]


def _refundable_payment(line):
    from payments.models import Payment

    return (
        line.order.payments.filter(status__in=[Payment.Status.SUCCEEDED, Payment.Status.PARTLY_REFUNDED])
        .order_by("-pk")
        .first()
    )


def ticket_refunds_make(*, registration_ids: list[int], reason: str) -> dict[str, int]:
    """MOVES MONEY. Refund the ticket line of each registration that was paid online (see
    `payments.tasks.ticket_refunds_send`). Idempotent: the refund's request token is
    `ticket-line-<line id>`, so a second run finds the refund already made. Returns counts
    of refunded, already refunded, skipped (not paid online) and unavailable (Stripe could
    not be reached: try again later)."""
    from django.core.exceptions import ValidationError

    from events.models import Registration
    from payments import gateway
    from payments.models import Order, OrderLine, Refund
    from payments.services import refund_create
    from payments.services.settle import order_flag

    counts = {"refunded": 0, "already": 0, "skipped": 0, "unavailable": 0}
    paid_online = Registration.objects.filter(
        pk__in=registration_ids, paid_at__isnull=False, paid_at_door=False, amount_minor__gt=0
    ).values_list("pk", flat=True)
    lines = OrderLine.objects.filter(
        kind=OrderLine.Kind.TICKET,
        registration_id__in=list(paid_online),
        order__status__in=[Order.Status.PAID, Order.Status.PARTLY_REFUNDED],
    ).select_related("order")
    counts["skipped"] = len(registration_ids) - len(lines)
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
    from events.links import ticket_path
    from events.models import Registration

    shown = []
    lines = order.lines.filter(registration__isnull=False).select_related("registration", "registration__event")
    for number, line in enumerate(lines, start=1):
        registration = line.registration
        confirmed = registration.status in (Registration.Status.CONFIRMED, Registration.Status.CHECKED_IN)
        shown.append(
            {
                "number": number,
                "event_title": registration.event.title,
                "code": registration.code if confirmed else "",
                "confirmed": confirmed,
                "url": ticket_path(registration),
            }
        )
    return shown


# Receivers: events tells us about cancellations after they have committed -------------------


def _queue_refunds(registration_ids: list[int], reason: str) -> None:
    from payments.tasks import ticket_refunds_send

    if registration_ids:
        transaction.on_commit(lambda: ticket_refunds_send.enqueue(registration_ids=registration_ids, reason=reason))


@receiver(event_cancelled, dispatch_uid="payments_refund_cancelled_event")
def refund_cancelled_event(sender, *, event, registrations, **kwargs) -> None:
    """An event was cancelled: queue the refund of every ticket paid online."""
    paid = [r.pk for r in registrations if r.paid_at is not None and not r.paid_at_door and r.amount_minor > 0]
    _queue_refunds(paid, "Event cancelled")


@receiver(ticket_cancelled, dispatch_uid="payments_refund_cancelled_ticket")
def refund_cancelled_ticket(sender, *, registration, **kwargs) -> None:
    """A holder cancelled their own ticket before the cut-off: queue its refund if paid online."""
    if registration.paid_at is not None and not registration.paid_at_door and registration.amount_minor > 0:
        _queue_refunds([registration.pk], "Ticket cancelled by its holder")
