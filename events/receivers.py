"""What events does when another app sends one of the signals in `events.signals`."""

import logging

from django.core.exceptions import ValidationError
from django.dispatch import receiver

from events.signals import payment_succeeded

logger = logging.getLogger(__name__)


@receiver(payment_succeeded, dispatch_uid="events_confirm_paid_registrations")
def confirm_paid_registrations(sender, *, registrations, **kwargs) -> dict[str, list[int]]:
    """Confirm each paid registration (idempotent). Returns which were confirmed and which
    were refused (no place is held for them any more: payments must refund those). Moves
    no money and sends no email."""
    from events.services import registration_confirm_paid

    confirmed, refused = [], []
    for registration in registrations:
        try:
            registration_confirm_paid(registration=registration)
        except ValidationError:
            logger.warning("paid registration %s could not be confirmed; it needs a refund", registration.pk)
            refused.append(registration.pk)
        else:
            confirmed.append(registration.pk)
    return {"confirmed": confirmed, "refused": refused}
