"""The waiting list: joining a sold-out ticket type, offering freed places in order, and
taking an offered place."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.i18n import active_language
from core.locking import for_update
from core.tasks import enqueue_on_commit
from events.availability import places_left_by_ticket_type
from events.models import EventPage, Registration, TicketType, WaitingListEntry
from events.prices import ticket_amount
from events.services.rules import check_on_sale, event_lock, initial_state
from events.tasks import registration_confirmation_send, waiting_list_offer_send

Status = Registration.Status


@transaction.atomic
def waiting_list_join(
    *, event: EventPage, ticket_type: TicketType, email: str, user=None, now=None
) -> WaitingListEntry:
    """Join the waiting list of a sold-out ticket type (once per email)."""
    now = now or timezone.now()
    check_on_sale(event, ticket_type, user, now)
    event_lock(event)
    if places_left_by_ticket_type(event, now).get(ticket_type.pk, 0) > 0:
        raise ValidationError(_("There are places left: you can book one now."), code="places_left")
    email = email.strip().lower()
    existing = WaitingListEntry.objects.filter(
        event=event, email=email, status__in=[WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED]
    ).first()
    if existing:
        return existing
    return WaitingListEntry.objects.create(
        event=event,
        ticket_type=ticket_type,
        email=email,
        language=active_language(),
        user=user if user and user.is_authenticated else None,
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
            enqueue_on_commit(waiting_list_offer_send, entry_id=entry.pk)
            offered.append(entry)
    return offered


@transaction.atomic
def waiting_list_accept(*, entry: WaitingListEntry, now=None) -> Registration:
    """Take the offered place (it was held for this person, so no capacity check is needed).
    A place that costs nothing is confirmed and its confirmation email queued after commit;
    a paid one is held for payment like any reservation."""
    now = now or timezone.now()
    event_lock(entry.event)
    entry = for_update(WaitingListEntry.objects.select_related("event", "ticket_type")).get(pk=entry.pk)
    if entry.status != WaitingListEntry.Status.OFFERED or entry.offered_until <= now:
        raise ValidationError(
            _("This offer has ended. You are welcome to join the waiting list again."), code="offer_ended"
        )
    amount = ticket_amount(entry.ticket_type)
    registration = Registration.objects.create(
        event=entry.event,
        ticket_type=entry.ticket_type,
        user=entry.user,
        email=entry.email,
        language=active_language() or entry.language,
        amount_minor=amount,
        **initial_state(entry.ticket_type, amount, entry.event, now),
    )
    entry.status = WaitingListEntry.Status.ACCEPTED
    entry.registration = registration
    entry.save(update_fields=["status", "registration"])
    audit_record(actor=entry.user, action="waiting_list.accepted", obj=entry)
    if registration.status == Status.CONFIRMED:
        enqueue_on_commit(registration_confirmation_send, registration_id=registration.pk)
    return registration
