"""What events does when a signal arrives: payments' (`payments.signals`: a paid order, a
sponsored-places count) and its own cancellations (`events.signals`), which it turns into
refund requests to payments. Payments never imports events; events may call payments."""

import logging

from django.core.exceptions import ValidationError
from django.dispatch import receiver

from events.for_payments import paid_online, registration_ids, registration_reference, registrations_by_reference
from events.models import EventPage
from events.services import event_sponsored_places_set, registration_confirm_paid
from events.signals import event_cancelled, ticket_cancelled
from payments.signals import payment_succeeded, sponsorship_changed
from payments.tickets import ticket_refunds_queue

logger = logging.getLogger(__name__)


@receiver(payment_succeeded, dispatch_uid="events_confirm_paid_registrations")
def confirm_paid_registrations(sender, *, item_references, **kwargs) -> dict[str, list[str]]:
    """Confirm each paid registration among the order's ticket references (idempotent).
    Returns which were confirmed and which were refused (no place is held for them any more:
    payments must refund those); references that are not registrations are left out. Moves
    no money and sends no email (the confirmation email is queued by the confirming service)."""
    ours = [reference for reference in item_references if registration_ids([reference])]
    registrations = registrations_by_reference(ours)
    confirmed, refused = [], []
    for reference in ours:
        registration = registrations.get(reference)
        try:
            if registration is None:
                raise ValidationError("This booking no longer exists.")
            registration_confirm_paid(registration=registration)
        except ValidationError:
            logger.warning("paid ticket %s could not be confirmed; it needs a refund", reference)
            refused.append(reference)
        else:
            confirmed.append(reference)
    return {"confirmed": confirmed, "refused": refused}


@receiver(sponsorship_changed, dispatch_uid="events_set_sponsored_places")
def set_sponsored_places(sender, *, page_id, places, **kwargs) -> None:
    """Donors' gifts now pay for `places` funded places on this page: when it is an event,
    add them to its first funded ticket type (absolute, under the event's lock)."""
    event = EventPage.objects.filter(pk=page_id).first()
    if event is not None:
        event_sponsored_places_set(event=event, places=places)


@receiver(event_cancelled, dispatch_uid="events_refund_cancelled_event")
def refund_cancelled_event(sender, *, event, registrations, **kwargs) -> None:
    """An event was cancelled: ask payments to refund every ticket paid online (queued)."""
    paid = [registration_reference(registration) for registration in registrations if paid_online(registration)]
    ticket_refunds_queue(item_references=paid, reason="Event cancelled")


@receiver(ticket_cancelled, dispatch_uid="events_refund_cancelled_ticket")
def refund_cancelled_ticket(sender, *, registration, **kwargs) -> None:
    """A holder cancelled their own ticket before the cut-off: ask payments to refund it if
    it was paid online (queued)."""
    if paid_online(registration):
        ticket_refunds_queue(
            item_references=[registration_reference(registration)], reason="Ticket cancelled by its holder"
        )
