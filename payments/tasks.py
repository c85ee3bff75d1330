"""Payment tasks: each runs the service of the same name (in `payments.services`), takes
primary keys and is idempotent. The periodic ones queue their next run; the ones that need
Stripe queue a retry while it cannot be reached."""

from datetime import timedelta

from django.tasks import task

from core.tasks import requeue_after
from payments import gateway
from payments.models import RecurringGift
from payments.services import emails, giving, reconcile, refunds, retention, sponsorship

RECONCILE_INTERVAL = timedelta(minutes=5)
RETENTION_INTERVAL = timedelta(days=1)
REFUND_RETRY = timedelta(minutes=10)
GIFT_CANCEL_RETRY = timedelta(minutes=10)


@task
def payments_reconcile() -> dict[str, int]:
    """Every 5 minutes: `payments_reconcile` (settle payments whose webhook never came).
    Queues its next run first, so nothing that goes wrong in this run (Stripe, a bad payment,
    a bug) ends the chain. Moves no money."""
    requeue_after(payments_reconcile, RECONCILE_INTERVAL)
    return reconcile.payments_reconcile()


@task
def payments_retention() -> dict[str, int]:
    """Daily: `payments_retention`. Re-queues itself."""
    counts = retention.payments_retention()
    requeue_after(payments_retention, RETENTION_INTERVAL)
    return counts


@task
def order_receipt_send(*, order_id: int) -> bool:
    """`order_receipt_send`: the receipt of a paid order, once. Sends one email."""
    return emails.order_receipt_send(order_id=order_id)


@task
def donation_receipt_send(*, donation_id: int) -> bool:
    """`donation_receipt_send`: the receipt of one monthly gift payment. Sends one email."""
    return emails.donation_receipt_send(donation_id=donation_id)


@task
def finance_alert_send(*, order_id: int, reason: str) -> None:
    """`finance_alert_send`: tell Finance an order needs them. Sends one email."""
    emails.finance_alert_send(order_id=order_id, reason=reason)


@task
def sponsored_places_recount(*, page_id: int) -> int | None:
    """`sponsored_places_recount` for one event or course (idempotent: the count is
    recomputed, never added to). Moves no money."""
    count = sponsorship.sponsored_places_recount(page_id=page_id)
    return count.places if count else None


@task
def ticket_refunds_make(*, item_references: list[str], reason: str) -> dict[str, int]:
    """MOVES MONEY (back to cards): `ticket_refunds_make`. When Stripe cannot be reached the
    refunds stay pending and the task queues itself again."""
    counts = refunds.ticket_refunds_make(item_references=item_references, reason=reason)
    if counts["unavailable"]:
        requeue_after(ticket_refunds_make, REFUND_RETRY, item_references=item_references, reason=reason)
    return counts


@task
def recurring_gift_cancel(*, gift_id: int) -> str:
    """`recurring_gift_cancel` (after the donor's erasure): no further money is taken.
    Idempotent; while Stripe cannot be reached it queues itself again."""
    gift = RecurringGift.objects.filter(pk=gift_id).first()
    if gift is None:
        return "gone"
    try:
        giving.recurring_gift_cancel(gift=gift)
    except gateway.PaymentsUnavailable:
        requeue_after(recurring_gift_cancel, GIFT_CANCEL_RETRY, gift_id=gift_id)
        return "retry"
    return "cancelled"
