"""Settling payments: the one state machine the webhook, the checkout and the
reconciliation task all go through.

`payment_settle` re-fetches the PaymentIntent from Stripe (a webhook payload is only a
trigger), then, under row locks on the order and the payment (order first, always),
moves them forward. Rules, whatever order events arrive in and however often:
- succeeded beats failed: a failure never undoes a success;
- a success whose amount or currency differs from the order leaves the order unpaid and
  flags it for Finance;
- on success, `payments.signals.payment_succeeded` is sent with the ticket lines' references
  (events confirms its registrations); a ticket no receiver confirmed (its place no longer
  exists) flags the order for a refund and alerts Finance;
- donations are recorded once (one per order line), the receipt is sent once;
- refunds are applied only to a payment that succeeded (a refund implies success, so an
  early refund event first settles the success).
"""

import logging

from django.db import transaction
from django.utils import timezone

from core.audit import audit_record
from core.locking import for_update
from core.tasks import enqueue_on_commit
from payments import gateway
from payments.models import Donation, Order, OrderLine, Payment
from payments.services.giving import campaign_totals_forget_after_commit, sponsored_places_recount_after_commit
from payments.signals import donation_recorded, donation_refunded, payment_refunded
from payments.tickets import ticket_references, tickets_confirm_paid

logger = logging.getLogger(__name__)

FAILED_INTENT_STATES = {"requires_payment_method": Payment.Status.FAILED, "canceled": Payment.Status.CANCELLED}


def order_flag(*, order: Order, reason: str) -> None:
    """Mark an order as needing Finance (call under the order's lock). Alerts Finance by
    email after commit, once per reason; the alert holds the order reference only."""
    if order.attention_reason == reason:
        return
    order.attention_reason = reason
    order.save(update_fields=["attention_reason", "updated_at"])
    audit_record(actor=None, action="order.flagged", obj=order, reason=reason)
    logger.warning("order %s flagged: %s", order.pk, reason)
    from payments.tasks import finance_alert_send  # payments.tasks imports the services

    enqueue_on_commit(finance_alert_send, order_id=order.pk, reason=reason)


def _locked(payment_intent_id: str, state: gateway.IntentState) -> tuple[Order, Payment] | None:
    """Lock the order, then its payment for this PaymentIntent (order first, always): two
    statements when the payment is recorded (a paid webhook settles in 11 statements or fewer:
    test_webhooks; the lock wait is bounded by the connection's lock_timeout, no extra statement)."""
    orders = for_update(Order.objects.all(), of=("self",))
    order = orders.filter(payments__stripe_payment_intent_id=payment_intent_id).first()
    if order is not None:
        return order, for_update(Payment.objects.all()).get(stripe_payment_intent_id=payment_intent_id)
    # Stripe knows a payment we have not recorded (the checkout's commit lost, or the
    # webhook came first): find the order by the reference we gave Stripe.
    order = orders.filter(reference=state.metadata.get("order", "")).first()
    if order is None:
        return None
    # Payments are created only under their order's lock, so this read, made holding it,
    # sees any that a concurrent settle or checkout committed.
    payment = for_update(Payment.objects.filter(stripe_payment_intent_id=payment_intent_id)).first()
    if payment is None:
        payment = Payment.objects.create(
            order=order,
            stripe_payment_intent_id=payment_intent_id,
            idempotency_key=f"thrive-found-{payment_intent_id}",
            amount_minor=order.total_minor,
            currency=order.currency,
        )
    return order, payment


