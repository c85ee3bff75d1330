"""What a campaign's page (payments' CampaignPage) shows of supporter fundraising, through
CAMPAIGN_SECTIONS_HOOK (core/hooks.py): "Fundraise for <campaign>" while the campaign takes
new pages, and its newest approved pages still taking gifts, each with the name its
fundraiser chose to show and what it has raised. A page waiting for approval or hidden is
never listed; nothing here is per visitor.

Anonymous visitors may be served a stored copy of the campaign's page (core.page_cache). The
section depends on `campaign_key(campaign.pk)`, which `campaign_changed` bumps after the commit
of anything that changes the list: a page approved or hidden, an approved page sent back for
approval by its owner's edit, a gift received or refunded, a fundraiser's erasure."""

from django.db import transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import format_money
from core.page_cache import bump, cached_until_published, depends_on
from fundraising.models import FundraisingPage, Gift
from payments.selectors import campaigns_open

LISTED = 6


def campaign_key(campaign_id: int) -> str:
    return f"fundraising:campaign:{campaign_id}"


def campaign_changed(campaign_ids) -> None:
    """Retire stored copies of these campaigns' pages once the current transaction commits
    (at once outside one); never for one that rolls back."""
    for campaign_id in set(campaign_ids):
        transaction.on_commit(lambda campaign_id=campaign_id: bump(campaign_key(campaign_id)))


def takes_pages(campaign) -> bool:
    """The start page's rule (fundraising/start.html lists `campaigns_open()`): live, public,
    not ended. The open campaigns' ids are kept until the next publish (and for the day: an
    end date passes at midnight), so a campaign's page spends no query on it."""
    today = timezone.localdate()
    open_ids = cached_until_published(
        f"fundraising:open-campaigns:{today.isoformat()}",
        lambda: [open_campaign.pk for open_campaign in campaigns_open()],
        timeout=3600,
    )
    return campaign.pk in open_ids


def campaign_pages(campaign, limit: int | None = None) -> list[FundraisingPage]:
    """The campaign's approved pages still taking gifts, newest first, each with `raised`
    (received, unrefunded gifts, in minor units). One query."""
    pages = (
        FundraisingPage.objects.filter(
            campaign=campaign, status=FundraisingPage.Status.APPROVED, ends_on__gte=timezone.localdate()
        )
        .annotate(raised=Sum("gifts__amount_minor", filter=Q(gifts__status=Gift.Status.RECEIVED)))
        .order_by("-created_at", "-pk")
    )
    return list(pages[:limit] if limit else pages)


def campaign_section(*, campaign, request) -> dict | None:
    if campaign.pk is None:  # Wagtail's preview of a campaign not yet saved: nothing can be its page
        return None
    depends_on(request, campaign_key(campaign.pk))  # before reading: a change meanwhile leaves the copy stale
    pages = campaign_pages(campaign, limit=LISTED + 1)
    action = None
    if takes_pages(campaign):
        action = {
            "label": _("Fundraise for %(title)s") % {"title": campaign.title},
            "url": reverse("fundraising:page_new", args=[campaign.pk]),
        }
    more = None
    if len(pages) > LISTED:
        more = {
            "label": _("See all supporters’ pages for %(title)s") % {"title": campaign.title},
            "url": reverse("fundraising:start") + f"?campaign={campaign.pk}#supporters-pages",
        }
    items = [
        {
            "title": page.title,
            "url": reverse("fundraising:page", args=[page.pk]),
            "detail": _("%(name)s · %(raised)s raised")
            % {"name": page.fundraiser_name, "raised": format_money(page.raised or 0, page.currency)},
        }
        for page in pages[:LISTED]
    ]
    return {
        "key": "fundraising",
        "title": _("Supporters’ fundraising pages"),
        "order": 10,
        "intro": _("Supporters raise money for this campaign with pages of their own.") if items else "",
        "action": action,
        "items": items,
        "empty": _("Nobody has made a page for this campaign yet. Be the first.") if action else "",
        "more": more,
    }
