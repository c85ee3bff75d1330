"""Reads: a page's, a team's and a campaign's totals, and what a page shows."""

from django.db.models import Count, Q, Sum

from core.money import format_money
from fundraising.models import FundraisingPage, Gift, Team
from payments.selectors import campaign_totals

COUNTED = Q(status=Gift.Status.RECEIVED)


def _totals(gifts, *, target_minor: int, currency: str) -> dict:
    row = gifts.filter(COUNTED).aggregate(raised=Sum("amount_minor"), gifts=Count("pk"))
    raised = row["raised"] or 0
    percent = min(100, round(100 * raised / target_minor)) if target_minor else 0
    return {
        "raised_minor": raised,
        "gifts": row["gifts"],
        "raised_display": format_money(raised, currency),
        "target_display": format_money(target_minor, currency) if target_minor else "",
        "percent": percent,
    }


def page_totals(page: FundraisingPage) -> dict:
    """What the page has raised: its received, unrefunded gifts (one query)."""
    return _totals(Gift.objects.filter(page=page), target_minor=page.target_minor, currency=page.currency)


def team_totals(team: Team) -> dict:
    """What the team raised: its members' pages' gifts, approved or not (money given through
    a page later hidden still counts, as it does for the campaign). Target: the sum of the
    members' public pages' targets."""
    target = FundraisingPage.objects.filter(team=team, status=FundraisingPage.Status.APPROVED).aggregate(
        target=Sum("target_minor")
    )["target"]
    return _totals(Gift.objects.filter(page__team=team), target_minor=target or 0, currency=team.campaign.currency)


def campaign_totals_shown(campaign) -> dict:
    """The campaign's own total (payments'), every gift to it counted: through supporters'
    pages and directly."""
    totals = campaign_totals(campaign.pk)
    raised = totals["raised_minor"]
    target = campaign.target_minor
    return {
        "raised_minor": raised,
        "raised_display": format_money(raised, campaign.currency),
        "target_display": format_money(target, campaign.currency) if target else "",
        "percent": min(100, round(100 * raised / target)) if target else 0,
    }


def page_messages(page: FundraisingPage, limit: int = 50) -> list[Gift]:
    """Received gifts, newest first, for the supporters' list; messages only when approved
    (the template shows `message` only for those)."""
    return list(Gift.objects.filter(page=page).filter(COUNTED).order_by("-received_at", "-pk")[:limit])


def team_pages(team: Team) -> list[FundraisingPage]:
    return list(
        FundraisingPage.objects.filter(team=team, status=FundraisingPage.Status.APPROVED)
        .annotate(raised=Sum("gifts__amount_minor", filter=Q(gifts__status=Gift.Status.RECEIVED)))
        .order_by("title", "pk")
    )


def public_pages(limit: int = 12, campaign=None) -> list[FundraisingPage]:
    """The newest approved pages of live campaigns still taking gifts, for the start page;
    only `campaign`'s when given."""
    from django.utils import timezone  # noqa: PLC0415

    pages = FundraisingPage.objects.filter(
        status=FundraisingPage.Status.APPROVED, campaign__live=True, ends_on__gte=timezone.localdate()
    )
    if campaign is not None:
        pages = pages.filter(campaign=campaign)
    return list(pages.select_related("campaign").order_by("-created_at", "-pk")[:limit])
