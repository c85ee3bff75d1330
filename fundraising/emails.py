"""The fundraiser's emails: about a new gift (the amount and how the donor chose to appear, no
more: never the donor's email, address or message, which is moderated first), and about
Communications' review of their page (live, or hidden from the public; never who decided)."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.email import email_send
from core.locking import for_update
from fundraising.models import FundraisingPage, Gift
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


REVIEW_EMAILS = {
    FundraisingPage.Status.APPROVED: (_("Your fundraising page is live"), "fundraising_page_approved"),
    FundraisingPage.Status.HIDDEN: (_("Your fundraising page is hidden"), "fundraising_page_hidden"),
}


def page_review_send(*, page_id: int) -> None:
    """Tell the page's owner it is live, or hidden from the public, once per review (the row
    remembers when they were told): a task run twice, or queued for an approval that a hide
    overtook, sends one email about the page as it is now. Nothing for a page waiting for
    approval again (its owner edited it), nor one whose owner is gone (erased). Discreet
    mode: a neutral subject and wording (core.email)."""
    with transaction.atomic():
        page = for_update(FundraisingPage.objects.select_related("owner").filter(pk=page_id), of=("self",)).first()
        if page is None or page.owner is None or page.status not in REVIEW_EMAILS or page.reviewed_at is None:
            return
        if page.owner_told_at is not None and page.owner_told_at >= page.reviewed_at:
            return
        subject, template = REVIEW_EMAILS[page.status]
        email_send(
            to=[page.owner.email],
            subject=subject,
            template=template,
            context={
                "page_title": page.title,
                "page_path": reverse("fundraising:page", args=[page.pk]),
            },
        )
        page.owner_told_at = timezone.now()
        page.save(update_fields=["owner_told_at"])
