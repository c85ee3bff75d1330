"""Selling places: reservations, confirmation, expiry, the waiting list and check-in.

Every sale for an event is serialised by `_lock_event` (row locks on the event's ticket
types, SELECT ... FOR UPDATE on PostgreSQL), and capacity is read under that lock from
`events.availability`, so no event is ever oversold. Services are keyword-only, atomic,
and raise ValidationError with a message a person can act on. `now` may be passed in so
tests can move the clock.
"""

from datetime import datetime, timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import MemberProfile
from core.audit import audit_record
from core.codes import normalise_code
from core.page_cache import bump
from core.tasks import enqueue_on_commit
from events.availability import places_key, places_left_by_ticket_type
from events.forms import event_currency
from events.models import Audience, EventPage, Registration, TicketType, WaitingListEntry
from core.money import format_money

Status = Registration.Status


def _confirmation_after_commit(registration: Registration) -> None:
    from events.emails import confirmation_after_commit

    confirmation_after_commit(registration)


def _offer_after_commit(entry: WaitingListEntry) -> None:
    from events.emails import offer_after_commit

    offer_after_commit(entry)


def _lock_event(event: EventPage) -> None:
    """Serialise selling for one event (the ticket-type rows are the lock). Every write that
    changes places takes it, so this is also where the cached event page is told (after
    commit) that its places may have changed."""
    list(TicketType.objects.select_for_update().filter(event_id=event.pk).order_by("pk").values_list("pk", flat=True))
    transaction.on_commit(partial(bump, places_key(event.pk)))


def is_member(user) -> bool:
    """A signed-in person with a member profile that was not erased."""
    return (
        user is not None
        and user.is_authenticated
        and MemberProfile.objects.filter(user=user, erased_at__isnull=True).exists()
    )


def _check_on_sale(event: EventPage, ticket_type: TicketType, user, now: datetime) -> None:
    registration = event.registration_state(now)
    if registration == "cancelled":
        raise ValidationError("This event has been cancelled.")
    if registration == "not_open":
        raise ValidationError(f"Booking opens on {event.registration_opens_at:%-d %B %Y at %H:%M}.")
    if registration == "closed":
        raise ValidationError("Booking for this event has closed.")
    if ticket_type.event_id != event.pk:
        raise ValidationError("That ticket is not for this event.")
    if not ticket_type.on_sale_at(now):
        raise ValidationError(f"'{ticket_type.name}' tickets are not on sale now.")
    if event.audience != Audience.PUBLIC and not is_member(user):
        if user is not None and user.is_authenticated:
            raise ValidationError(
                "This event is for members of the network, and your account is not a member's account yet. "
                "You can apply to join: membership is free."
            )
        raise ValidationError("This event is for members of the network. Sign in to book.")


def ticket_amount(ticket_type: TicketType, amount_minor: int | None = None) -> int:
    """What one place costs, in minor units, decided on the server: the set price, or for pay
    what you can the amount chosen (at least the minimum). Funded and free places cost 0."""
    if ticket_type.funded:
        return 0
    if ticket_type.pay_what_you_can:
        chosen = ticket_type.minimum_minor if amount_minor is None else int(amount_minor)
        if chosen < ticket_type.minimum_minor:
            raise ValidationError(
                f"The least you can pay for '{ticket_type.name}' is "
                f"{format_money(ticket_type.minimum_minor, event_currency(ticket_type.event))}."
            )
        return chosen
    return ticket_type.price_minor


def _initial_state(ticket_type: TicketType, amount: int, event: EventPage, now: datetime) -> dict:
    if ticket_type.approval_required:
        return {"status": Status.PENDING, "reserved_until": None, "confirmed_at": None}
    if amount == 0:
        return {"status": Status.CONFIRMED, "reserved_until": None, "confirmed_at": now}
    return {"status": Status.RESERVED, "reserved_until": now + timedelta(minutes=event.reservation_minutes)}


