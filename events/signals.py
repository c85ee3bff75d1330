"""Signals events sends about its own bookings (payments' signals are in `payments.signals`).

- `event_cancelled` is sent BY events, once, after the transaction that cancelled an event
  has committed. Arguments: `event` (the `EventPage`), `registrations` (the
  `Registration`s it cancelled, paid or not; a paid one has `paid_at` set and
  `amount_minor` > 0), `actor` (the staff user) and `reason` (text shown to attendees).
  Events' own receiver (`events/receivers.py`) asks payments to refund every one paid online
  (`paid_at_door` False; money taken at the door is returned by hand). Receivers must be
  idempotent and should queue their work (a task) rather than call a payment provider inline.

- `ticket_cancelled` is sent BY events after the transaction in which a holder cancelled
  their own ticket (before the self-service cut-off) has committed. Argument:
  `registration`. Events' receiver asks payments to refund it when it was paid online, on
  the same terms as `event_cancelled` (idempotent, queued as a task).
"""

from django.dispatch import Signal

event_cancelled = Signal()
ticket_cancelled = Signal()
