"""Reconciliation: settling what the webhook never told us about (run every 5 minutes by the
task of the same name)."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from core.locking import for_update
from payments import gateway
from payments.models import Order, Payment
from payments.services.settle import order_flag, payment_settle

logger = logging.getLogger(__name__)


def payments_reconcile(*, now: datetime | None = None) -> dict[str, int]:
    """Settle, with `payment_settle` (the webhook's own path, so running beside the webhook
    changes nothing twice), every payment still open PAYMENTS_RECONCILE_AFTER_MINUTES after
    it was made, and every succeeded PaymentIntent of one of our orders that we never
    recorded (Stripe took the money but our commit was lost, and its webhook too: found by
    the order reference in its metadata). Stripe is asked once for the PaymentIntents of the
    last PAYMENTS_RECONCILE_LOOKBACK_HOURS; an open payment older than that is asked about
    on its own. Stops early, changing nothing more, when Stripe cannot be reached. A payment
    Stripe refuses to answer about (a 4xx: it no longer knows the PaymentIntent) is logged by
    id, its order flagged for Finance (STRIPE_REFUSED) and skipped; so is one that fails
    unexpectedly (logged only): one bad payment never stops the others. Moves no money."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.PAYMENTS_RECONCILE_AFTER_MINUTES)
    waiting = list(
        Payment.objects.filter(
            status__in=[Payment.Status.CREATED, Payment.Status.REQUIRES_ACTION],
            created_at__lte=cutoff,
            stripe_payment_intent_id__isnull=False,
        )
        .order_by("created_at", "pk")
        .values_list("stripe_payment_intent_id", flat=True)[:500]
    )
    counts = {"asked": 0, "settled": 0, "found": 0}
    try:
        since = int((now - timedelta(hours=settings.PAYMENTS_RECONCILE_LOOKBACK_HOURS)).timestamp())
        recent = {state.id: state for state in gateway.payment_intents_since(since=since)}
        for payment_intent_id in waiting:
            state = _settle_one(payment_intent_id, recent.get(payment_intent_id))
            counts["asked"] += 1
            if state is not None and state.status in ("succeeded", "requires_payment_method", "canceled"):
                counts["settled"] += 1
        unrecorded = [
            state
            for state in recent.values()
            if state.status == "succeeded" and state.metadata.get("order") and state.created <= cutoff.timestamp()
        ]
        recorded = set(
            Payment.objects.filter(stripe_payment_intent_id__in=[state.id for state in unrecorded]).values_list(
                "stripe_payment_intent_id", flat=True
            )
        )
        for state in unrecorded:
            if state.id not in recorded and _settle_one(state.id, state) is not None:
                counts["found"] += 1
    except gateway.PaymentsUnavailable:
        logger.warning("reconciliation stopped: Stripe unavailable")
    return counts


def _settle_one(payment_intent_id: str, state):
    """`payment_settle` for reconciliation: a refusal from Stripe flags the order and skips the
    payment, an unexpected error is logged and skips it; Stripe being unreachable and database
    errors still stop the run (every other payment would fail the same way)."""
    try:
        return payment_settle(payment_intent_id=payment_intent_id, state=state)
    except (gateway.PaymentsUnavailable, DatabaseError):
        raise
    except gateway.PaymentGatewayError:
        logger.warning("reconciliation skipped payment intent %s: Stripe refused", payment_intent_id)
        with transaction.atomic():
            order = for_update(
                Order.objects.filter(payments__stripe_payment_intent_id=payment_intent_id), of=("self",)
            ).first()
            if order is not None:
                order_flag(order=order, reason=Order.Attention.STRIPE_REFUSED)
    except Exception:
        logger.exception("reconciliation skipped payment intent %s: unexpected error", payment_intent_id)
    return None