MAX_TICKETS_PER_BOOKING = 10


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
    from events.models.records import new_booking_reference

    now = now or timezone.now()
    if not 1 <= quantity <= MAX_TICKETS_PER_BOOKING:
        raise ValidationError(f"You can book between 1 and {MAX_TICKETS_PER_BOOKING} tickets at a time.")
    _check_on_sale(event, ticket_type, user, now)
    amount = ticket_amount(ticket_type, amount_minor)
    _lock_event(event)
    left = places_left_by_ticket_type(event, now).get(ticket_type.pk, 0)
    if left <= 0:
        raise ValidationError("Sorry, there are no places left. You can join the waiting list.")
    if left < quantity:
        raise ValidationError(
            f"Only {left} place{'s are' if left != 1 else ' is'} left for '{ticket_type.name}'. "
            f"Please choose {left} or fewer. Nothing was booked."
        )
    booking = new_booking_reference()
    registrations = [
        Registration.objects.create(
            event=event,
            ticket_type=ticket_type,
            user=user if user is not None and user.is_authenticated else None,
            email=email.strip().lower(),
            attendee_name=attendee_name.strip(),
            amount_minor=amount,
            booking=booking,
            **_initial_state(ticket_type, amount, event, now),
        )
        for _ in range(quantity)
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


def booking_registrations(registration: Registration) -> list[Registration]:
    """Every ticket booked together with this one (itself included), oldest first."""
    if not registration.booking:
        return [registration]
    return list(
        Registration.objects.filter(event_id=registration.event_id, booking=registration.booking)
        .select_related("event", "ticket_type")
        .order_by("pk")
    )


@transaction.atomic
def registration_confirm_paid(
    *, registration: Registration, actor=None, at_door: bool = False, now=None
) -> Registration:
    """A paid reservation is confirmed (by the payment webhook, or staff taking payment at
    the door). Confirms even after the hold expired if a place is still free; otherwise
    refuses, so money is never kept for a place that does not exist. Idempotent. Moves no
    money itself; queues the confirmation email (PDF ticket) after commit."""
    now = now or timezone.now()
    _lock_event(registration.event)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status in (Status.CONFIRMED, Status.CHECKED_IN):
        return registration
    if registration.status == Status.CANCELLED or registration.reserved_until is None:
        raise ValidationError("This booking is no longer held.")
    if (
        registration.reserved_until <= now
        and places_left_by_ticket_type(registration.event, now).get(registration.ticket_type_id, 0) <= 0
    ):
        raise ValidationError("The hold expired and the event is now full.")
    registration.status = Status.CONFIRMED
    registration.confirmed_at = now
    registration.paid_at = now
    registration.paid_at_door = at_door
    registration.save(update_fields=["status", "confirmed_at", "paid_at", "paid_at_door"])
    audit_record(actor=actor, action="registration.confirmed", obj=registration)
    _confirmation_after_commit(registration)
    return registration


@transaction.atomic
def registration_approve(*, registration: Registration, actor, now=None) -> Registration:
    """Event staff approve a booking that needed approval: a place that costs nothing is
    confirmed (and its confirmation email queued after commit); a paid one is held for
    payment for the event's reservation minutes."""
    now = now or timezone.now()
    _lock_event(registration.event)
    registration = Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
    if registration.status != Status.PENDING:
        raise ValidationError("This booking is not waiting for approval.")
    if registration.amount_minor == 0:
        registration.status, registration.confirmed_at = Status.CONFIRMED, now
    else:
        registration.status = Status.RESERVED
        registration.reserved_until = now + timedelta(minutes=registration.event.reservation_minutes)
    registration.save(update_fields=["status", "confirmed_at", "reserved_until"])
    audit_record(actor=actor, action="registration.approved", obj=registration)
    if registration.status == Status.CONFIRMED:
        _confirmation_after_commit(registration)
    return registration


def _cancel_and_pass_on(
    registration: Registration, *, actor, now: datetime, allowed, refusal: str, action: str
) -> Registration:
    """Under the event's lock: cancel a booking whose status is in `allowed` (else refuse
    with `refusal`), record `action`, and offer its place to the waiting list. The returned
    registration's `place_offered` says whether anyone was offered a place."""
    _lock_event(registration.event)
    registration = Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
    if registration.status not in allowed:
        raise ValidationError(refusal)
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
        refusal="This ticket can no longer be cancelled.",
        action="registration.cancelled",
    )


# Waiting list ----------------------------------------------------------------------------


@transaction.atomic
def waiting_list_join(
    *, event: EventPage, ticket_type: TicketType, email: str, user=None, now=None
) -> WaitingListEntry:
    """Join the waiting list of a sold-out ticket type (once per email)."""
    now = now or timezone.now()
    _check_on_sale(event, ticket_type, user, now)
    _lock_event(event)
    if places_left_by_ticket_type(event, now).get(ticket_type.pk, 0) > 0:
        raise ValidationError("There are places left: you can book one now.")
    email = email.strip().lower()
    existing = WaitingListEntry.objects.filter(
        event=event, email=email, status__in=[WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED]
    ).first()
    if existing:
        return existing
    return WaitingListEntry.objects.create(
        event=event, ticket_type=ticket_type, email=email, user=user if user and user.is_authenticated else None
    )


