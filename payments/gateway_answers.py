"""Stripe's answers read into our types (`gateway_types`): StripeObjects and the plain JSON
of a raw request alike, by key. Never imports `stripe` (`payments/gateway.py`, the only module
that does, calls these on what Stripe answered)."""

from payments.gateway_types import IntentState, SubscriptionState, decline_message


def field_of(obj, name: str, default=None):
    """StripeObjects are not dicts (`.get` raises in stripe-python 16)."""
    try:
        value = obj[name]
    except (KeyError, TypeError):
        return default
    return default if value is None else value


def plain_dict(value) -> dict:
    if value is None:
        return {}
    return value.to_dict() if hasattr(value, "to_dict") else dict(value)


def id_of(value) -> str | None:
    """localstripe expands some references (an object), Stripe returns an id: accept both."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    return field_of(value, "id")


def currency_iso(stripe_currency) -> str:
    """Stripe spells currencies in lower case ("usd"); we spell them as ISO 4217 does ("USD")."""
    return str(stripe_currency).upper()


def intent_state(intent) -> IntentState:
    error = field_of(intent, "last_payment_error")
    code = (field_of(error, "decline_code") or field_of(error, "code")) if error else None
    return IntentState(
        id=intent["id"],
        status=intent["status"],
        amount=int(intent["amount"]),
        currency=currency_iso(intent["currency"]),
        client_secret=field_of(intent, "client_secret", ""),
        metadata=plain_dict(field_of(intent, "metadata")),
        failure_message=decline_message(code) if error else "",
        latest_charge_id=id_of(field_of(intent, "latest_charge")),
        created=int(field_of(intent, "created", 0)),
    )


def subscription_state(subscription) -> SubscriptionState:
    return SubscriptionState(
        id=subscription["id"],
        status=subscription["status"],
        customer_id=id_of(subscription["customer"]) or "",
        latest_invoice_id=id_of(field_of(subscription, "latest_invoice")),
        metadata=plain_dict(field_of(subscription, "metadata")),
    )


def invoice_subscription_id(invoice) -> str | None:
    """localstripe (and Stripe before API 2025-03) put the subscription on the invoice;
    newer Stripe versions put it under parent.subscription_details."""
    direct = id_of(field_of(invoice, "subscription"))
    if direct:
        return direct
    details = field_of(field_of(invoice, "parent"), "subscription_details")
    return id_of(field_of(details, "subscription")) if details is not None else None
