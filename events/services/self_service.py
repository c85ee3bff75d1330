"""What a ticket holder does themselves from their ticket page, before the event's
self-service cut-off: cancel, or pass the ticket on to someone else."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.audit import audit_record
from core.locking import for_update
from core.tasks import enqueue_on_commit
from events.models import Audience, EventPage, Registration
from events.models.records import new_ticket_code
from events.selectors import self_service_deadline
from events.services.rules import event_lock
from events.services.selling import registration_cancel
from events.signals import ticket_cancelled
from events.tasks import (
    registration_cancelled_send,
    registration_confirmation_send,
    registration_transferred_send,
)

Status = Registration.Status
MEMBERS_TICKET_NOT_TRANSFERABLE = gettext_lazy(
    "Tickets for events for members cannot be passed on online. If you cannot come, cancel your "
    "ticket so the place goes to the next member, or ask the events team."
)


def _check_self_service_open(event: EventPage, now: datetime) -> None:
    if event.cancelled:
        raise ValidationError(_("This event has been cancelled, so there is nothing to change."), code="cancelled")
    if now >= self_service_deadline(event):
        raise ValidationError(
            ngettext(
                "Tickets for this event can be changed online until %(hours)s hour before it starts, "
                "and that time has passed. Please contact us if you cannot come.",
                "Tickets for this event can be changed online until %(hours)s hours before it starts, "
                "and that time has passed. Please contact us if you cannot come.",
                event.self_service_cutoff_hours,
            )
            % {"hours": event.self_service_cutoff_hours},
            code="too_late",
        )


@transaction.atomic
def registration_self_cancel(*, registration: Registration, now=None) -> Registration:
    """The holder cancels their own booking from their ticket page. Refuses after the
    event's self-service cut-off, for a cancelled event, and for tickets already cancelled or
    checked in. The place goes to the waiting list or back on sale (`registration_cancel`).
    Queues an email to the holder saying it is cancelled, and after commit sends
    `events.signals.ticket_cancelled` (payments refunds a ticket paid online from it). Moves
    no money itself."""
    now = now or timezone.now()
    _check_self_service_open(registration.event, now)
    registration = registration_cancel(registration=registration, actor=registration.user, now=now)
    transaction.on_commit(lambda: ticket_cancelled.send(sender=Registration, registration=registration))
    enqueue_on_commit(registration_cancelled_send, registration_id=registration.pk)
    return registration


@transaction.atomic
def registration_transfer(*, registration: Registration, email: str, attendee_name: str = "", now=None) -> Registration:
    """The holder passes their confirmed ticket to someone else. The ticket gets a new code
    (so the old code, and every link holding it, stops working), the new holder's email and
    optional name; the confirmation and reminder count as unsent. Refuses after the
    self-service cut-off, for tickets that are not confirmed, for the same address, and for
    every ticket of an event that is not public, whatever the address: checking that the new
    address belongs to a member would tell the holder who is one (issue 23). After commit, queues the
    confirmation (with the new ticket) to the new holder and a short notice to the previous
    one. Moves no money."""
    now = now or timezone.now()
    event_lock(registration.event)
    registration = for_update(Registration.objects.select_related("event")).get(pk=registration.pk)
    event = registration.event
    _check_self_service_open(event, now)
    if registration.status != Status.CONFIRMED:
        raise ValidationError(_("Only a confirmed ticket can be passed on."), code="not_confirmed")
    if event.audience != Audience.PUBLIC:
        raise ValidationError(MEMBERS_TICKET_NOT_TRANSFERABLE, code="members_only")
    email = email.strip().lower()
    if email == registration.email:
        raise ValidationError(
            _("That is already the email address on this ticket. Enter the new holder's address."), code="same_email"
        )
    holder = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
    previous_email = registration.email
    registration.email = email
    registration.attendee_name = attendee_name.strip()
    registration.user = holder
    registration.code = new_ticket_code()
    registration.booking = ""  # the new holder does not see the rest of the booking
    registration.confirmation_sent_at = None
    registration.reminder_sent_at = None
    registration.save(
        update_fields=["email", "attendee_name", "user", "code", "booking", "confirmation_sent_at", "reminder_sent_at"]
    )
    audit_record(actor=None, action="registration.transferred", obj=registration)
    enqueue_on_commit(registration_confirmation_send, registration_id=registration.pk)
    enqueue_on_commit(registration_transferred_send, event_id=event.pk, email=previous_email)
    return registration
