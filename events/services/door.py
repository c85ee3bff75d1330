"""At the door: checking a ticket in (once, however many devices scan it) and undoing a
check-in made by mistake."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit_record
from core.codes import normalise_code
from core.locking import for_update
from events.models import EventPage, Registration

Status = Registration.Status

NOT_USABLE = {
    Status.PENDING: gettext_lazy("This booking is still waiting for approval, so the ticket cannot be used yet."),
    Status.RESERVED: gettext_lazy(
        "This ticket is not paid yet. Take payment at the door, mark it paid, then check it in."
    ),
    Status.CANCELLED: gettext_lazy("This ticket was cancelled and cannot be used."),
}


def _door_ticket(event: EventPage, code: str) -> Registration:
    """The ticket with this code, row-locked; refuses unknown codes and other events' tickets."""
    registration = for_update(Registration.objects.select_related("event")).filter(code=normalise_code(code)).first()
    if registration is None:
        raise ValidationError(_("No ticket has that code."), code="unknown")
    if registration.event_id != event.pk:
        raise ValidationError(
            _("This ticket is for another event: %(title)s.") % {"title": registration.event.title}, code="other_event"
        )
    return registration


@transaction.atomic
def registration_check_in(*, event: EventPage, code: str, actor, now=None) -> tuple[Registration, bool]:
    """Check a ticket in at the door. Returns (registration, first_time). A second scan,
    from any device, returns first_time False with the time of the first; the row lock
    makes simultaneous scans count once. Refuses other events' tickets and unpaid or
    cancelled ones, saying which."""
    now = now or timezone.now()
    registration = _door_ticket(event, code)
    if registration.status == Status.CHECKED_IN:
        return registration, False
    if registration.status != Status.CONFIRMED:
        raise ValidationError(NOT_USABLE[registration.status], code=registration.status)
    registration.status = Status.CHECKED_IN
    registration.checked_in_at = now
    registration.checked_in_by = actor if actor is not None and actor.is_authenticated else None
    registration.save(update_fields=["status", "checked_in_at", "checked_in_by"])
    audit_record(actor=actor, action="registration.checked_in", obj=registration)
    return registration, True


@transaction.atomic
def registration_check_in_undo(*, event: EventPage, code: str, actor) -> tuple[Registration, bool]:
    """Undo a check-in made by mistake: the ticket is confirmed again and can be scanned
    again. Returns (registration, undone); undoing a ticket that is not checked in changes
    nothing and returns undone False, so a retried request is harmless. Refuses unknown
    codes and other events' tickets, as check-in does. Sends no email."""
    registration = _door_ticket(event, code)
    if registration.status != Status.CHECKED_IN:
        return registration, False
    registration.status = Status.CONFIRMED
    registration.checked_in_at = None
    registration.checked_in_by = None
    registration.save(update_fields=["status", "checked_in_at", "checked_in_by"])
    audit_record(actor=actor, action="registration.check_in_undone", obj=registration)
    return registration, True
