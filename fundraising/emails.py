"""The fundraiser's email about a new gift: the amount and how the donor chose to appear, no
more (never the donor's email, address or message: the message is moderated first)."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.email import email_send
from core.locking import for_update
from fundraising.models import Gift
from fundraising.selectors import page_totals


def gift_received_send(*, gift_id: int) -> None:
    """Email the page's owner once per gift (the row remembers); nothing for a page whose
    owner is gone (erased). Discreet mode: a neutral subject and wording (core.email)."""
    with transaction.atomic():
        gift = for_update(Gift.objects.select_related("page", "page__owner").filter(pk=gift_id), of=("self",)).first()
        if gift is None or gift.fundraiser_told_at or gift.status != Gift.Status.RECEIVED:
            return
        page = gift.page
        if page.owner is None:
            return
        totals = page_totals(page)
        email_send(
            to=[page.owner.email],
            subject=_("Someone gave through your fundraising page"),
            template="fundraising_gift_received",
            context={
                "amount": gift.amount_display,
                "shown_as": gift.shown_as,
                "has_message": bool(gift.message),
                "page_title": page.title,
                "raised": totals["raised_display"],
                "target": page.target_display,
                "page_path": reverse("fundraising:page", args=[page.pk]),
            },
        )
        gift.fundraiser_told_at = timezone.now()
        gift.save(update_fields=["fundraiser_told_at"])
