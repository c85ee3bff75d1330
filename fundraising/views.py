"""Supporter fundraising's public and supporter pages (under /fundraising/, every language).

Who may see a page is decided here, on every request: the public only an approved page (a
page waiting for approval or hidden answers 404, its photo too); its owner, Communications
and Finance any page (a preview with a banner saying so). A fundraiser's screens show how each
donor chose to appear and the amount; never an email or address."""

import secrets
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.roles import COMMUNICATIONS, FINANCE, has_role
from core.forms import form_errors_from
from core.guard import Verdict, guard_public_post
from core.i18n import active_language
from fundraising import selectors, services
from fundraising.forms import PageForm, PageGiftForm
from fundraising.models import FundraisingPage, Team
from newsletters.forms import keep_posted_ticked
from newsletters.models import Subscription
from newsletters.services.subscriptions import keep_posted_request
from payments.links import checkout_url
from payments.models import CampaignPage
from payments.selectors import campaigns_open
from payments.services import gift_aid_declaration_create


def _may_preview(user, page: FundraisingPage) -> bool:
    """The owner, Communications and Finance see a page in any state."""
    if not user.is_authenticated:
        return False
    return page.owner_id == user.pk or has_role(user, COMMUNICATIONS, FINANCE)


def _visible_page(request, pk: int) -> tuple[FundraisingPage, bool]:
    """The page and whether this is a preview; 404 for a page the visitor may not see."""
    page = get_object_or_404(FundraisingPage.objects.select_related("campaign", "team"), pk=pk)
    if page.is_public and page.campaign.live:
        return page, False
    if _may_preview(request.user, page):
        return page, True
    raise Http404("Not public")


def owner_required(view):
    """Signed in (else to sign in), the page's owner (else 404); never cached."""

    @wraps(view)
    def wrapped(request, pk, *args, **kwargs):
        page = get_object_or_404(FundraisingPage.objects.select_related("campaign", "team"), pk=pk)
        if page.owner_id != request.user.pk:
            raise Http404("Not yours")
        return view(request, page, *args, **kwargs)

    return login_required(never_cache(wrapped))


def start(request):
    """The campaigns a supporter may fundraise for, and the newest supporters' pages; with
    ?campaign=<id> (the "See all" link of a campaign's page) every page of that open campaign."""
    campaigns = campaigns_open()
    wanted = request.GET.get("campaign", "")
    campaign = next((item for item in campaigns if wanted.isdigit() and item.pk == int(wanted)), None)
    if campaign is not None:
        pages = selectors.public_pages(limit=200, campaign=campaign)
    else:
        pages = selectors.public_pages(limit=12)
    return render(
        request, "fundraising/start.html", {"campaigns": campaigns, "pages": pages, "pages_campaign": campaign}
    )


@login_required
@never_cache
def page_new(request, campaign_id: int):
    """Make a page for a campaign: it waits for approval."""
    campaign = get_object_or_404(CampaignPage.objects.live().public(), pk=campaign_id)
    instance = FundraisingPage(campaign=campaign, currency=campaign.currency)
    form = PageForm(request.POST or None, request.FILES or None, instance=instance, campaign=campaign)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                page = services.page_create(
                    owner=request.user,
                    campaign=campaign,
                    title=data["title"],
                    fundraiser_name=data["fundraiser_name"],
                    story=data["story"],
                    target_minor=data["target_minor"],
                    ends_on=data["ends_on"],
                    sponsored=data["sponsored"],
                    photo=data.get("photo"),
                    team=data.get("team"),
                    new_team_name=data.get("new_team_name", ""),
                )
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, _("Your page is made. Our team will check it before it is public."))
                return redirect("fundraising:page", pk=page.pk)
        status = 400
    return render(request, "fundraising/page_form.html", {"form": form, "campaign": campaign}, status=status)