def waiting_list_offer_next(*, event: EventPage, now=None) -> list[WaitingListEntry]:
    """Offer freed places, in order of joining, each held for the event's offer hours, and
    queue each offer's email (a signed link to accept) after commit.
    Call inside a transaction that holds the event lock."""
    now = now or timezone.now()
    offered = []
    left = places_left_by_ticket_type(event, now)
    for ticket_type_id, places in left.items():
        waiting = WaitingListEntry.objects.filter(
            event=event, ticket_type_id=ticket_type_id, status=WaitingListEntry.Status.WAITING
        ).order_by("created_at", "pk")[:places]
        for entry in waiting:
            entry.status = WaitingListEntry.Status.OFFERED
            entry.offered_until = now + timedelta(hours=event.offer_hours)
            entry.save(update_fields=["status", "offered_until"])
            audit_record(actor=None, action="waiting_list.offered", obj=entry)
            _offer_after_commit(entry)
            offered.append(entry)
    return offered


@transaction.atomic
def waiting_list_accept(*, entry: WaitingListEntry, now=None) -> Registration:
    """Take the offered place (it was held for this person, so no capacity check is needed).
    A place that costs nothing is confirmed and its confirmation email queued after commit;
    a paid one is held for payment like any reservation."""
    now = now or timezone.now()
    _lock_event(entry.event)
    entry = WaitingListEntry.objects.select_for_update().select_related("event", "ticket_type").get(pk=entry.pk)
    if entry.status != WaitingListEntry.Status.OFFERED or entry.offered_until <= now:
        raise ValidationError("This offer has ended. You are welcome to join the waiting list again.")
    amount = ticket_amount(entry.ticket_type)
    registration = Registration.objects.create(
        event=entry.event,
        ticket_type=entry.ticket_type,
        user=entry.user,
        email=entry.email,
        amount_minor=amount,
        **_initial_state(entry.ticket_type, amount, entry.event, now),
    )
    entry.status = WaitingListEntry.Status.ACCEPTED
    entry.registration = registration
    entry.save(update_fields=["status", "registration"])
    audit_record(actor=entry.user, action="waiting_list.accepted", obj=entry)
    if registration.status == Status.CONFIRMED:
        _confirmation_after_commit(registration)
    return registration


def events_housekeeping(*, now=None) -> dict[str, int]:
    """Release expired reservations and untaken offers, and pass places on. Idempotent."""
    now = now or timezone.now()
    released = expired = 0
    event_ids = set(
        Registration.objects.filter(status=Status.RESERVED, reserved_until__lte=now).values_list("event_id", flat=True)
    ) | set(
        WaitingListEntry.objects.filter(status=WaitingListEntry.Status.OFFERED, offered_until__lte=now).values_list(
            "event_id", flat=True
        )
    )
    for event in EventPage.objects.filter(pk__in=event_ids):
        with transaction.atomic():
            _lock_event(event)
            released += Registration.objects.filter(
                event=event, status=Status.RESERVED, reserved_until__lte=now
            ).update(status=Status.CANCELLED)
            expired += WaitingListEntry.objects.filter(
                event=event, status=WaitingListEntry.Status.OFFERED, offered_until__lte=now
            ).update(status=WaitingListEntry.Status.EXPIRED)
            waiting_list_offer_next(event=event, now=now)
    return {"reservations_released": released, "offers_expired": expired}


# Self-service --------------------------------------------------------------------------


def self_service_deadline(event: EventPage) -> datetime:
    """Until when attendees may cancel or pass on their own ticket."""
    return event.starts_at - timedelta(hours=event.self_service_cutoff_hours)


def _check_self_service_open(event: EventPage, now: datetime) -> None:
    if event.cancelled:
        raise ValidationError("This event has been cancelled, so there is nothing to change.")
    if now >= self_service_deadline(event):
        raise ValidationError(
            f"Tickets for this event can be changed online until {event.self_service_cutoff_hours} hours "
            "before it starts, and that time has passed. Please contact us if you cannot come."
        )


