"""What payments tells the apps that sell through it (events, and whatever comes next), which
it never imports: `payment_succeeded`, `payment_refunded`, `sponsorship_changed`,
`donation_recorded`, `donation_refunded`. Their
contracts (sender, arguments, expected answer) are in core/hooks.py."""

from django.dispatch import Signal

payment_succeeded = Signal()
payment_refunded = Signal()
sponsorship_changed = Signal()
donation_recorded = Signal()
donation_refunded = Signal()
