"""Test helpers: play the browser's part against localstripe (as its Stripe.js stand-in
does), sign webhook payloads as Stripe does, and make orders to pay."""

import base64
import json
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.urls import reverse

from payments import gateway
from payments.services import DonationChoice, order_checkout_start, order_create

VISA = "4242424242424242"
DECLINED_AT_CHARGE = "4000000000000341"
DECLINED_AT_SETUP = "4000000000000002"
THREE_D_SECURE = "4000002500003155"


def checkout_reference(url: str) -> str:
    """The order reference a checkout address is signed for. Compare this, not the address:
    the signature carries the second it was made, so two addresses for one order may differ."""
    from django.core import signing

    from payments.views import CHECKOUT_SALT

    token = url.rstrip("/").rsplit("/", 1)[-1]
    return signing.loads(token, salt=CHECKOUT_SALT)


def _localstripe(method: str, path: str, body: dict | None = None, *, secret: bool = False) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(settings.STRIPE_API_BASE + path, data=data, method=method)  # noqa: S310
    if secret:
        token = base64.b64encode(f"{settings.STRIPE_SECRET_KEY}:".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (local test server)
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        return json.loads(error.read())


def browser_confirm_card(client_secret: str, number: str = VISA, *, authenticate: bool = True) -> dict:
    """What confirmCardSetup does in localstripe's Stripe.js (publishable key only)."""
    setup_id = client_secret.split("_secret_")[0]
    body = {
        "key": settings.STRIPE_PUBLISHABLE_KEY,
        "use_stripe_sdk": True,
        "client_secret": client_secret,
        "payment_method_data": {
            "type": "card",
            "card": {"number": number, "exp_month": "12", "exp_year": "2030", "cvc": "123"},
        },
    }
    answer = _localstripe("POST", f"/v1/setup_intents/{setup_id}/confirm", body)
    if answer.get("status") == "requires_action" and authenticate:
        confirm = {"key": settings.STRIPE_PUBLISHABLE_KEY, "use_stripe_sdk": True, "client_secret": client_secret}
        answer = _localstripe("POST", f"/v1/setup_intents/{setup_id}/confirm", confirm)
    return answer


def browser_authenticate_payment(client_secret: str, *, success: bool = True) -> dict:
    """What confirmCardPayment does in localstripe's Stripe.js (3-D Secure answered)."""
    intent_id = client_secret.split("_secret_")[0]
    body = {"key": settings.STRIPE_PUBLISHABLE_KEY, "client_secret": client_secret}
    return _localstripe("POST", f"/v1/payment_intents/{intent_id}/_authenticate?success={str(success).lower()}", body)


def stripe_object(path: str) -> dict:
    """Read an object back from localstripe with the secret key (what Stripe holds)."""
    return _localstripe("GET", path, secret=True)


def stripe_events(event_type: str | None = None) -> list[dict]:
    """The events localstripe made (the ones it would deliver), newest first."""
    events = stripe_object("/v1/events?limit=100")["data"]
    return [event for event in events if event_type is None or event["type"] == event_type]


def donation_order(*, amount_minor: int = 1500, email: str = "donor@example.org", **choice):
    return order_create(email=email, donation=DonationChoice(amount_minor=amount_minor, **choice))


def set_up_card(order, number: str = VISA) -> str:
    setup = order_checkout_start(order=order)
    browser_confirm_card(setup.client_secret, number)
    return setup.id


def event_payload(event_type: str, object_id: str, *, object_type: str, event_id: str) -> str:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "data": {"object": {"id": object_id, "object": object_type}},
        }
    )


def post_webhook(client, payload: str, *, secret: str | None = None, timestamp: int | None = None, header=None):
    signature = header or gateway.webhook_signature_header(payload, secret=secret, timestamp=timestamp)
    return client.post(
        reverse("payments:stripe_webhook"),
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )
