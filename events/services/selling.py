"""Selling places: reserving, confirming a paid place, staff approving or declining, cancelling
(one booking, or a whole event), and more time to pay.

Every sale for an event is serialised by `event_lock` (row locks on the event's ticket types,
through `core.locking.for_update`), and capacity is read under that lock from
`events.availability`, so no event is ever oversold. Services are keyword-only, atomic, and
raise ValidationError (with a `code`) with a message a person can act on. `now` may be passed
in so tests can move the clock.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.audit import audit_record
from core.i18n import active_language
from core.locking import for_update
from core.page_cache import purge_all
from core.tasks import enqueue_on_commit
from events.availability import places_left_by_ticket_type
from events.models import EventPage, Registration, TicketType, WaitingListEntry
from events.models.records import new_booking_reference
from events.prices import ticket_amount
from events.services.rules import MAX_TICKETS_PER_BOOKING, check_on_sale, event_lock, initial_state
from events.services.waiting_list import waiting_list_offer_next
from events.signals import event_cancelled
from events.tasks import event_cancelled_send, registration_confirmation_send

Status = Registration.Status


@transaction.atomic
def registrations_reserve(
    *,
    event: EventPage,
    ticket_type: TicketType,
    email: str,
    quantity: int = 1,
    user=None,
    attendee_name: str = "",
    amount_minor: int | None = None,
    now=None,
) -> list[Registration]:
    """Take `quantity` places of one ticket type, all or none, under the event's lock; each
    is its own ticket (code, QR, PDF) and they share a booking reference. Places that cost
    nothing (free, funded, or pay what you can at 0) are confirmed at once; paid ones are
    held for the event's reservation minutes while payment happens; tickets needing approval
    wait (holding their places) for Event staff. Refuses (changing nothing) a quantity
    outside 1..MAX_TICKETS_PER_BOOKING, more places than are left, and when sold out,
    closed, not on sale, or members-only without a member signed in. Sends no email:
    callers send the confirmations after commit."""
    now = now or timezone.now()
    if not 1 <= quantity <= MAX_TICKETS_PER_BOOKING:
        raise ValidationError(
            _("You can book between 1 and %(most)s tickets at a time.") % {"most": MAX_TICKETS_PER_BOOKING},
            code="quantity",
        )
    check_on_sale(event, ticket_type, user, now)
    if ticket_type.hidden:
        raise ValidationError(_("This ticket is booked with an access code only."), code="needs_code")
    amount = ticket_amount(ticket_type, amount_minor)
    event_lock(event)
    left = places_left_by_ticket_type(event, now).get(ticket_type.pk, 0)
    if left <= 0:
        raise ValidationError(_("Sorry, there are no places left. You can join the waiting list."), code="sold_out")
    if left < quantity:
        raise ValidationError(
            ngettext(
                "Only %(left)s place is left for '%(ticket_type)s'. Please choose %(left)s or fewer. "
                "Nothing was booked.",
                "Only %(left)s places are left for '%(ticket_type)s'. Please choose %(left)s or fewer. "
                "Nothing was booked.",
                left,
            )
            % {"left": left, "ticket_type": ticket_type.name},
            code="quantity",
        )
    booking = new_booking_reference()
    registrations = [
        Registration.objects.create(
            event=event,
            ticket_type=ticket_type,
            user=user if user is not None and user.is_authenticated else None,
            email=email.strip().lower(),
            language=active_language(),
            attendee_name=attendee_name.strip(),
            amount_minor=amount,
            booking=booking,
            **initial_state(ticket_type, amount, event, now),
        )
        for _number in range(quantity)
    ]
    for registration in registrations:
        audit_record(actor=user, action=f"registration.{registration.status}", obj=registration)
    return registrations


def registration_reserve(
    *,
    event: EventPage,
    ticket_type: TicketType,
    email: str,
    user=None,
    attendee_name: str = "",
    amount_minor: int | None = None,
    now=None,
) -> Registration:
    """Take one place: `registrations_reserve` with a quantity of 1 (same rules)."""
    return registrations_reserve(
        event=event,
        ticket_type=ticket_type,
        email=email,
        quantity=1,
        user=user,
        attendee_name=attendee_name,
        amount_minor=amount_minor,
        now=now,
    )[0]


@transaction.atomic
def registration_confirm_paid(
    *, registration: Registration, actor=None, at_door: bool = False, now=None
) -> Registration:
    """A paid reservation is confirmed (by the payment webhook, or staff taking payment at
    the door). Confirms even after the hold expired if a place is still free; otherwise
    refuses, so money is never kept for a place that does not exist. Idempotent. Moves no
    money itself; queues the confirmation email (PDF ticket) after commit."""
    now = now or timezone.now()
    event_lock(registration.event)
    registration = for_update(Registration.objects.all()).get(pk=registration.pk)
    if registration.status in (Status.CONFIRMED, Status.CHECKED_IN):
        return registration
    if registration.status == Status.CANCELLED or registration.reserved_until is None:
        raise ValidationError(_("This booking is no longer held."), code="not_held")
    if (
        registration.reserved_until <= now
        and places_left_by_ticket_type(registration.event, now).get(registration.ticket_type_id, 0) <= 0
    ):
        raise ValidationError(_("The hold expired and the event is now full."), code="sold_out")
    registration.status = Status.CONFIRMED
    registration.confirmed_at = now
    registration.paid_at = now
    registration.paid_at_door = at_door
    registration.save(update_fields=["status", "confirmed_at", "paid_at", "paid_at_door"])
    audit_record(actor=actor, action="registration.confirmed", obj=registration)
    enqueue_on_commit(registration_confirmation_send, registration_id=registration.pk)
    return registration


@transaction.atomic
def registration_approve(*, registration: Registration, actor, now=None) -> Registration:
    """Event staff approve a booking that needed approval: a place that costs nothing is
    confirmed (and its confirmation email queued after commit); a paid one is held for
    payment for the event's reservation minutes."""
    now = now or timezone.now()
    event_lock(registration.event)
    registration = for_update(Registration.objects.select_related("event")).get(pk=registration.pk)
    if registration.status != Status.PENDING:
        raise ValidationError(_("This booking is not waiting for approval."), code="not_pending")
    if registration.amount_minor == 0:
        registration.status, registration.confirmed_at = Status.CONFIRMED, now
    else:
        registration.status = Status.RESERVED
        registration.reserved_until = now + timedelta(minutes=registration.event.reservation_minutes)
    registration.save(update_fields=["status", "confirmed_at", "reserved_until"])
    audit_record(actor=actor, action="registration.approved", obj=registration)
    if registration.status == Status.CONFIRMED:
        enqueue_on_commit(registration_confirmation_send, registration_id=registration.pk)
    return registration


