"""What survivor voices does when payments says an order was paid (`payments.signals`,
contract in core/hooks.py): the requests on it are marked paid by card."""

from django.dispatch import receiver

from payments.signals import payment_succeeded
from voices.for_payments import requests_mark_paid


@receiver(payment_succeeded, dispatch_uid="voices_mark_requests_paid")
def mark_requests_paid(sender, *, order_reference, item_references, **kwargs) -> dict[str, list[str]]:
    """Confirm the requests among the order's references (idempotent); others are left out."""
    return requests_mark_paid(order_reference=order_reference, item_references=item_references)
