"""Signals between events and the payments app (issue 7).

The contract, both ways:

- `payment_succeeded` is sent BY payments after a payment for event places has been
  captured (its webhook re-fetched the payment and found it paid). Arguments:
  `registrations` (a list of `events.Registration`). Events confirms each one with
  `registration_confirm_paid`. The events receiver answers
  `{"confirmed": [ids], "refused": [ids]}`: a refused registration (cancelled, or its hold
  expired and the event filled up) holds no place, so payments must refund it. Sending
  twice is harmless: confirming is idempotent. Moves no money.

- `event_cancelled` is sent BY events, once, after the transaction that cancelled an event
  has committed. Arguments: `event` (the `EventPage`), `registrations` (the
  `Registration`s it cancelled, paid or not; a paid one has `paid_at` set and
  `amount_minor` > 0), `actor` (the staff user) and `reason` (text shown to attendees).
  Payments refunds every paid one that was paid online (`paid_at_door` False; money taken
  at the door is returned by hand). Receivers must be idempotent and should queue their
  work (a task) rather than call a payment provider inline.

- `ticket_cancelled` is sent BY events after the transaction in which a holder cancelled
  their own ticket (before the self-service cut-off) has committed. Argument:
  `registration`. Payments refunds it when it was paid online, on the same terms as
  `event_cancelled` (idempotent, queued as a task).
"""

from django.dispatch import Signal

payment_succeeded = Signal()
event_cancelled = Signal()
ticket_cancelled = Signal()
