"""Addresses payments hands out: the private checkout of an order or monthly gift. A plain
module, so apps that start a checkout (events) need not load payments' views."""

from django.core import signing
from django.urls import reverse

CHECKOUT_SALT = "payments.checkout"


def checkout_url(obj) -> str:
    """The private checkout address of an order or monthly gift (a signed reference)."""
    token = signing.dumps(obj.reference, salt=CHECKOUT_SALT)
    return reverse("payments:checkout", args=[token])
