"""Reconciliation keeps going when Stripe refuses to answer about one payment (issue 13, item 1):
the bad payment is logged by id, its order flagged for Finance and skipped, the others are
settled, and the task has always queued its next run. Against a real localstripe."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from payments import gateway
from payments.models import Order, Payment
from payments.tasks import payments_reconcile
from payments.tests.helpers import donation_order

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _unsettled_payment(order: Order, payment_intent_id: str) -> Payment:
    """A payment the checkout recorded whose webhook never came (still CREATED)."""
    return Payment.objects.create(
        order=order,
        stripe_payment_intent_id=payment_intent_id,
        idempotency_key=f"test-{payment_intent_id}",
        amount_minor=order.total_minor,
        currency=order.currency,
    )


def _charged(order: Order) -> str:
    """A PaymentIntent localstripe took the money for, carrying the order's reference."""
    return gateway.payment_intent_create_confirmed(
        amount_minor=order.total_minor,
        currency=order.currency,
        payment_method_id="pm_card_visa",
        order_reference=order.reference,
        idempotency_key=f"charge-{order.reference}",
    ).id


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_payment_stripe_answers_404_for_is_flagged_and_skipped_and_the_next_run_is_still_queued(
    localstripe, caplog, django_capture_on_commit_callbacks
):
    forgotten, good = donation_order(email="a@example.org"), donation_order(email="b@example.org")
    # Asked first (older): a PaymentIntent id localstripe has never heard of answers 404.
    bad = _unsettled_payment(forgotten, "pi_stripe_no_longer_knows_this")
    _unsettled_payment(good, _charged(good))
    Payment.objects.update(created_at=timezone.now() - timedelta(minutes=20))
    Payment.objects.filter(pk=bad.pk).update(created_at=timezone.now() - timedelta(minutes=30))

    with django_capture_on_commit_callbacks(execute=True):
        counts = payments_reconcile.call()

    assert counts == {"asked": 2, "settled": 1, "found": 0}
    good.refresh_from_db()
    forgotten.refresh_from_db()
    assert good.status == Order.Status.PAID  # the payment after the bad one was still settled
    assert forgotten.status == Order.Status.OPEN
    assert forgotten.attention_reason == Order.Attention.STRIPE_REFUSED  # flagged for Finance
    assert Payment.objects.get(pk=bad.pk).status == Payment.Status.CREATED  # left alone
    alerts = DBTaskResult.objects.filter(task_path="payments.tasks.finance_alert_send")
    assert [row.args_kwargs["kwargs"] for row in alerts] == [{"order_id": forgotten.pk, "reason": "stripe_refused"}]
    logged = [r.getMessage() for r in caplog.records if "pi_stripe_no_longer_knows_this" in r.getMessage()]
    assert logged and not any("a@example.org" in line for line in logged)
    # The next run is queued (in five minutes), whatever happened in this one.
    queued = DBTaskResult.objects.filter(task_path="payments.tasks.payments_reconcile", status="READY")
    assert queued.count() == 1 and queued.get().run_after > timezone.now() + timedelta(minutes=4)