@owner_required
def page_edit(request, page: FundraisingPage):
    """The owner edits their page; a changed title, story, name or photo is checked again."""
    form = PageForm(request.POST or None, request.FILES or None, instance=page, campaign=page.campaign)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            was_public = page.is_public
            try:
                page = services.page_update(
                    page=page,
                    actor=request.user,
                    photo=data.get("photo"),
                    team=data.get("team"),
                    new_team_name=data.get("new_team_name", ""),
                    **{name: data[name] for name in PageForm.Meta.fields},
                )
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                if was_public and not page.is_public:
                    messages.info(
                        request, _("Saved. Our team will check your changes before your page is public again.")
                    )
                else:
                    messages.success(request, _("Saved."))
                return redirect("fundraising:page", pk=page.pk)
        status = 400
    return render(
        request, "fundraising/page_form.html", {"form": form, "campaign": page.campaign, "page": page}, status=status
    )


def page_detail(request, pk: int):
    """The page: story, photo, progress, supporters; and the gift form (POST) while it is
    public and before its end date."""
    page, preview = _visible_page(request, pk)
    open_for_gifts = page.is_public and page.ends_on >= timezone.localdate()
    form = None
    status = 200
    if open_for_gifts:
        initial = {"form_token": secrets.token_hex(16)}
        if request.user.is_authenticated:
            initial["email"] = request.user.email
        form = PageGiftForm(request.POST or None, fundraising_page=page, initial=initial)
        if request.method == "POST":
            verdict = guard_public_post(
                request, form, scope="donate", what="tries", limit_setting="DONATION_RATE_LIMIT"
            )
            if verdict is Verdict.PAUSED:
                status = 429
            elif form.is_valid():
                response = _gift_start(request, page, form)
                if response is not None:
                    return response
                status = 400
            else:
                status = 400
    elif request.method == "POST":
        raise Http404("Not taking gifts")
    gifts = selectors.page_messages(page)
    response = render(
        request,
        "fundraising/page_detail.html",
        {
            "page": page,
            "preview": preview,
            "is_owner": request.user.is_authenticated and page.owner_id == request.user.pk,
            "totals": selectors.page_totals(page),
            "gifts": gifts,
            "form": form,
            "open_for_gifts": open_for_gifts,
        },
        status=status,
    )
    if preview or request.user.is_authenticated:
        response["Cache-Control"] = "no-store"
    return response


def _gift_start(request, page: FundraisingPage, form: PageGiftForm):
    data = form.cleaned_data
    try:
        declaration = None
        if data.get("gift_aid"):
            declaration = gift_aid_declaration_create(
                title=data.get("title", ""),
                first_name=data["first_name"],
                last_name=data["last_name"],
                house_name_or_number=data["house_name_or_number"],
                postcode=data["postcode"],
                user=request.user,
            )
        order = services.gift_start(
            page=page,
            form_token=data["form_token"],
            email=data["email"],
            amount_minor=data["amount_minor"],
            display=data["display"],
            donor_name=data.get("donor_name", ""),
            message=data.get("message", ""),
            gift_aid_declaration=declaration,
            user=request.user,
        )
    except ValidationError as error:
        form_errors_from(form, error)
        return None
    if keep_posted_ticked(form):
        keep_posted_request(
            email=data["email"], language=active_language(), method=Subscription.Method.DONATION, user=request.user
        )
    return redirect(checkout_url(order))


def page_photo(request, pk: int):
    """The page's photo, to whoever may see the page (404 otherwise), never sniffed."""
    page, preview = _visible_page(request, pk)
    if not page.photo:
        raise Http404("No photo")
    try:
        handle = page.photo.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("The photo is missing") from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store" if preview else "public, max-age=300"
    return response


def team_detail(request, pk: int):
    """A team: its total and its members' public pages. 404 for a hidden team."""
    team = get_object_or_404(Team.objects.select_related("campaign"), pk=pk, hidden=False)
    if not team.campaign.live:
        raise Http404("Campaign not public")
    return render(
        request,
        "fundraising/team_detail.html",
        {"team": team, "totals": selectors.team_totals(team), "pages": selectors.team_pages(team)},
    )


@login_required
@never_cache
def mine(request):
    """The supporter's own pages, in any state, with each page's total and gifts."""
    pages = list(FundraisingPage.objects.filter(owner=request.user).select_related("campaign", "team"))
    rows = [{"page": page, "totals": selectors.page_totals(page)} for page in pages]
    return render(request, "fundraising/mine.html", {"rows": rows})
