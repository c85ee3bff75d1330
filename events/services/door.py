"""At the door: checking a ticket in (once, however many devices scan it), undoing a
check-in made by mistake, and (issue 21) the scans a device made offline, and rotating an
event's signing key."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit_record
from core.codes import normalise_code
from core.locking import for_update
from core.tasks import enqueue_on_commit
from events.models import DoorDevice, DoorKey, DoorScan, EventPage, Registration

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


# ---- The offline door (issue 21) ---------------------------------------------------------

SYNC_BATCH_LIMIT = 500
SCAN_CLOCK_SLACK = timedelta(days=7)


def _door_device(*, event: EventPage, device_id: str) -> DoorDevice:
    """The device's row for this event, numbered in the order devices first synced (two at
    once: the loser of the unique number tries the next)."""
    device = DoorDevice.objects.filter(event=event, device_id=device_id).first()
    while device is None:
        number = (DoorDevice.objects.filter(event=event).aggregate(top=Max("number"))["top"] or 0) + 1
        try:
            with transaction.atomic():
                device = DoorDevice.objects.create(event=event, device_id=device_id, number=number)
        except IntegrityError:
            device = DoorDevice.objects.filter(event=event, device_id=device_id).first()
    return device


def _scan_time(value, now):
    """The device's clock, kept within a week before now and never after it."""
    moment = value if isinstance(value, datetime) else None
    if moment is None or timezone.is_naive(moment):
        return now
    return min(max(moment, now - SCAN_CLOCK_SLACK), now)


@transaction.atomic
def _door_scan_record(*, event: EventPage, device: DoorDevice, scan_id: str, ticket_id: int, scanned_at, actor, now):
    """One scan from a device: the ticket checked in if it is the first scan, else recorded as
    a duplicate of the scan that counted (the earlier of the two, whichever synced first)."""
    existing = DoorScan.objects.filter(scan_id=scan_id).select_related("first__device", "device").first()
    if existing is not None:
        return existing
    registration = for_update(Registration.objects.filter(pk=ticket_id, event=event)).first()
    scan = DoorScan(
        event=event,
        scan_id=scan_id,
        device=device,
        registration=registration,
        ticket_id=ticket_id,
        scanned_at=scanned_at,
        synced_by=actor if actor is not None and actor.is_authenticated else None,
    )
    if registration is None or registration.status not in (Status.CONFIRMED, Status.CHECKED_IN):
        scan.outcome = DoorScan.Outcome.REFUSED
        scan.save()
        return scan
    if registration.status == Status.CONFIRMED:
        registration.status = Status.CHECKED_IN
        registration.checked_in_at = scanned_at
        registration.checked_in_by = scan.synced_by
        registration.save(update_fields=["status", "checked_in_at", "checked_in_by"])
        scan.outcome = DoorScan.Outcome.CHECKED_IN
        scan.save()
        audit_record(actor=actor, action="registration.checked_in", obj=registration)
        return scan
    first = registration.door_scans.filter(outcome=DoorScan.Outcome.CHECKED_IN).first()
    if first is not None and scanned_at < first.scanned_at:
        # This device saw the ticket first: its scan counts, the other becomes the duplicate.
        scan.outcome = DoorScan.Outcome.CHECKED_IN
        scan.save()
        DoorScan.objects.filter(pk=first.pk).update(outcome=DoorScan.Outcome.DUPLICATE, first=scan)
        DoorScan.objects.filter(first=first).update(first=scan)
        registration.checked_in_at = scanned_at
        registration.save(update_fields=["checked_in_at"])
        return scan
    scan.outcome = DoorScan.Outcome.DUPLICATE
    scan.first = first
    scan.save()
    return scan


def door_scans_sync(*, event: EventPage, device_id: str, scans: list[dict], actor, now=None) -> list[DoorScan]:
    """Record a batch of scans a device made offline: each {"id": the device's scan id,
    "ticket": ticket id, "at": aware datetime}. Safe to send again (a scan id is recorded
    once); nothing is counted twice: the first scan of a ticket checks it in, later ones are
    kept as duplicates naming the first. Returns the scans in the order given."""
    now = now or timezone.now()
    device = _door_device(event=event, device_id=device_id)
    return [
        _door_scan_record(
            event=event,
            device=device,
            scan_id=scan["id"],
            ticket_id=scan["ticket"],
            scanned_at=_scan_time(scan.get("at"), now),
            actor=actor,
            now=now,
        )
        for scan in scans[:SYNC_BATCH_LIMIT]
    ]


def door_key_rotate(*, event: EventPage, actor=None, notify: bool = True, now=None) -> DoorKey:
    """Retire the event's signing key and make a new one: every ticket printed before now
    carries a token the door refuses ("signed with another key"), so each confirmed holder
    is emailed their re-issued ticket (queued after commit; discreet mode obeyed by
    core.email.email_send). Returns the new key."""
    from events.door_tokens import door_key_new
    from events.tasks import registration_reissued_send

    now = now or timezone.now()
    with transaction.atomic():
        for_update(EventPage.objects.filter(pk=event.pk)).get()
        DoorKey.objects.filter(event=event, retired_at__isnull=True).update(retired_at=now)
        key = door_key_new(event=event)
        audit_record(actor=actor, action="event.door_key_rotated", obj=event)
        if notify:
            for registration_id in Registration.objects.filter(event=event, status=Status.CONFIRMED).values_list(
                "pk", flat=True
            ):
                enqueue_on_commit(registration_reissued_send, registration_id=registration_id)
    return key
