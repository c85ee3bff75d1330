"""Payment tasks: receipts, Finance alerts and the reconciliation job. Each takes primary
keys and is idempotent."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from core.links import absolute
from core.tasks import requeue_after

logger = logging.getLogger(__name__)

RECONCILE_INTERVAL = timedelta(minutes=5)


@task
def payments_reconcile_task() -> dict[str, int]:
    """Every 5 minutes: settle payments whose webhook never came. Queues its next run first,
    so nothing that goes wrong in this run (Stripe, a bad payment, a bug) ends the chain."""
    requeue_after(payments_reconcile_task, RECONCILE_INTERVAL)
    return payments_reconcile()


def payments_reconcile(*, now=None) -> dict[str, int]:
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
    from payments import gateway
    from payments.models import Payment

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
    from django.db import DatabaseError

    from payments import gateway
    from payments.models import Order
    from payments.services import payment_settle
    from payments.services.settle import order_flag

    try:
        return payment_settle(payment_intent_id=payment_intent_id, state=state)
    except (gateway.PaymentsUnavailable, DatabaseError):
        raise
    except gateway.PaymentGatewayError:
        logger.warning("reconciliation skipped payment intent %s: Stripe refused", payment_intent_id)
        with transaction.atomic():
            order = (
                Order.objects.select_for_update(of=("self",))
                .filter(payments__stripe_payment_intent_id=payment_intent_id)
                .first()
            )
            if order is not None:
                order_flag(order=order, reason=Order.Attention.STRIPE_REFUSED)
    except Exception:
        logger.exception("reconciliation skipped payment intent %s: unexpected error", payment_intent_id)
    return None


def _receipt_pdf(context: dict) -> list[tuple[str, bytes, str]]:
    try:
        from payments.receipts import render_receipt
    except OSError:  # WeasyPrint's system libraries are missing: the email still goes.
        logger.warning("receipt PDF not rendered: WeasyPrint unavailable")
        return []
    return [(f"receipt-{context['reference']}.pdf", render_receipt(context), "application/pdf")]


@task
def order_receipt_send(*, order_id: int) -> bool:
    """Email the receipt (with a PDF) for a paid order, once: the order is claimed by setting
    `receipt_sent_at` in one UPDATE (a second run, or one at the same moment, claims nothing),
    and the claim is given back if sending fails, so running it again sends it. No row lock is held
    while the PDF is rendered and the email sent. Sends one email."""
    from core.email import email_send, recipients_want_discretion
    from payments.models import Order
    from core.money import format_money

    now = timezone.now()
    claimed = Order.objects.filter(pk=order_id, status=Order.Status.PAID, receipt_sent_at__isnull=True).update(
        receipt_sent_at=now
    )
    if not claimed:
        return False
    order = Order.objects.get(pk=order_id)
    try:
        discreet = recipients_want_discretion([order.email])
        order_lines = list(order.lines.all())
        lines = [
            {
                "description": (line.get_kind_display() if discreet else line.description),
                "amount": format_money(line.amount_minor, order.currency),
            }
            for line in order_lines
        ]
        context = {
            "organisation": "Payment receipt" if discreet else "Thrive",
            "reference": order.reference,
            "date": f"{timezone.localtime(order.paid_at):%-d %B %Y}",
            "lines": lines,
            "total": order.total_display,
            "gift_aid": any(line.gift_aid_eligible for line in order_lines),  # donation lines only (a constraint)
            "monthly": "",
        }
        email_send(
            to=[order.email],
            subject=f"Your receipt {order.reference}",
            template="payment_receipt",
            context=context,
            attachments=_receipt_pdf(context),
        )
    except Exception:
        Order.objects.filter(pk=order_id, receipt_sent_at=now).update(receipt_sent_at=None)
        logger.exception("receipt for order %s not sent; it will be retried", order_id)
        raise
    return True


@task
def donation_receipt_send(*, donation_id: int) -> bool:
    """Email the receipt for one monthly gift payment, with the link that cancels the gift.
    Sent once per donation (a donation is recorded once per invoice). Sends one email."""
    from core.email import email_send
    from payments.models import Donation
    from payments.services import cancel_token

    donation = Donation.objects.select_related("recurring_gift").get(pk=donation_id)
    gift = donation.recurring_gift
    context = {
        "organisation": "Thrive",
        "reference": f"{gift.reference}-{donation.pk}",
        "date": f"{timezone.localtime(donation.donated_at):%-d %B %Y}",
        "lines": [{"description": "Monthly gift", "amount": donation.amount_display}],
        "total": donation.amount_display,
        "gift_aid": donation.gift_aid_declaration_id is not None,
        "monthly": gift.amount_display,
        "cancel_url": absolute(reverse("payments:gift_cancel", args=[cancel_token(gift)])),
    }
    email_send(
        to=[donation.email],
        subject="Thank you for your monthly gift",
        template="donation_receipt",
        context=context,
        attachments=_receipt_pdf(context),
    )
    return True


@task
def finance_alert_send(*, order_id: int, reason: str) -> None:
    """Tell Finance an order needs them (a refund to make, an amount to check). The email
    holds the order reference and the reason only, no personal details. Sends one email."""
    from core.email import email_send
    from payments.models import Order

    order = Order.objects.get(pk=order_id)
    email_send(
        to=[settings.STAFF_NOTIFICATION_EMAIL],
        subject=f"Payment needs attention: {order.reference}",
        template="payment_attention",
        context={
            "reference": order.reference,
            "reason": Order.Attention(reason).label,
            "admin_url": absolute(reverse("payments_admin:order_detail", args=[order.pk])),
        },
    )


@task
def sponsored_places_recount_task(*, page_id: int) -> int | None:
    """Recount the sponsored places of one event or course from its succeeded, unrefunded
    earmarked gifts (idempotent: the count is recomputed, never added to). Moves no money."""
    from payments.services.sponsorship import sponsored_places_recount

    count = sponsored_places_recount(page_id=page_id)
    return count.places if count else None


REFUND_RETRY = timedelta(minutes=10)


@task
def ticket_refunds_send(*, item_references: list[str], reason: str) -> dict[str, int]:
    """MOVES MONEY (back to cards). Refund each ticket among these references that was paid
    in an order here (the app that sold them cancelled them, and passes only tickets paid
    online): the ticket's own order line amount, through `refund_create` with a request token
    made from the line id, so the refund row and its idempotency key are the same however
    often this runs. When Stripe cannot be reached the refund stays pending and the task
    queues itself again; a refund Stripe refuses flags the order for Finance."""
    from payments.tickets import ticket_refunds_make

    counts = ticket_refunds_make(item_references=item_references, reason=reason)
    if counts["unavailable"]:
        requeue_after(ticket_refunds_send, REFUND_RETRY, item_references=item_references, reason=reason)
    return counts


GIFT_CANCEL_RETRY = timedelta(minutes=10)


@task
def recurring_gift_cancel_task(*, gift_id: int) -> str:
    """Cancel a monthly gift's Stripe subscription (after the donor's erasure): no further
    money is taken. Idempotent; while Stripe cannot be reached it queues itself again."""
    from payments import gateway
    from payments.models import RecurringGift
    from payments.services import recurring_gift_cancel

    gift = RecurringGift.objects.filter(pk=gift_id).first()
    if gift is None:
        return "gone"
    try:
        recurring_gift_cancel(gift=gift)
    except gateway.PaymentsUnavailable:
        requeue_after(recurring_gift_cancel_task, GIFT_CANCEL_RETRY, gift_id=gift_id)
        return "retry"
    return "cancelled"


RETENTION_INTERVAL = timedelta(days=1)


@task
def payments_retention_task() -> dict[str, int]:
    """Daily: `payments_retention`. Re-queues itself."""
    counts = payments_retention()
    requeue_after(payments_retention_task, RETENTION_INTERVAL)
    return counts


def payments_retention(*, now=None) -> dict[str, int]:
    """Remove what payments has kept long enough. Idempotent; returns counts only.

    - the email of an order never paid (the checkout was abandoned, failed or was
      cancelled), and its gift message, RETENTION_UNPAID_ORDER_DAYS after it was made;
    - a Gift Aid declaration RETENTION_GIFT_AID_DAYS (six years) after the last claim made
      with it, when no donation under it is still unclaimed and no monthly gift still uses
      it (HMRC may audit a claim for six years; a declaration also covers future gifts).
      Its donations stay, without it.
    """
    from django.db.models import Max, Q

    from accounts.erasure import ERASED_EMAIL_DOMAIN
    from payments.erasure import declarations_detach, orders_forget_contact
    from payments.models import GiftAidDeclaration, Order, Payment, RecurringGift

    now = now or timezone.now()
    with transaction.atomic():
        unpaid = list(
            Order.objects.select_for_update()
            .filter(
                status__in=[*Order.OPEN_STATES, Order.Status.CANCELLED],
                created_at__lt=now - timedelta(days=settings.RETENTION_UNPAID_ORDER_DAYS),
            )
            .exclude(email__endswith=ERASED_EMAIL_DOMAIN)
            .exclude(payments__status__in=Payment.PAID_STATES)
        )
        orders_forget_contact(unpaid)

        in_use = Q(donations__claimed_at__isnull=True) | Q(
            pk__in=RecurringGift.objects.exclude(status=RecurringGift.Status.CANCELLED).values(
                "gift_aid_declaration_id"
            )
        )
        expired = list(
            GiftAidDeclaration.objects.annotate(last_claim=Max("donations__claimed_at"))
            .filter(last_claim__lt=now - timedelta(days=settings.RETENTION_GIFT_AID_DAYS))
            .exclude(in_use)
            .values_list("pk", flat=True)
        )
        declarations_detach(expired, claimed_too=True)
        GiftAidDeclaration.objects.filter(pk__in=expired).delete()
    return {"unpaid_order_emails": len(unpaid), "gift_aid_declarations": len(expired)}