def _cancel_and_pass_on(
    registration: Registration, *, actor, now: datetime, allowed, refusal: str, action: str
) -> Registration:
    """Under the event's lock: cancel a booking whose status is in `allowed` (else refuse
    with `refusal`), record `action`, and offer its place to the waiting list. The returned
    registration's `place_offered` says whether anyone was offered a place."""
    event_lock(registration.event)
    registration = for_update(Registration.objects.select_related("event")).get(pk=registration.pk)
    if registration.status not in allowed:
        raise ValidationError(refusal, code="not_cancellable")
    registration.status = Status.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at"])
    audit_record(actor=actor, action=action, obj=registration)
    # Whether the freed place was offered to someone waiting (else it is simply free again),
    # so the holder can be told the truth.
    registration.place_offered = bool(waiting_list_offer_next(event=registration.event, now=now))
    return registration


@transaction.atomic
def registration_cancel(*, registration: Registration, actor=None, now=None) -> Registration:
    """Cancel a booking; its place goes to the waiting list (or back on sale)."""
    return _cancel_and_pass_on(
        registration,
        actor=actor,
        now=now or timezone.now(),
        allowed=(Status.PENDING, Status.RESERVED, Status.CONFIRMED),
        refusal=_("This ticket can no longer be cancelled."),
        action="registration.cancelled",
    )


# Staff decisions ---------------------------------------------------------------------------


