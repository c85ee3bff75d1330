"""Signals events sends about its own bookings: `event_cancelled`, `ticket_cancelled`.
Their contracts (sender, arguments, expected answer) are in core/hooks.py."""

from django.dispatch import Signal

event_cancelled = Signal()
ticket_cancelled = Signal()
