"""Retention: what payments removes once it has been kept long enough (run daily by the task
of the same name)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from accounts.erasure import ERASED_EMAIL_DOMAIN
from core.locking import for_update
from payments.erasure import declarations_detach, orders_forget_contact
from payments.models import GiftAidDeclaration, Order, Payment, RecurringGift


def payments_retention(*, now: datetime | None = None) -> dict[str, int]:
    """Remove what payments has kept long enough. Idempotent; returns counts only.

    - the email of an order never paid (the checkout was abandoned, failed or was
      cancelled), and its gift message, RETENTION_UNPAID_ORDER_DAYS after it was made;
    - a Gift Aid declaration RETENTION_GIFT_AID_DAYS (six years) after the last claim made
      with it, when no donation under it is still unclaimed and no monthly gift still uses
      it (HMRC may audit a claim for six years; a declaration also covers future gifts).
      Its donations stay, without it.
    Moves no money, sends no email.
    """
    now = now or timezone.now()
    with transaction.atomic():
        unpaid = list(
            for_update(
                Order.objects.filter(
                    status__in=[*Order.OPEN_STATES, Order.Status.CANCELLED],
                    created_at__lt=now - timedelta(days=settings.RETENTION_UNPAID_ORDER_DAYS),
                )
                .exclude(email__endswith=ERASED_EMAIL_DOMAIN)
                .exclude(payments__status__in=Payment.PAID_STATES)
            )
        )
        orders_forget_contact(unpaid)

        in_use = Q(donations__claimed_at__isnull=True) | Q(
            pk__in=RecurringGift.objects.exclude(status=RecurringGift.Status.CANCELLED).values(
                "gift_aid_declaration_id"
            )
        )
        expired = list(
            GiftAidDeclaration.objects.annotate(last_claim=Max("donations__claimed_at"))
            .filter(last_claim__lt=now - timedelta(days=settings.RETENTION_GIFT_AID_DAYS))
            .exclude(in_use)
            .values_list("pk", flat=True)
        )
        declarations_detach(expired, claimed_too=True)
        GiftAidDeclaration.objects.filter(pk__in=expired).delete()
    return {"unpaid_order_emails": len(unpaid), "gift_aid_declarations": len(expired)}
