"""The Stripe webhook endpoint.

A request is believed only after its signature verifies against STRIPE_WEBHOOK_SECRET
(wrong secret, changed body or stale timestamp: 400, nothing written). The event id is
stored under a unique constraint in the same transaction as its effects, so a replay,
in a row or at the same moment, changes nothing. The payload is only a trigger: each
handler re-fetches the object from Stripe and goes through the services' state machine.
"""

import logging

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments import gateway
from payments.models import WebhookEvent
from payments.services import charge_refunds_settle, invoice_settle, payment_settle, subscription_ended

logger = logging.getLogger(__name__)
EVENT_ID_MAX_LENGTH = WebhookEvent._meta.get_field("stripe_event_id").max_length


def _payment_intent(event: gateway.VerifiedEvent) -> None:
    payment_settle(payment_intent_id=event.object_id)


def _invoice(event: gateway.VerifiedEvent) -> None:
    invoice_settle(invoice_id=event.object_id)


def _subscription_deleted(event: gateway.VerifiedEvent) -> None:
    subscription_ended(subscription_id=event.object_id)


def _charge_refunded(event: gateway.VerifiedEvent) -> None:
    charge_refunds_settle(charge_id=event.object_id)


def _event_record_once(event: gateway.VerifiedEvent) -> bool:
    """Store the event id (call inside the transaction that applies the event); False when
    it was stored already. One statement, no savepoint: INSERT .. ON CONFLICT DO NOTHING
    waits for a concurrent delivery of the same event to commit (then this one is the
    replay) or roll back (then this one goes ahead)."""
    table = connection.ops.quote_name(WebhookEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (stripe_event_id, type, received_at) VALUES (%s, %s, %s) "  # noqa: S608 (our table)
            "ON CONFLICT (stripe_event_id) DO NOTHING RETURNING id",
            [event.id, event.type, connection.ops.adapt_datetimefield_value(timezone.now())],
        )
        return cursor.fetchone() is not None


HANDLERS = {
    "payment_intent.succeeded": _payment_intent,
    "payment_intent.payment_failed": _payment_intent,
    "payment_intent.canceled": _payment_intent,
    "invoice.payment_succeeded": _invoice,
    "invoice.paid": _invoice,
    "customer.subscription.deleted": _subscription_deleted,
    "charge.refunded": _charge_refunded,
}


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """200 when handled, replayed, of a type we do not handle, or about an object Stripe
    does not know (nothing stored; logged once); 400 when it does not verify or its event
    id is longer than any Stripe id; 503 when Stripe cannot be reached to re-fetch the
    object (nothing is stored, so Stripe's retry is handled in full)."""
    try:
        event = gateway.webhook_event_verify(request.body, request.headers.get("Stripe-Signature"))
    except gateway.InvalidWebhook as exc:
        logger.warning("webhook refused: %s", exc)
        return HttpResponse("invalid signature", status=400, content_type="text/plain")
    if len(event.id) > EVENT_ID_MAX_LENGTH:  # not Stripe's (its ids are short): nothing to store it in
        logger.warning("webhook refused: an event id of %s characters", len(event.id))
        return HttpResponse("invalid event id", status=400, content_type="text/plain")
    handler = HANDLERS.get(event.type)
    if handler is None:
        return HttpResponse("ignored", content_type="text/plain")
    try:
        with gateway.calls_wait_for_a_slot(settings.STRIPE_WEBHOOK_SLOT_WAIT_SECONDS), transaction.atomic():
            if not _event_record_once(event):
                return HttpResponse("already handled", content_type="text/plain")
            handler(event)
    except gateway.PaymentsUnavailable:
        return HttpResponse("stripe unavailable, retry later", status=503, content_type="text/plain")
    except gateway.ObjectUnknown:
        # Stripe does not know the object (deleted, another account's, made up): a retry would
        # be answered the same, so say 200 (Stripe stops retrying); the event id is not stored.
        logger.warning("webhook %s (%s) ignored: Stripe does not know its %s", event.id, event.type, event.object_type)
        return HttpResponse("ignored: unknown object", content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