@transaction.atomic
def registration_self_cancel(*, registration: Registration, now=None) -> Registration:
    """The holder cancels their own booking from their ticket page. Refuses after the
    event's self-service cut-off, for a cancelled event, and for tickets already cancelled or
    checked in. The place goes to the waiting list or back on sale (`registration_cancel`).
    Queues an email to the holder saying it is cancelled, and after commit sends
    `events.signals.ticket_cancelled` (payments refunds a ticket paid online from it). Moves
    no money itself."""
    from events.emails import registration_cancelled_email
    from events.signals import ticket_cancelled

    now = now or timezone.now()
    _check_self_service_open(registration.event, now)
    registration = registration_cancel(registration=registration, actor=registration.user, now=now)
    transaction.on_commit(lambda: ticket_cancelled.send(sender=Registration, registration=registration))
    enqueue_on_commit(registration_cancelled_email, registration_id=registration.pk)
    return registration


@transaction.atomic
def registration_transfer(*, registration: Registration, email: str, attendee_name: str = "", now=None) -> Registration:
    """The holder passes their confirmed ticket to someone else. The ticket gets a new code
    (so the old code, and every link holding it, stops working), the new holder's email and
    optional name; the confirmation and reminder count as unsent. Refuses after the
    self-service cut-off, for tickets that are not confirmed, for the same address, and for
    members-only events unless the new address belongs to a member. After commit, queues the
    confirmation (with the new ticket) to the new holder and a short notice to the previous
    one. Moves no money."""
    from django.contrib.auth import get_user_model

    from events.emails import registration_transferred_email
    from events.models.records import new_ticket_code

    now = now or timezone.now()
    _lock_event(registration.event)
    registration = Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
    event = registration.event
    _check_self_service_open(event, now)
    if registration.status != Status.CONFIRMED:
        raise ValidationError("Only a confirmed ticket can be passed on.")
    email = email.strip().lower()
    if email == registration.email:
        raise ValidationError("That is already the email address on this ticket. Enter the new holder's address.")
    holder = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
    if event.audience != Audience.PUBLIC and not is_member(holder):
        raise ValidationError(
            "This event is for members of the network, and that email address does not belong to a member."
        )
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
    _confirmation_after_commit(registration)
    enqueue_on_commit(registration_transferred_email, event_id=event.pk, email=previous_email)
    return registration


# Check-in ------------------------------------------------------------------------------

NOT_USABLE = {
    Status.PENDING: "This booking is still waiting for approval, so the ticket cannot be used yet.",
    Status.RESERVED: "This ticket is not paid yet. Take payment at the door, mark it paid, then check it in.",
    Status.CANCELLED: "This ticket was cancelled and cannot be used.",
}


def _door_ticket(event: EventPage, code: str) -> Registration:
    """The ticket with this code, row-locked; refuses unknown codes and other events' tickets."""
    registration = (
        Registration.objects.select_for_update().select_related("event").filter(code=normalise_code(code)).first()
    )
    if registration is None:
        raise ValidationError("No ticket has that code.", code="unknown")
    if registration.event_id != event.pk:
        raise ValidationError(f"This ticket is for another event: {registration.event.title}.", code="other_event")
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
        refusal="This booking is not waiting for approval.",
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
    from core.page_cache import purge_all
    from events.signals import event_cancelled
    from events.tasks import event_cancelled_email

    now = now or timezone.now()
    _lock_event(event)
    event = EventPage.objects.select_for_update().get(pk=event.pk)
    if event.cancelled:
        raise ValidationError("This event is already cancelled.")
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
        enqueue_on_commit(event_cancelled_email, event_id=event.pk, email=address, reason=reason)
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
        _lock_event(event)
        minutes = timedelta(minutes=event.reservation_minutes)
        rows = Registration.objects.select_for_update().filter(
            pk__in=registration_ids, event=event, status=Status.RESERVED, reserved_until__gt=now
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


# Sponsored places ----------------------------------------------------------------------------


@transaction.atomic
def event_sponsored_places_set(*, event: EventPage, places: int) -> int:
    """Set how many funded places donors have paid for on this event (payments recounts them
    from succeeded, unrefunded earmarked gifts and calls this). Absolute, so running it twice
    changes nothing; a lower number (a refund) takes places back off sale, never a ticket
    already booked. Under the event's lock, then offers any freed places to the waiting
    list. Returns the number set. Moves no money and names no one."""
    from events.models import SponsoredPlaces

    places = max(0, int(places))
    _lock_event(event)
    row, _created = SponsoredPlaces.objects.select_for_update().get_or_create(event=event)
    if row.places != places:
        row.places = places
        row.save(update_fields=["places", "updated_at"])
        audit_record(actor=None, action="event.sponsored_places", obj=event, places=places)
        waiting_list_offer_next(event=event)
    return places
