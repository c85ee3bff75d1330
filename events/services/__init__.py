"""Every write of events that has a rule, by flow: selling, checkout (a booking handed to
payments), the waiting list, self-service, the door, sponsored places and housekeeping.
Import from here (`from events.services import registration_reserve`); reads are in
`events.selectors`, prices in `events.prices`."""

from events.services.checkout import booking_place, registrations_checkout_start, waiting_list_offer_take
from events.services.codes import (
    MAX_PLACES_PER_BLOCK,
    access_code_block_create,
    access_code_block_revoke,
    access_code_find,
    booking_with_code,
    registration_reserve_with_code,
)
from events.services.door import (
    NOT_USABLE,
    door_key_rotate,
    door_scans_sync,
    registration_check_in,
    registration_check_in_undo,
)
from events.services.housekeeping import events_housekeeping
from events.services.rules import MAX_TICKETS_PER_BOOKING
from events.services.self_service import registration_self_cancel, registration_transfer
from events.services.selling import (
    HOLD_EXTENSIONS,
    event_cancel,
    registration_approve,
    registration_cancel,
    registration_confirm_paid,
    registration_decline,
    registration_reserve,
    registrations_hold_extend,
    registrations_reserve,
)
from events.services.sponsorship import event_sponsored_places_set
from events.services.waiting_list import waiting_list_accept, waiting_list_join, waiting_list_offer_next

__all__ = [
    "MAX_PLACES_PER_BLOCK",
    "access_code_block_create",
    "access_code_block_revoke",
    "access_code_find",
    "booking_with_code",
    "registration_reserve_with_code",
    "HOLD_EXTENSIONS",
    "MAX_TICKETS_PER_BOOKING",
    "NOT_USABLE",
    "booking_place",
    "door_key_rotate",
    "door_scans_sync",
    "event_cancel",
    "event_sponsored_places_set",
    "events_housekeeping",
    "registration_approve",
    "registration_cancel",
    "registration_check_in",
    "registration_check_in_undo",
    "registration_confirm_paid",
    "registration_decline",
    "registration_reserve",
    "registration_self_cancel",
    "registration_transfer",
    "registrations_checkout_start",
    "registrations_hold_extend",
    "registrations_reserve",
    "waiting_list_accept",
    "waiting_list_join",
    "waiting_list_offer_next",
    "waiting_list_offer_take",
]