def payment_settle(
    *, payment_intent_id: str, state: gateway.IntentState | None = None, now=None
) -> gateway.IntentState | None:
    """Ask Stripe about a PaymentIntent and apply what it says (see the module docstring).
    `state` is Stripe's answer when the caller has just had it from Stripe's API itself (the
    checkout's confirm call, reconciliation's list), which saves asking again; never a webhook
    payload. Idempotent
    and safe to run concurrently. Moves no money; may email Finance and the payer (after
    commit). Returns Stripe's state, or None for a PaymentIntent that is not ours. Raises
    PaymentsUnavailable when Stripe cannot be reached (nothing changes)."""
    if state is None or state.id != payment_intent_id:
        state = gateway.payment_intent_retrieve(payment_intent_id)
    now = now or timezone.now()
    # No savepoint: nothing in here is caught and retried, an error undoes the caller's
    # whole transaction (the webhook's event row with it, so Stripe's retry is handled).
    with transaction.atomic(savepoint=False):
        found = _locked(payment_intent_id, state)
        if found is None:
            logger.info("payment intent %s is not one of our orders", payment_intent_id)
            return None
        order, payment = found
        if state.status == "succeeded":
            _apply_success(order, payment, state, now)
        elif state.status in FAILED_INTENT_STATES:
            _apply_failure(order, payment, state)
        elif state.status == "requires_action" and payment.status == Payment.Status.CREATED:
            payment.status = Payment.Status.REQUIRES_ACTION
            payment.save(update_fields=["status", "updated_at"])
    return state


def _apply_failure(order: Order, payment: Payment, state: gateway.IntentState) -> None:
    if payment.status in Payment.PAID_STATES or payment.status in (Payment.Status.FAILED, Payment.Status.CANCELLED):
        return  # succeeded beats failed; a failure is recorded once
    payment.status = FAILED_INTENT_STATES[state.status]
    payment.failure_message = (state.failure_message or gateway.DEFAULT_DECLINE_MESSAGE)[:300]
    payment.save(update_fields=["status", "failure_message", "updated_at"])
    if order.status == Order.Status.OPEN:
        order.status = Order.Status.FAILED
        order.save(update_fields=["status", "updated_at"])
    audit_record(actor=None, action=f"payment.{payment.status}", obj=payment, order=order.pk)


def _apply_success(order: Order, payment: Payment, state: gateway.IntentState, now) -> None:
    if payment.status in Payment.PAID_STATES:
        return
    payment.status = Payment.Status.SUCCEEDED
    payment.succeeded_at = now
    payment.failure_message = ""
    payment.save(update_fields=["status", "succeeded_at", "failure_message", "updated_at"])
    audit_record(actor=None, action="payment.succeeded", obj=payment, order=order.pk)
    if state.amount != order.total_minor or state.currency != order.currency:
        # Money arrived that does not match what we sold: keep the order unpaid for review.
        order_flag(order=order, reason=Order.Attention.AMOUNT_MISMATCH)
        return
    if order.status not in Order.OPEN_STATES:
        order_flag(order=order, reason=Order.Attention.PAID_AFTER_CANCEL)
        return
    order.status = Order.Status.PAID
    order.paid_at = now
    order.save(update_fields=["status", "paid_at", "updated_at"])
    _confirm_tickets(order)
    _record_donations(order, now)
    from payments.tasks import order_receipt_send  # payments.tasks imports the services

    enqueue_on_commit(order_receipt_send, order_id=order.pk)


def _confirm_tickets(order: Order) -> None:
    refused = tickets_confirm_paid(order=order)
    if refused:
        order_flag(order=order, reason=Order.Attention.NO_PLACE)


def _record_donations(order: Order, now) -> None:
    # Donations of an order are recorded only here, under its lock: one INSERT for the lines
    # not recorded yet (the one-to-one line keeps it to one each regardless).
    lines = list(order.lines.filter(kind=OrderLine.Kind.DONATION, donation__isnull=True))
    recorded = Donation.objects.bulk_create(
        Donation(
            order_line=line,
            amount_minor=line.amount_minor,
            currency=order.currency,
            email=order.email,
            campaign_id=line.campaign_id,
            anonymous=line.anonymous,
            message=line.message,
            earmark=line.earmark,
            sponsored_page_id=line.sponsored_page_id,
            sponsored_event=line.sponsored_event,
            gift_aid_declaration_id=line.gift_aid_declaration_id if line.gift_aid_eligible else None,
            donated_at=now,
        )
        for line in lines
    )
    referenced = [
        (donation.pk, line.item_reference)
        for donation, line in zip(recorded, lines, strict=True)
        if line.item_reference
    ]
    if referenced:
        donation_recorded.send(sender=Donation, donations=referenced)
    campaign_totals_forget_after_commit(campaign_ids=[line.campaign_id for line in lines])
    sponsored_places_recount_after_commit(page_ids=[line.sponsored_page_id for line in lines])


