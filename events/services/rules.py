"""What every selling flow shares: the event's lock and the rules for when a place may be sold."""

from datetime import datetime, timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import dateformat
from django.utils.translation import gettext as _

from core.locking import for_update
from core.page_cache import bump
from events.availability import places_key
from events.models import Audience, EventPage, Registration, TicketType
from events.selectors import is_member

Status = Registration.Status
MAX_TICKETS_PER_BOOKING = 10


def event_lock(event: EventPage) -> None:
    """Serialise selling for one event (the ticket-type rows are the lock; refuses outside a
    transaction). Every write that changes places takes it, so this is also where the cached
    event page is told (after commit) that its places may have changed."""
    list(for_update(TicketType.objects.filter(event_id=event.pk).order_by("pk")).values_list("pk", flat=True))
    transaction.on_commit(partial(bump, places_key(event.pk)))


def check_on_sale(event: EventPage, ticket_type: TicketType, user, now: datetime) -> None:
    """Refuse, saying why, when this ticket type of this event cannot be sold to `user` now."""
    registration = event.registration_state(now)
    if registration == "cancelled":
        raise ValidationError(_("This event has been cancelled."), code="cancelled")
    if registration == "not_open":
        opens = event.registration_opens_at
        raise ValidationError(
            _("Booking opens on %(day)s at %(time)s.")
            % {"day": dateformat.format(opens, "j F Y"), "time": f"{opens:%H:%M}"},
            code="not_open",
        )
    if registration == "closed":
        raise ValidationError(_("Booking for this event has closed."), code="closed")
    if ticket_type.event_id != event.pk:
        raise ValidationError(_("That ticket is not for this event."), code="other_event")
    if not ticket_type.on_sale_at(now):
        raise ValidationError(
            _("'%(ticket_type)s' tickets are not on sale now.") % {"ticket_type": ticket_type.name}, code="not_on_sale"
        )
    if event.audience != Audience.PUBLIC and not is_member(user):
        if user is not None and user.is_authenticated:
            raise ValidationError(
                _(
                    "This event is for members of the network, and your account is not a member's account yet. "
                    "You can apply to join: membership is free."
                ),
                code="members_only",
            )
        raise ValidationError(_("This event is for members of the network. Sign in to book."), code="members_only")


def initial_state(ticket_type: TicketType, amount: int, event: EventPage, now: datetime) -> dict:
    """A new booking's status fields: waiting for approval, confirmed (costs nothing), or held
    for payment for the event's reservation minutes."""
    if ticket_type.approval_required:
        return {"status": Status.PENDING, "reserved_until": None, "confirmed_at": None}
    if amount == 0:
        return {"status": Status.CONFIRMED, "reserved_until": None, "confirmed_at": now}
    return {"status": Status.RESERVED, "reserved_until": now + timedelta(minutes=event.reservation_minutes)}
