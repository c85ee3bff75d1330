"""Refunds: made by Finance in the admin (`refund_create`), and of tickets the app that sold
them cancelled (`ticket_refunds_make`). Both move money."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.locking import for_update
from core.money import format_money
from payments import gateway
from payments.models import Order, OrderLine, Payment, Refund
from payments.services.settle import order_flag, payment_refunds_apply

logger = logging.getLogger(__name__)


def _refund_row(*, payment: Payment, amount_minor: int | None, reason: str, actor, request_token: str) -> Refund:
    with transaction.atomic():
        for_update(Order.objects.filter(pk=payment.order_id)).get()
        payment = for_update(Payment.objects.filter(pk=payment.pk)).get()
        existing = Refund.objects.filter(request_token=request_token).first()
        if existing is not None:
            return existing
        if payment.status not in Payment.REFUNDABLE:
            raise ValidationError(_("Only a payment that succeeded can be refunded."), code="not_refundable")
        if not reason.strip():
            raise ValidationError(_("Please give a reason for the refund."), code="reason")
        pending = payment.refunds.filter(status=Refund.Status.PENDING).aggregate(total=Sum("amount_minor"))["total"]
        available = payment.refundable_minor - (pending or 0)
        amount = available if amount_minor is None else amount_minor
        if amount <= 0 or amount > available:
            raise ValidationError(
                _("You can refund between %(least)s and %(most)s.")
                % {
                    "least": format_money(1, payment.currency),
                    "most": format_money(max(available, 0), payment.currency),
                },
                code="amount",
            )
        refund = Refund.objects.create(
            payment=payment,
            amount_minor=amount,
            reason=reason.strip()[:300],
            created_by=actor if actor is not None and actor.is_authenticated else None,
            request_token=request_token,
            idempotency_key=f"thrive-refund-token-{request_token}",
        )
        refund.idempotency_key = f"thrive-refund-{refund.pk}"
        refund.save(update_fields=["idempotency_key"])
        audit_record(actor=actor, action="refund.requested", obj=refund, payment=payment.pk, amount=amount)
        return refund


def refund_create(
    *, payment: Payment, reason: str, actor, request_token: str, amount_minor: int | None = None
) -> Refund:
    """MOVES MONEY (back to the card). Refund all that is left of a payment, or
    `amount_minor` of it, with a reason. The refund row is stored first; Stripe is then
    asked under the order's lock with the idempotency key `thrive-refund-<row id>`.
    `request_token` comes from the form shown to Finance, so a double click (or a retry
    after Stripe was unreachable) finds the same row and refunds once. Refuses a payment
    that has not succeeded, an amount above what is left, and an empty reason. Raises
    PaymentsUnavailable when Stripe cannot be reached (the refund stays pending; submitting
    the same form again retries it)."""
    refund = _refund_row(
        payment=payment, amount_minor=amount_minor, reason=reason, actor=actor, request_token=request_token
    )
    if refund.status != Refund.Status.PENDING:
        return refund
    with transaction.atomic():
        order = for_update(Order.objects.filter(pk=refund.payment.order_id)).get()
        refund = for_update(Refund.objects.select_related("payment").filter(pk=refund.pk)).get()
        if refund.status != Refund.Status.PENDING:
            return refund
        payment = for_update(Payment.objects.select_related("order").filter(pk=refund.payment_id)).get()
        try:
            result = gateway.refund_create(
                payment_intent_id=payment.stripe_payment_intent_id,
                amount_minor=refund.amount_minor,
                refund_reference=f"R{refund.pk}",
                idempotency_key=refund.idempotency_key,
            )
        except (gateway.CardDeclined, gateway.PaymentGatewayError):
            refund.status = Refund.Status.FAILED
            refund.save(update_fields=["status"])
            order_flag(order=order, reason=Order.Attention.REFUND_FAILED)
            audit_record(actor=actor, action="refund.failed", obj=refund)
            return refund
        refund.stripe_refund_id = result.id
        refund.status = Refund.Status.SUCCEEDED if result.status in ("succeeded", "pending") else Refund.Status.FAILED
        refund.save(update_fields=["stripe_refund_id", "status"])
        if refund.status == Refund.Status.SUCCEEDED:
            payment_refunds_apply(payment=payment, amount_refunded=payment.amount_refunded_minor + refund.amount_minor)
        audit_record(actor=actor, action=f"refund.{refund.status}", obj=refund, amount=refund.amount_minor)
    return refund


def ticket_refunds_make(*, item_references: list[str], reason: str) -> dict[str, int]:
    """MOVES MONEY (back to cards). Refund the ticket line of each reference in a paid order
    (the app that sold them cancelled them, and passes only tickets paid online): the
    ticket's own order line amount, through `refund_create` with the request token
    `ticket-line-<line id>`, so the refund row and its idempotency key are the same however
    often this runs, and a second run finds the refund already made. A refund Stripe refuses,
    or one larger than what is left (Finance refunded part by hand), flags the order for
    Finance. Returns counts of refunded, already refunded, skipped (no paid ticket line) and
    unavailable (Stripe could not be reached: the task tries again later)."""
    counts = {"refunded": 0, "already": 0, "skipped": 0, "unavailable": 0}
    lines = OrderLine.objects.filter(
        kind=OrderLine.Kind.TICKET,
        item_reference__in=list(item_references),
        order__status__in=[Order.Status.PAID, Order.Status.PARTLY_REFUNDED],
    ).select_related("order")
    counts["skipped"] = len(item_references) - len(lines)
    for line in lines:
        token = f"ticket-line-{line.pk}"
        if Refund.objects.filter(request_token=token, status=Refund.Status.SUCCEEDED).exists():
            counts["already"] += 1
            continue
        payment = line.order.payments.filter(status__in=Payment.REFUNDABLE).order_by("-pk").first()
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
                    order=for_update(Order.objects.filter(pk=line.order_id)).get(), reason=Order.Attention.REFUND_FAILED
                )
            counts["skipped"] += 1
            continue
        counts["refunded" if refund.status == Refund.Status.SUCCEEDED else "skipped"] += 1
    return counts
