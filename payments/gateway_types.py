"""What payments/gateway.py returns and raises: plain values and our own exceptions, so no
caller ever sees a Stripe object or a Stripe error (and none imports stripe).

- `PaymentsUnavailable`: Stripe could not be reached in time (or answered 5xx / rate
  limited), or it was not asked: the circuit breaker is open after repeated failures, or
  this process already has its most Stripe calls in flight (see `gateway_guard`).
  Nothing was decided; the caller may say "try again shortly" and keep everything.
- `ObjectUnknown` (a `PaymentGatewayError`): Stripe answered 404 for the object asked about.
- `CardDeclined`: the bank or Stripe refused the card; `message` is plain words a supporter
  can act on.
- `PaymentGatewayError`: Stripe refused the request itself (a bug or a configuration
  mistake); logged with ids only.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


class PaymentsUnavailable(Exception):
    """Stripe could not be reached. Nothing was charged by this call."""


class CardDeclined(Exception):
    """The card was refused; `message` says so in plain words."""

    def __init__(self, message: str, *, payment_intent_id: str | None = None, code: str = ""):
        super().__init__(message)
        self.message = message
        self.payment_intent_id = payment_intent_id
        self.code = code


class PaymentGatewayError(Exception):
    """Stripe refused the request (not the card): a bug or a configuration mistake."""


class ObjectUnknown(PaymentGatewayError):
    """Stripe answered 404: it does not know the object asked about (an id posted by a
    browser, or named by a webhook, that is not, or no longer, Stripe's)."""


class InvalidWebhook(Exception):
    """A webhook whose signature, secret, body or timestamp does not verify."""


DECLINE_MESSAGES = {
    "insufficient_funds": _(
        "Your card was declined because there is not enough money in the account. Please try another card."
    ),
    "expired_card": _("Your card has expired. Please check the expiry date or use another card."),
    "incorrect_cvc": _("The security code (the 3 digits on the back) is not right. Please check it and try again."),
    "incorrect_number": _("The card number is not right. Please check it and try again."),
    "invalid_expiry_year": _("The expiry year is not right. Please check it and try again."),
    "processing_error": _("Your bank could not process the payment just now. Please try again in a moment."),
    "payment_intent_authentication_failure": _(
        "Your bank's security check was not completed, so nothing was taken. Please try again."
    ),
    "authentication_required": _(
        "Your bank needs you to confirm this payment. Please try again and complete the security check."
    ),
}
DEFAULT_DECLINE_MESSAGE = _(
    "Your card was declined, so nothing was taken. Please try another card, or ask your bank why it was refused."
)


def decline_message(code: str | None) -> str:
    """Plain words for a Stripe decline or error code, in the active language."""
    return str(DECLINE_MESSAGES.get(code or "", DEFAULT_DECLINE_MESSAGE))


# Results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetupIntentResult:
    id: str
    client_secret: str


@dataclass(frozen=True)
class SetupIntentState:
    id: str
    status: str
    payment_method_id: str | None
    reference: str
    client_secret: str = ""  # for the browser, when the checkout offers it again


@dataclass(frozen=True)
class IntentState:
    """What Stripe says about one PaymentIntent."""

    id: str
    status: str  # requires_payment_method, requires_action, processing, succeeded, canceled, ...
    amount: int
    currency: str
    client_secret: str
    metadata: dict
    failure_message: str
    latest_charge_id: str | None
    created: int = 0  # when Stripe made it, Unix seconds


@dataclass(frozen=True)
class ChargeState:
    id: str
    payment_intent_id: str | None
    amount: int
    amount_refunded: int
    currency: str


@dataclass(frozen=True)
class RefundResult:
    id: str
    status: str
    amount: int
    currency: str


@dataclass(frozen=True)
class SubscriptionState:
    id: str
    status: str
    customer_id: str
    latest_invoice_id: str | None
    metadata: dict


@dataclass(frozen=True)
class InvoiceState:
    id: str
    status: str
    subscription_id: str | None
    customer_id: str | None
    amount_paid: int
    currency: str


@dataclass(frozen=True)
class VerifiedEvent:
    """A webhook event whose signature verified. Only the id, type and the object it is
    about are kept: the object itself is re-fetched from Stripe before anything is done."""

    id: str
    type: str
    object_type: str
    object_id: str
