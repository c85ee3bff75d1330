"""Everything Thrive says to Stripe. The only module that imports `stripe`.

Callers get plain frozen dataclasses back and our own exceptions (`gateway_types`, which says
what each means), never Stripe objects or Stripe errors.

Every create call carries an idempotency key built from our own ids, so a retried request
is answered with the first result instead of doing it twice (real Stripe; localstripe
ignores the key, which is why the services also hold row locks). Metadata carries only our
opaque references, never a person's name or email. Functions marked MOVES MONEY charge or
refund a card; the rest read or set things up.

Currencies: Thrive spells them as ISO 4217 does ("USD"); Stripe wants and answers lower case
("usd"). This module lowers what it sends and raises what it reads (`_iso`), and nowhere else
converts.

Configured from settings (read from the environment in config/env.py): STRIPE_SECRET_KEY,
STRIPE_PUBLISHABLE_KEY, STRIPE_WEBHOOK_SECRET, STRIPE_API_BASE (localstripe by default).
"""

from __future__ import annotations

import functools
import importlib
import json
import logging
import urllib.parse
import urllib.request

from django.conf import settings

from payments.gateway_answers import (
    currency_iso,
    field_of,
    id_of,
    intent_state,
    invoice_subscription_id,
    plain_dict,
    subscription_state,
)
from payments.gateway_guard import breaker_is_open, calls_wait_for_a_slot, stripe_call_guarded  # noqa: F401
from payments.gateway_types import (  # noqa: F401 (re-exported: callers use gateway.<name>)
    DECLINE_MESSAGES,
    DEFAULT_DECLINE_MESSAGE,
    CardDeclined,
    ChargeState,
    IntentState,
    InvalidWebhook,
    InvoiceState,
    ObjectUnknown,
    PaymentGatewayError,
    PaymentsUnavailable,
    RefundResult,
    SetupIntentResult,
    SetupIntentState,
    SubscriptionState,
    VerifiedEvent,
    decline_message,
)

logger = logging.getLogger(__name__)


class _ImportedOnFirstUse:
    """`stripe` (with aiohttp and friends: about 0.2 s and 20 MB) is imported the first time
    it is used, so processes that never pay (the task worker rendering certificates, the
    management commands) do not carry it."""

    def __getattr__(self, name):
        module = importlib.import_module("stripe")
        globals()["stripe"] = module
        return getattr(module, name)


stripe = _ImportedOnFirstUse()

REAL_STRIPE_API = "https://api.stripe.com"


# Plumbing ---------------------------------------------------------------------------------


def is_demo() -> bool:
    """True unless we talk to the real Stripe API (localstripe or another stand-in)."""
    return not settings.STRIPE_API_BASE.startswith(REAL_STRIPE_API)


def stripe_js_url() -> str:
    """Where the browser loads Stripe.js from: Stripe's own in production, localstripe's
    stand-in otherwise."""
    if is_demo():
        return f"{settings.STRIPE_API_BASE}/js.stripe.com/v3/"
    return "https://js.stripe.com/v3/"


@functools.cache
def _client_for(api_key: str, api_base: str, connect_timeout: float, read_timeout: float) -> stripe.StripeClient:
    # Real Stripe: one retry (same idempotency key) for a dropped connection or a 409/5xx,
    # so the longest a request thread waits is about 2 x (connect + read) timeouts.
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base},
        max_network_retries=0 if api_base != REAL_STRIPE_API else 1,
        http_client=stripe.RequestsClient(timeout=(connect_timeout, read_timeout)),
    )


def _client() -> stripe.StripeClient:
    return _client_for(
        settings.STRIPE_SECRET_KEY,
        settings.STRIPE_API_BASE,
        settings.STRIPE_CONNECT_TIMEOUT_SECONDS,
        settings.STRIPE_READ_TIMEOUT_SECONDS,
    )


# A hung Stripe must not hang the site: timeouts on the client above, the cap on calls in
# flight and the circuit breaker in `gateway_guard` (`breaker_is_open`, `calls_wait_for_a_slot`
# are named here too, for callers of `gateway.<name>`).


def _call(what: str, func, *args, **kwargs):
    """Call Stripe through the guards (`gateway_guard`); Stripe's answer or error comes back as
    our value or exception (`_call_stripe`)."""
    return stripe_call_guarded(what, lambda: _call_stripe(what, func, *args, **kwargs))


def _call_stripe(what: str, func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except stripe.CardError as exc:
        error = exc.error
        code = (field_of(error, "decline_code") or field_of(error, "code") or "") if error else ""
        intent_id = id_of(field_of(error, "payment_intent")) if error else None
        logger.info("stripe %s: card declined (%s), intent %s", what, code, intent_id)
        raise CardDeclined(decline_message(code), payment_intent_id=intent_id, code=code) from None
    except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
        logger.warning("stripe %s: unavailable (%s)", what, type(exc).__name__)
        raise PaymentsUnavailable(what) from None
    except stripe.StripeError as exc:
        status = getattr(exc, "http_status", None) or 0
        if status >= 500 or status == 0:
            logger.warning("stripe %s: unavailable (status %s)", what, status)
            raise PaymentsUnavailable(what) from None
        if status == 404:  # the caller says what it means (a webhook, a posted id): not logged here
            raise ObjectUnknown(f"{what}: 404") from None
        logger.error("stripe %s refused: status %s, code %s", what, status, getattr(exc, "code", ""))
        raise PaymentGatewayError(f"{what}: {status} {getattr(exc, 'code', '') or ''}".strip()) from None


# Payments ---------------------------------------------------------------------------------


def setup_intent_create(*, reference: str, idempotency_key: str, customer_id: str | None = None) -> SetupIntentResult:
    """A SetupIntent the browser confirms with the card Element (`confirmCardSetup`), for
    the order or monthly gift `reference` (our opaque reference, the only metadata). Saves
    a card for this payment only, or for the customer's monthly gift. Moves no money."""
    params: dict = {
        "payment_method_types": ["card"],
        "usage": "off_session" if customer_id else "on_session",
        "metadata": {"ref": reference},
    }
    if customer_id:
        params["customer"] = customer_id
    intent = _call(
        "setup_intent.create",
        _client().v1.setup_intents.create,
        params=params,
        options={"idempotency_key": idempotency_key},
    )
    return SetupIntentResult(id=intent["id"], client_secret=intent["client_secret"])


def setup_intent_retrieve(setup_intent_id: str) -> SetupIntentState:
    """Whether the browser confirmed the card, which payment method it made, and the
    reference we gave the SetupIntent (so a card set up for one order cannot pay another).
    Moves no money."""
    intent = _call("setup_intent.retrieve", _client().v1.setup_intents.retrieve, setup_intent_id)
    return SetupIntentState(
        id=intent["id"],
        status=intent["status"],
        payment_method_id=id_of(field_of(intent, "payment_method")),
        reference=str(plain_dict(field_of(intent, "metadata")).get("ref", "")),
        client_secret=field_of(intent, "client_secret", ""),
    )


def payment_intent_create_confirmed(
    *,
    amount_minor: int,
    currency: str,
    payment_method_id: str,
    order_reference: str,
    idempotency_key: str,
) -> IntentState:
    """MOVES MONEY. Create and confirm a PaymentIntent with a payment method the browser
    set up. Returns its state: `succeeded`, `requires_action` (3-D Secure: give the
    client secret to the browser) or another status. Raises CardDeclined when the card is
    refused (with the PaymentIntent id when Stripe gives it), PaymentsUnavailable when
    Stripe cannot be reached. Metadata holds only the opaque order reference."""
    intent = _call(
        "payment_intent.create",
        _client().v1.payment_intents.create,
        params={
            "amount": amount_minor,
            "currency": currency.lower(),
            "payment_method": payment_method_id,
            "payment_method_types": ["card"],
            "confirm": True,
            "metadata": {"order": order_reference},
        },
        options={"idempotency_key": idempotency_key},
    )
    return intent_state(intent)


def payment_intent_retrieve(payment_intent_id: str) -> IntentState:
    """Stripe's current view of a PaymentIntent (webhooks and reconciliation re-fetch
    through this; a payload is never trusted). Moves no money."""
    # The plain JSON, not a StripeObject: every webhook re-fetches, and building the object
    # tree cost more than reading the four fields we use.
    path = f"/v1/payment_intents/{urllib.parse.quote(payment_intent_id, safe='')}"
    response = _call("payment_intent.retrieve", _client().raw_request, "get", path)
    return intent_state(response.data)


def payment_intents_since(*, since: int, limit: int = 1000) -> list[IntentState]:
    """PaymentIntents Stripe made at or after `since` (Unix seconds), at most `limit`:
    reconciliation looks among them for ones we never recorded. Moves no money. Stripe
    filters by `created` and lists newest first; localstripe takes no filter and lists in
    its own order, so the time is checked here as well."""
    params: dict = {"limit": 100}
    if not is_demo():
        params["created"] = {"gte": since}
    found: list[IntentState] = []
    while len(found) < limit:
        page = _call("payment_intent.list", _client().v1.payment_intents.list, params=params)
        intents = list(page.data)
        found.extend(state for state in map(intent_state, intents) if state.created >= since)
        if not page.has_more or not intents:
            break
        params["starting_after"] = intents[-1]["id"]
    return found[:limit]


def charge_retrieve(charge_id: str) -> ChargeState:
    """A charge, for its refunded amount and its PaymentIntent. Moves no money."""
    charge = _call("charge.retrieve", _client().v1.charges.retrieve, charge_id)
    return ChargeState(
        id=charge["id"],
        payment_intent_id=id_of(field_of(charge, "payment_intent")),
        amount=int(charge["amount"]),
        amount_refunded=int(field_of(charge, "amount_refunded", 0)),
        currency=currency_iso(charge["currency"]),
    )


def refund_create(
    *, payment_intent_id: str, amount_minor: int, refund_reference: str, idempotency_key: str
) -> RefundResult:
    """MOVES MONEY (back to the card). Refund `amount_minor` of a succeeded PaymentIntent.
    The idempotency key comes from our Refund row, so a retried or double-clicked refund
    is sent once. Metadata holds only our refund reference (localstripe refuses `reason`;
    the reason stays with us)."""
    refund = _call(
        "refund.create",
        _client().v1.refunds.create,
        params={
            "payment_intent": payment_intent_id,
            "amount": amount_minor,
            "metadata": {"refund": refund_reference},
        },
        options={"idempotency_key": idempotency_key},
    )
    return RefundResult(
        id=refund["id"],
        status=refund["status"],
        amount=int(refund["amount"]),
        currency=currency_iso(refund["currency"]),
    )


# Monthly giving ---------------------------------------------------------------------------


def customer_create(*, gift_reference: str, idempotency_key: str) -> str:
    """A Stripe customer for one monthly gift, with no name or email (only our reference).
    Moves no money. Returns the customer id."""
    customer = _call(
        "customer.create",
        _client().v1.customers.create,
        params={"metadata": {"gift": gift_reference}},
        options={"idempotency_key": idempotency_key},
    )
    return customer["id"]


def customer_set_default_payment_method(*, customer_id: str, payment_method_id: str) -> None:
    """Make the card the customer set up pay their invoices (localstripe has no
    `default_payment_method` on subscriptions, so it is set on the customer). Moves no money."""
    method = _call("payment_method.retrieve", _client().v1.payment_methods.retrieve, payment_method_id)
    if not id_of(field_of(method, "customer")):
        _call(
            "payment_method.attach",
            _client().v1.payment_methods.attach,
            payment_method_id,
            params={"customer": customer_id},
        )
    _call(
        "customer.update",
        _client().v1.customers.update,
        customer_id,
        params={"invoice_settings": {"default_payment_method": payment_method_id}},
    )


def monthly_plan(*, amount_minor: int, currency: str) -> str:
    """The id of the monthly Plan for this amount (created once; Plans, not Prices, because
    localstripe has no Prices). Moves no money."""
    plan_id = f"thrive-monthly-{currency.lower()}-{amount_minor}"
    try:
        _call("plan.retrieve", _client().v1.plans.retrieve, plan_id)
        return plan_id
    except PaymentGatewayError:  # not there yet (localstripe answers 400 for some missing objects)
        pass
    _call(
        "plan.create",
        _client().v1.plans.create,
        params={
            "id": plan_id,
            "amount": amount_minor,
            "currency": currency.lower(),
            "interval": "month",
            "product": {"name": "Monthly gift"},
        },
        options={"idempotency_key": f"thrive-{plan_id}"},
    )
    return plan_id


def subscription_create(
    *, customer_id: str, plan_id: str, gift_reference: str, idempotency_key: str
) -> SubscriptionState:
    """MOVES MONEY (the first month is charged at once, then monthly). Metadata holds only
    our gift reference. Raises CardDeclined when the first payment is refused outright."""
    subscription = _call(
        "subscription.create",
        _client().v1.subscriptions.create,
        params={"customer": customer_id, "items": [{"plan": plan_id}], "metadata": {"gift": gift_reference}},
        options={"idempotency_key": idempotency_key},
    )
    return subscription_state(subscription)


def subscription_retrieve(subscription_id: str) -> SubscriptionState:
    """Stripe's current view of a subscription. Moves no money."""
    return subscription_state(_call("subscription.retrieve", _client().v1.subscriptions.retrieve, subscription_id))


def subscription_cancel(subscription_id: str) -> SubscriptionState:
    """Stop a monthly gift at once: no further money is taken. Cancelling one already
    cancelled is harmless."""
    current = subscription_retrieve(subscription_id)
    if current.status in ("canceled", "incomplete_expired"):
        return current
    return subscription_state(_call("subscription.cancel", _client().v1.subscriptions.cancel, subscription_id))


def invoice_retrieve(invoice_id: str) -> InvoiceState:
    """One invoice of a monthly gift (re-fetched when Stripe says it was paid). Moves no money."""
    invoice = _call("invoice.retrieve", _client().v1.invoices.retrieve, invoice_id)
    return InvoiceState(
        id=invoice["id"],
        status=invoice["status"],
        subscription_id=invoice_subscription_id(invoice),
        customer_id=id_of(field_of(invoice, "customer")),
        amount_paid=int(field_of(invoice, "amount_paid", 0)),
        currency=currency_iso(invoice["currency"]),
    )


def invoice_payment_intent(invoice_id: str) -> IntentState | None:
    """The PaymentIntent paying an invoice, or None when it has none: for the first payment
    of a monthly gift that the bank wants confirmed (3-D Secure), whose client secret the
    browser needs. Moves no money. (Stripe API versions from 2025-03 list it under the
    invoice's `payments` instead; localstripe and older versions name it directly.)"""
    invoice = _call("invoice.retrieve", _client().v1.invoices.retrieve, invoice_id)
    intent_id = id_of(field_of(invoice, "payment_intent"))
    return payment_intent_retrieve(intent_id) if intent_id else None


# Webhooks ---------------------------------------------------------------------------------


def webhook_event_verify(payload: bytes, signature_header: str | None) -> VerifiedEvent:
    """Check a webhook's signature against STRIPE_WEBHOOK_SECRET and its timestamp against
    the tolerance. Raises InvalidWebhook for a missing or wrong signature, another secret,
    a changed body or a stale timestamp. Moves no money."""
    try:
        stripe.WebhookSignature.verify_header(
            payload, signature_header, settings.STRIPE_WEBHOOK_SECRET, settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS
        )
        body = json.loads(payload)
        data_object = body["data"]["object"]
        return VerifiedEvent(
            id=str(body["id"]),
            type=str(body["type"]),
            object_type=str(data_object.get("object", "")),
            object_id=str(data_object.get("id", "")),
        )
    except (stripe.SignatureVerificationError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InvalidWebhook(type(exc).__name__) from None


def webhook_signature_header(payload: str, *, secret: str | None = None, timestamp: int | None = None) -> str:
    """A `Stripe-Signature` header for `payload`, signed as Stripe signs (tests, benchmarks)."""
    return stripe.WebhookSignature.generate_signature_header(
        payload, secret or settings.STRIPE_WEBHOOK_SECRET, timestamp=timestamp
    )


def localstripe_register_webhook(*, url: str, secret: str, api_base: str | None = None) -> None:
    """Tell localstripe where to send its (signed) webhooks. localstripe only: real Stripe
    endpoints are set up in Stripe's dashboard. Moves no money."""
    base = (api_base or settings.STRIPE_API_BASE).rstrip("/")
    data = urllib.parse.urlencode({"url": url, "secret": secret}).encode()
    request = urllib.request.Request(f"{base}/_config/webhooks/thrive", data=data, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=5):  # noqa: S310 (our configured localstripe)
        pass
