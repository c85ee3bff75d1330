"""What payments hears from accounts: a member's erasure (see `payments/erasure.py`)."""

from django.dispatch import receiver

from accounts.signals import member_erased
from payments.erasure import payments_erase_member


@receiver(member_erased, dispatch_uid="payments_member_erased")
def payments_after_erasure(sender, *, user_id: int, old_email: str = "", **kwargs) -> None:
    payments_erase_member(user_id=user_id, old_email=old_email)
