"""What fundraising does when payments records or refunds a donation it started
(`payments.signals`, contracts in core/hooks.py)."""

from django.dispatch import receiver

from fundraising.services import gifts_received, gifts_refunded
from payments.signals import donation_recorded, donation_refunded


@receiver(donation_recorded, dispatch_uid="fundraising_gifts_received")
def count_gifts(sender, *, donations, **kwargs) -> None:
    gifts_received(donations=donations)


@receiver(donation_refunded, dispatch_uid="fundraising_gifts_refunded")
def uncount_gifts(sender, *, donations, **kwargs) -> None:
    gifts_refunded(donations=donations)
