"""Refunds, made by Finance in the admin."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from core.audit import audit_record
from payments import gateway
from payments.models import Order, Payment, Refund
from core.money import format_money
from payments.services.settle import payment_refunds_apply


def _refund_row(*, payment: Payment, amount_minor: int | None, reason: str, actor, request_token: str) -> Refund:
    with transaction.atomic():
        Order.objects.select_for_update().get(pk=payment.order_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        existing = Refund.objects.filter(request_token=request_token).first()
        if existing is not None:
            return existing
        if payment.status not in Payment.REFUNDABLE:
            raise ValidationError("Only a payment that succeeded can be refunded.")
        if not reason.strip():
            raise ValidationError("Please give a reason for the refund.")
        pending = payment.refunds.filter(status=Refund.Status.PENDING).aggregate(total=Sum("amount_minor"))["total"]
        available = payment.refundable_minor - (pending or 0)
        amount = available if amount_minor is None else amount_minor
        if amount <= 0 or amount > available:
            raise ValidationError(
                f"You can refund between {format_money(1, payment.currency)} and "
                f"{format_money(max(available, 0), payment.currency)}."
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
        order = Order.objects.select_for_update().get(pk=refund.payment.order_id)
        refund = Refund.objects.select_for_update().select_related("payment").get(pk=refund.pk)
        if refund.status != Refund.Status.PENDING:
            return refund
        payment = Payment.objects.select_for_update().select_related("order").get(pk=refund.payment_id)
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
            from payments.services.settle import order_flag

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
