"""Where payments meets events: the one module of payments that refers to the events app.

Events defines the contract (`events/signals.py`): payments sends `payment_succeeded`
with the paid registrations; the events receiver confirms each with
`registration_confirm_paid` and answers which it refused (the hold expired and the event
filled up, or the booking was cancelled). Those need a refund: no money is kept for a
place that does not exist.
"""

import logging

logger = logging.getLogger(__name__)


def tickets_confirm_paid(*, registrations: list) -> list[int]:
    """Confirm paid registrations through events; returns the ids events refused. Runs in
    the caller's transaction (confirming is idempotent). Moves no money, sends no email.
    With no receiver connected every registration counts as refused, so the order is
    flagged rather than silently kept."""
    from events.signals import payment_succeeded
    from payments.models import Order

    answers = [answer for _receiver, answer in payment_succeeded.send(sender=Order, registrations=registrations)]
    answers = [answer for answer in answers if isinstance(answer, dict)]
    if not answers:
        logger.error("no receiver confirmed %s paid registrations", len(registrations))
        return [registration.pk for registration in registrations]
    confirmed = {pk for answer in answers for pk in answer.get("confirmed", [])}
    return [registration.pk for registration in registrations if registration.pk not in confirmed]
