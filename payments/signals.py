"""What payments tells the apps that sell through it (events, and whatever comes next).

Payments never imports those apps. An order line for something another app sold (a ticket)
carries that app's own reference for it (`OrderLine.item_reference`, e.g. "registration:12"),
which payments stores and hands back without reading it. The apps connect receivers to these
signals (events does in `events/receivers.py`).

- `payment_succeeded` is sent once, when an order becomes paid (its payment was re-fetched
  from Stripe and found paid for the right amount), inside the transaction that marks it
  paid and under the order's row lock. Arguments: `order_reference` (str) and
  `item_references` (list of str: the references of the order's ticket lines, in line
  order; empty for a donation-only order). Each receiver confirms the references it owns
  (idempotently: sending twice is harmless) and answers
  `{"confirmed": [references], "refused": [references]}`. A reference no receiver
  confirmed holds no place (cancelled, or its hold expired and the event filled up), so
  payments flags the order for a refund: no money is kept for something that does not exist.
  Receivers move no money.

- `payment_refunded` is sent after the transaction that recorded more money refunded on a
  payment has committed (a Finance refund, a ticket refund, or one made in Stripe's
  dashboard). Arguments: `order_reference`, `item_references` (the order's ticket lines),
  `amount_refunded_minor` (the payment's refunded total so far) and `fully_refunded`
  (bool). Informational: nothing in payments depends on an answer.

- `sponsorship_changed` is sent when the sponsored places of a page have been recounted
  from its succeeded, unrefunded earmarked gifts (`sponsored_places_recount`, run by a task).
  Arguments: `page_id` (the event or course page the gifts are earmarked for), `places`
  (the whole number of places the gifts pay for: an absolute count, never a difference),
  `given_minor` and `place_minor` (what one place costs). The app that owns the page
  applies the count (events adds the places to the event's funded tickets); sending it
  twice changes nothing. Moves no money.
"""

from django.dispatch import Signal

payment_succeeded = Signal()
payment_refunded = Signal()
sponsorship_changed = Signal()
