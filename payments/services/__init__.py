"""Every write about money. Keyword-only, atomic; docstrings say which move money."""

from payments.services.giftaid_claims import gift_aid_claim_create, gift_aid_claim_schedule
from payments.services.giving import (
    gift_aid_declaration_create,
    invoice_settle,
    recurring_gift_cancel,
    recurring_gift_checkout_start,
    recurring_gift_create,
    recurring_gift_start,
    subscription_ended,
)
from payments.services.orders import (
    DonationChoice,
    PayOutcome,
    TicketLine,
    donation_amount_check,
    order_checkout_start,
    order_create,
    order_gift_aid_add,
    order_pay,
)
from payments.services.refunds import refund_create
from payments.services.settle import charge_refunds_settle, order_flag, payment_settle

__all__ = [
    "DonationChoice",
    "PayOutcome",
    "TicketLine",
    "charge_refunds_settle",
    "donation_amount_check",
    "gift_aid_claim_create",
    "gift_aid_claim_schedule",
    "gift_aid_declaration_create",
    "invoice_settle",
    "order_checkout_start",
    "order_create",
    "order_flag",
    "order_gift_aid_add",
    "order_pay",
    "payment_settle",
    "recurring_gift_cancel",
    "recurring_gift_checkout_start",
    "recurring_gift_create",
    "recurring_gift_start",
    "refund_create",
    "subscription_ended",
]
