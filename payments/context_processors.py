"""`payments_demo` in every template: True when payments go to a Stripe stand-in (no real money)."""

from payments.gateway import is_demo


def payments_demo(request) -> dict:
    return {"payments_demo": is_demo()}
