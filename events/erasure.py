"""A member's erasure, as events applies it (the personal-data contract, core/hooks.py).

Bookings and waiting-list entries of the account or of the address it had (bookings made as
a guest with that address included) lose the holder's address and name: the address becomes
`erased-<kind>-<id>@erased.invalid`, which no email is ever sent to, and the attendee name is
emptied. Kept: the ticket itself (event, type, status, amount, dates, check-in time and who
checked it in), so places, takings and attendance still add up. A waiting-list entry still
waiting, or offered a place, leaves the list (a freed place is offered to the next person by
the next housekeeping run). The earlier holder of a ticket passed on is named only in the
notice queued for them: the task queue's answer (taskworker) finds that by the address.
Check-in records are the tickets' `checked_in_at` and the audit log (ids only).
"""

from django.db.models import Q

from core.locking import for_update
from core.personal_data import Member, PersonalData, Rows, erased_email
from events.models import Registration, WaitingListEntry


def _of(model, member: Member) -> set:
    by_person = Q(user_id=member.user_id) | (Q(email__iexact=member.email) if member.email else Q(pk__in=[]))
    return set(model.objects.filter(by_person).values_list("pk", flat=True))


def events_member_rows(member: Member, found: Rows) -> Rows:
    return {
        Registration._meta.label: _of(Registration, member),
        WaitingListEntry._meta.label: _of(WaitingListEntry, member),
    }


def events_erase_member(member: Member, found: Rows) -> None:
    registrations = for_update(Registration.objects.filter(pk__in=found.get(Registration._meta.label, ())))
    for registration in registrations:
        registration.email = erased_email("registration", registration.pk)
        registration.attendee_name = ""
        registration.language = ""
        registration.save(update_fields=["email", "attendee_name", "language"])
    entries = for_update(WaitingListEntry.objects.filter(pk__in=found.get(WaitingListEntry._meta.label, ())))
    still_open = (WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED)
    for entry in entries:
        entry.email = erased_email("waiting", entry.pk)
        entry.language = ""
        if entry.status in still_open:
            entry.status = WaitingListEntry.Status.LEFT
        entry.save(update_fields=["email", "language", "status"])


PERSONAL_DATA = PersonalData(
    personal={
        # language: the one the person used (a preference, like MemberProfile.preferred_language)
        "events.Registration": ("email", "attendee_name", "language"),
        "events.WaitingListEntry": ("email", "language"),
    },
    not_personal={
        "events.Registration.code": "a random ticket code",
        "events.Registration.status": "a status",
        "events.Registration.booking": "a random booking reference",
        # Who used a code is the registration's (erased there); the code names no one.
        "events.AccessCode.code": "a random access code",
        "events.WaitingListEntry.status": "a status",
        # The offline door (#21): keys, devices and scans name no one (a scan is a ticket id and
        # a time; it goes with its registration, erased there).
        "events.DoorKey": "an event's door signing key: public key, sealed private key, salt",
        "events.DoorDevice.device_id": "a random id a door device made for itself",
        "events.DoorScan.scan_id": "a random id a door device made for one scan",
        "events.DoorScan.outcome": "a scan's outcome",
        "events.TicketType": "ticket names staff write",
        "events.EventPage": "page content staff publish",
        "events.EventIndexPage": "page content staff publish",
    },
    tasks={
        "events.tasks.registration_confirmation_send": {"registration_id": "events.Registration"},
        "events.tasks.waiting_list_offer_send": {"entry_id": "events.WaitingListEntry"},
        "events.tasks.registration_cancelled_send": {"registration_id": "events.Registration"},
        "events.tasks.registration_reissued_send": {"registration_id": "events.Registration"},
        # These two carry the address itself (the earlier holder's, each attendee's).
        "events.tasks.registration_transferred_send": {},
        "events.tasks.event_cancelled_send": {},
        "events.tasks.events_housekeeping": {},
        "events.tasks.event_reminders_send": {},
    },
    rows=events_member_rows,
    erase=events_erase_member,
)
