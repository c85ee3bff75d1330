"""Allocated places (issue 19): staff give a partner a block of access codes on an event; a
code books one place of the block's ticket type (often one hidden from the public, such as a
funded survivor place), once.

Capacity: each unused code of a block neither expired nor revoked is a held place
(`events.availability`), so public sales never take it. Every write here holds the event's
lock (`event_lock`), like every sale.

A code stays used once it has booked. If its booking later lapses unpaid or is cancelled,
the place goes back on general sale like any other freed place (the code is not handed out
again): one code, one booking, and the partner's "used" count never goes down."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.audit import audit_record
from core.codes import normalise_code
from core.i18n import active_language
from core.locking import for_update
from core.tasks import enqueue_on_commit
from events.availability import places_left_by_ticket_type
from events.models import AccessCode, AccessCodeBlock, EventPage, Registration, TicketType
from events.models.records import new_booking_reference
from events.prices import ticket_amount
from events.services.rules import check_on_sale, event_lock, initial_state

MAX_PLACES_PER_BLOCK = 500


@transaction.atomic
def access_code_block_create(
    *, event: EventPage, partner, ticket_type: TicketType, places: int, expires_at: datetime, actor, now=None
) -> AccessCodeBlock:
    """Reserve `places` places of `ticket_type` for `partner` as that many access codes, until
    `expires_at`. Refuses (changing nothing) a number of places outside 1..MAX_PLACES_PER_BLOCK,
    an expiry in the past or after the event starts, a ticket type of another event, and more
    places than are left on the ticket type (read under the event's lock)."""
    now = now or timezone.now()
    if places is None or not 1 <= places <= MAX_PLACES_PER_BLOCK:
        raise ValidationError(
            _("Choose between 1 and %(most)s places.") % {"most": MAX_PLACES_PER_BLOCK}, code="places"
        )
    if ticket_type.event_id != event.pk:
        raise ValidationError(_("That ticket type is not for this event."), code="other_event")
    if expires_at <= now:
        raise ValidationError(_("The expiry must be in the future."), code="expiry_past")
    if expires_at > event.starts_at:
        raise ValidationError(
            _("The codes must expire before the event starts, or when it starts."), code="expiry_late"
        )
    event_lock(event)
    left = places_left_by_ticket_type(event, now).get(ticket_type.pk, 0)
    if places > left:
        raise ValidationError(
            ngettext(
                "Only %(left)s place is left for '%(ticket_type)s'. Allocate %(left)s or fewer.",
                "Only %(left)s places are left for '%(ticket_type)s'. Allocate %(left)s or fewer.",
                left,
            )
            % {"left": left, "ticket_type": ticket_type.name},
            code="places_left",
        )
    block = AccessCodeBlock.objects.create(
        event=event,
        partner=partner,
        ticket_type=ticket_type,
        expires_at=expires_at,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    AccessCode.objects.bulk_create([AccessCode(block=block) for _number in range(places)])
    audit_record(actor=actor, action="access_codes.allocated", obj=block, places=places, partner=partner.pk)
    return block


@transaction.atomic
def access_code_block_revoke(*, block: AccessCodeBlock, actor, now=None) -> AccessCodeBlock:
    """Staff end a block early: its unused codes stop working and their places return to sale
    at once. Bookings already made with its codes stand. Idempotent."""
    now = now or timezone.now()
    event_lock(block.event)
    block = for_update(AccessCodeBlock.objects.all()).get(pk=block.pk)
    if block.revoked_at is None:
        block.revoked_at = now
        block.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="access_codes.revoked", obj=block)
    return block


def access_code_find(*, event: EventPage, code: str, now=None) -> AccessCode:
    """The usable code `code` for `event` (no lock; for showing what a code unlocks before
    booking), or ValidationError saying why not."""
    now = now or timezone.now()
    access = AccessCode.objects.select_related("block", "block__ticket_type").filter(code=normalise_code(code)).first()
    _check_code(access, event, now)
    return access


def _check_code(access: AccessCode | None, event: EventPage, now) -> None:
    if access is None:
        raise ValidationError(
            _("We do not recognise that code. Please check it and try again. Nothing was booked."),
            code="unknown_code",
        )
    block = access.block
    if block.event_id != event.pk:
        raise ValidationError(_("This code is for a different event. Nothing was booked."), code="other_event_code")
    if access.used_at is not None:
        raise ValidationError(
            _("This code has already been used. Each code books one place. Nothing was booked."), code="used_code"
        )
    if block.revoked_at is not None:
        raise ValidationError(
            _("This code is no longer valid. Please ask whoever gave it to you. Nothing was booked."),
            code="revoked_code",
        )
    if block.expires_at <= now:
        raise ValidationError(
            _("This code has expired. Please ask whoever gave it to you. Nothing was booked."), code="expired_code"
        )


@transaction.atomic
def registration_reserve_with_code(
    *,
    event: EventPage,
    code: str,
    email: str,
    user=None,
    attendee_name: str = "",
    amount_minor: int | None = None,
    now=None,
) -> Registration:
    """Book one place with an access code, under the event's lock: the place comes from the
    code's block (its own unused place is counted as held until now). Refuses, changing
    nothing, an unknown code, one for another event, a used one, one of an expired or revoked
    block, and the event's own rules (closed, cancelled, members only). A place that costs
    nothing is confirmed at once; a paid one is held for payment like any sale."""
    now = now or timezone.now()
    event_lock(event)
    access = (
        for_update(AccessCode.objects.select_related("block", "block__ticket_type"), of=("self",))
        .filter(code=normalise_code(code))
        .first()
    )
    _check_code(access, event, now)
    ticket_type = access.block.ticket_type
    check_on_sale(event, ticket_type, user, now)
    amount = ticket_amount(ticket_type, amount_minor)
    # The code's own place stops being reserved, and is then taken like any other (in this
    # transaction: a refusal below rolls it back).
    access.used_at = now
    access.save(update_fields=["used_at"])
    if places_left_by_ticket_type(event, now).get(ticket_type.pk, 0) <= 0:
        raise ValidationError(_("Sorry, there are no places left. Nothing was booked."), code="sold_out")
    registration = Registration.objects.create(
        event=event,
        ticket_type=ticket_type,
        user=user if user is not None and user.is_authenticated else None,
        email=email.strip().lower(),
        language=active_language(),
        attendee_name=attendee_name.strip(),
        amount_minor=amount,
        booking=new_booking_reference(),
        **initial_state(ticket_type, amount, event, now),
    )
    access.registration = registration
    access.save(update_fields=["registration"])
    audit_record(
        actor=user, action=f"registration.{registration.status}", obj=registration, access_code_block=access.block_id
    )
    return registration


def booking_with_code(*, event: EventPage, code: str, email: str, user=None, attendee_name: str = "", now=None):
    """Book from the booking page with an access code (`registration_reserve_with_code`): a
    place that costs nothing is confirmed and its email queued; a paid one is handed to
    payments' checkout (`Booked.checkout_url`) like any sale."""
    from events.services.checkout import Booked, registrations_checkout_start
    from events.tasks import registration_confirmation_send

    with transaction.atomic():
        registration = registration_reserve_with_code(
            event=event, code=code, email=email, user=user, attendee_name=attendee_name, now=now
        )
        if registration.status == Registration.Status.CONFIRMED:
            enqueue_on_commit(registration_confirmation_send, registration_id=registration.pk)
    booked = Booked([registration])
    if registration.status == Registration.Status.RESERVED:
        booked.checkout_url = registrations_checkout_start(registrations=[registration], user=user)
    return booked