def payment_refunds_apply(*, payment: Payment, amount_refunded: int) -> Payment:
    """Record how much of a payment Stripe says was refunded (call under the order's lock,
    only for a payment that succeeded). Never lowers the refunded amount. Sends
    `payments.signals.payment_refunded` after commit when the amount grew. Moves no money."""
    if payment.status not in Payment.PAID_STATES or amount_refunded <= payment.amount_refunded_minor:
        return payment
    payment.amount_refunded_minor = min(amount_refunded, payment.amount_minor)
    fully = payment.amount_refunded_minor >= payment.amount_minor
    payment.status = Payment.Status.REFUNDED if fully else Payment.Status.PARTLY_REFUNDED
    payment.save(update_fields=["amount_refunded_minor", "status", "updated_at"])
    order = payment.order
    if order.status in Order.PAID_STATES:
        order.status = Order.Status.REFUNDED if fully else Order.Status.PARTLY_REFUNDED
        order.save(update_fields=["status", "updated_at"])
        if fully:
            _donations_mark_refunded(order)
    audit_record(actor=None, action=f"payment.{payment.status}", obj=payment, refunded=payment.amount_refunded_minor)
    _refunded_after_commit(order, payment.amount_refunded_minor, fully)
    return payment


def _refunded_after_commit(order: Order, amount_refunded_minor: int, fully: bool) -> None:
    def send() -> None:
        if payment_refunded.has_listeners(Order):  # no query for the references otherwise
            payment_refunded.send(
                sender=Order,
                order_reference=order.reference,
                item_references=ticket_references(order),
                amount_refunded_minor=amount_refunded_minor,
                fully_refunded=fully,
            )

    transaction.on_commit(send)


def _donations_mark_refunded(order: Order) -> None:
    donations = Donation.objects.filter(order_line__order=order, refunded=False)
    touched = list(donations.values_list("campaign_id", "sponsored_page_id", "pk", "order_line__item_reference"))
    donations.update(refunded=True)
    referenced = [(pk, reference) for _campaign, _page, pk, reference in touched if reference]
    if referenced:
        donation_refunded.send(sender=Donation, donations=referenced)
    touched = [(campaign_id, page_id) for campaign_id, page_id, _pk, _reference in touched]
    sponsored_places_recount_after_commit(page_ids=[page_id for _campaign_id, page_id in touched])
    campaign_totals_forget_after_commit(campaign_ids=[campaign_id for campaign_id, _page_id in touched])


def charge_refunds_settle(*, charge_id: str) -> None:
    """A charge was refunded at Stripe (our refund, or one made in Stripe's dashboard):
    settle its payment first (a refund implies it succeeded), then record the refunded
    amount Stripe reports. Idempotent. Moves no money."""
    charge = gateway.charge_retrieve(charge_id)
    if not charge.payment_intent_id:
        return
    if payment_settle(payment_intent_id=charge.payment_intent_id) is None:
        return
    with transaction.atomic():
        payment = Payment.objects.get(stripe_payment_intent_id=charge.payment_intent_id)
        for_update(Order.objects.filter(pk=payment.order_id)).get()
        payment = for_update(Payment.objects.select_related("order").filter(pk=payment.pk)).get()
        payment_refunds_apply(payment=payment, amount_refunded=charge.amount_refunded)
