"""Supporter fundraising for staff (/admin/fundraising/). Communications moderates: pages
(approve, hide), donors' messages (show or not) and teams (hide, show). Finance reads the
same lists and downloads the gifts export. Each view checks the role itself; Wagtail has
already refused anyone who may not open the admin, and sends every admin page with no-store.
Actions are POSTs with an "action" field; each runs one service and redirects back (a reload
repeats nothing)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.roles import COMMUNICATIONS, FINANCE, has_role, role_required
from core.csv_export import csv_response
from core.listing import listing_page, search
from fundraising import selectors, services
from fundraising.forms import HideForm
from fundraising.models import FundraisingPage, Gift, Team

READERS = (COMMUNICATIONS, FINANCE)


def _posted_id(request, name: str) -> int:
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else 0


def _moderator(request) -> None:
    if not has_role(request.user, COMMUNICATIONS):
        raise PermissionDenied


@role_required(*READERS)
def pages(request):
    """Pages, waiting ones first; filtered by status, searched by title."""
    queryset = FundraisingPage.objects.select_related("campaign", "team").order_by("status", "-created_at", "-pk")
    status = request.GET.get("status", "")
    if status in FundraisingPage.Status.values:
        queryset = queryset.filter(status=status)
    page = listing_page(request, search(queryset, request, ["title__icontains", "fundraiser_name__icontains"]))
    return render(
        request,
        "fundraising_admin/pages.html",
        {"page": page, "statuses": FundraisingPage.Status.choices, "status": status},
    )


@role_required(*READERS)
def page_review(request, pk: int):
    """One page as the public would read it, with approve and hide (Communications)."""
    fundraising_page = get_object_or_404(FundraisingPage.objects.select_related("campaign", "team"), pk=pk)
    form = HideForm(request.POST or None)
    if request.method == "POST":
        _moderator(request)
        action = request.POST.get("action")
        if action == "approve":
            services.page_approve(page=fundraising_page, actor=request.user)
            messages.success(request, _("The page is public."))
        elif action == "hide" and form.is_valid():
            services.page_hide(page=fundraising_page, actor=request.user, note=form.cleaned_data["note"])
            messages.success(request, _("The page is hidden from the public."))
        else:
            raise Http404("No such action")
        return redirect("fundraising_admin:page", pk=fundraising_page.pk)
    return render(
        request,
        "fundraising_admin/page_review.html",
        {
            "fundraising_page": fundraising_page,
            "totals": selectors.page_totals(fundraising_page),
            "gifts": selectors.page_messages(fundraising_page),
            "form": form,
            "may_moderate": has_role(request.user, COMMUNICATIONS),
        },
    )


@role_required(*READERS)
def donor_messages(request):
    """Donors' messages waiting to be read (received gifts only), oldest first."""
    if request.method == "POST":
        _moderator(request)
        gift = get_object_or_404(Gift, pk=_posted_id(request, "gift"))
        action = request.POST.get("action")
        if action not in ("approve", "reject"):
            raise Http404("No such action")
        try:
            services.message_review(gift=gift, actor=request.user, approve=action == "approve")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("The message is shown.") if action == "approve" else _("The message is not shown.")
            )
        return redirect("fundraising_admin:messages")
    queryset = (
        Gift.objects.filter(message_status=Gift.MessageStatus.PENDING, status=Gift.Status.RECEIVED)
        .select_related("page")
        .order_by("received_at", "pk")
    )
    return render(
        request,
        "fundraising_admin/messages.html",
        {"page": listing_page(request, queryset), "may_moderate": has_role(request.user, COMMUNICATIONS)},
    )


@role_required(*READERS)
def teams(request):
    """Teams with their totals; Communications hides or shows one."""
    if request.method == "POST":
        _moderator(request)
        team = get_object_or_404(Team, pk=_posted_id(request, "team"))
        action = request.POST.get("action")
        if action not in ("hide", "show"):
            raise Http404("No such action")
        services.team_set_hidden(team=team, actor=request.user, hidden=action == "hide")
        messages.success(request, _("The team is hidden.") if action == "hide" else _("The team is shown."))
        return redirect("fundraising_admin:teams")
    page = listing_page(
        request, search(Team.objects.select_related("campaign").order_by("name", "pk"), request, ["name__icontains"])
    )
    rows = [{"team": team, "totals": selectors.team_totals(team)} for team in page]
    return render(
        request,
        "fundraising_admin/teams.html",
        {"page": page, "rows": rows, "may_moderate": has_role(request.user, COMMUNICATIONS)},
    )


EXPORT_HEADER = [
    "Page",
    "Fundraiser (as shown)",
    "Team",
    "Campaign",
    "Donor (as shown)",
    "Amount",
    "Currency",
    "Status",
    "Received",
    "Message",
    "Message status",
    "Sponsored",
]


@role_required(*READERS)
def gifts_export(request):
    """Every received or refunded gift as a CSV, each cell made safe for spreadsheets (a story
    or message starting with = stays text). How donors chose to appear; never their email."""
    gifts = (
        Gift.objects.exclude(status=Gift.Status.STARTED)
        .select_related("page", "page__team", "page__campaign")
        .order_by("received_at", "pk")
    )
    rows = (
        [
            gift.page.title,
            gift.page.fundraiser_name,
            gift.page.team.name if gift.page.team else "",
            gift.page.campaign.title,
            gift.shown_as,
            gift.amount_display,
            gift.currency,
            gift.get_status_display(),
            gift.received_at.isoformat() if gift.received_at else "",
            gift.message,
            gift.get_message_status_display(),
            "yes" if gift.page.sponsored else "",
        ]
        for gift in gifts.iterator(chunk_size=500)
    )
    return csv_response("fundraising-gifts.csv", EXPORT_HEADER, rows)