@transaction.atomic
def registration_decline(*, registration: Registration, actor, now=None) -> Registration:
    """Event staff decline a booking that was waiting for approval: it is cancelled and its
    place goes to the waiting list (or back on sale). Refuses a booking that is not waiting
    for approval. Moves no money (nothing was paid) and sends no email."""
    return _cancel_and_pass_on(
        registration,
        actor=actor,
        now=now or timezone.now(),
        allowed=(Status.PENDING,),
        refusal=_("This booking is not waiting for approval."),
        action="registration.declined",
    )


@transaction.atomic
def event_cancel(*, event: EventPage, actor, reason: str = "", now=None) -> list[Registration]:
    """Cancel an event: it is marked cancelled (its SEQUENCE grows, so calendars show it
    cancelled), every booking and waiting-list entry is cancelled, and, after commit, the
    page cache is purged, `events.signals.event_cancelled` is sent (payments refunds paid
    tickets from it) and every attendee and waiting-list person is emailed once by a task,
    without the venue of a sensitive event. Refuses an event already cancelled. Moves no
    money itself. Returns the registrations it cancelled."""
    now = now or timezone.now()
    event_lock(event)
    event = for_update(EventPage.objects.all()).get(pk=event.pk)
    if event.cancelled:
        raise ValidationError(_("This event is already cancelled."), code="cancelled")
    event.cancelled, event.cancelled_at = True, now
    event.save(clean=False, update_fields=["cancelled", "cancelled_at", "sequence"])
    registrations = list(Registration.objects.filter(event=event, status__in=Registration.HOLDS_PLACE))
    Registration.objects.filter(pk__in=[r.pk for r in registrations]).update(status=Status.CANCELLED, cancelled_at=now)
    for registration in registrations:
        registration.status, registration.cancelled_at = Status.CANCELLED, now
    open_entries = WaitingListEntry.objects.filter(
        event=event, status__in=[WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED]
    )
    addresses = {r.email for r in registrations} | set(open_entries.values_list("email", flat=True))
    open_entries.update(status=WaitingListEntry.Status.LEFT)
    audit_record(actor=actor, action="event.cancelled", obj=event, registrations=len(registrations))
    transaction.on_commit(purge_all)
    transaction.on_commit(
        lambda: event_cancelled.send(
            sender=EventPage, event=event, registrations=registrations, actor=actor, reason=reason
        )
    )
    for address in sorted(addresses):
        enqueue_on_commit(event_cancelled_send, event_id=event.pk, email=address, reason=reason)
    return registrations


# More time to pay ----------------------------------------------------------------------------

# How many times a hold for payment can be given the event's reservation minutes again.
HOLD_EXTENSIONS = 2


@transaction.atomic
def registrations_hold_extend(*, registration_ids: list[int], now=None) -> list[Registration]:
    """More time to pay (WCAG 2.2.1: a time limit the person can extend): each of these
    reservations still held is held for the event's reservation minutes again from now, up
    to HOLD_EXTENSIONS times the first hold (created_at + (1 + HOLD_EXTENSIONS) x minutes),
    so a place cannot be kept off sale for long. Under each event's lock, so housekeeping
    cannot release it meanwhile; a hold that has already lapsed is not revived. Returns the
    reservations still held, as they are now."""
    now = now or timezone.now()
    held = []
    event_ids = sorted(
        set(
            Registration.objects.filter(pk__in=registration_ids, status=Status.RESERVED).values_list(
                "event_id", flat=True
            )
        )
    )
    for event in EventPage.objects.filter(pk__in=event_ids).order_by("pk"):
        event_lock(event)
        minutes = timedelta(minutes=event.reservation_minutes)
        rows = for_update(
            Registration.objects.filter(
                pk__in=registration_ids, event=event, status=Status.RESERVED, reserved_until__gt=now
            )
        )
        for registration in rows:
            until = min(now + minutes, registration.created_at + minutes * (1 + HOLD_EXTENSIONS))
            if until > registration.reserved_until:
                registration.reserved_until = until
                registration.save(update_fields=["reserved_until"])
                audit_record(actor=None, action="registration.hold_extended", obj=registration)
            registration.event = event  # read by callers (its time zone), without a query each
            held.append(registration)
    return held
