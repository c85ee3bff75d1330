"""The membership team's pages in the Wagtail admin. Each view checks the role itself;
Wagtail has already refused anyone who may not open the admin."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.forms import ApplicationDecisionForm
from accounts.models import ErasureRequest, MemberProfile, MembershipApplication, Referral
from accounts.roles import FINANCE, MEMBERSHIP, has_role, role_required, scoped_to_chapter
from accounts.services import (
    application_approve,
    application_decline,
    application_request_information,
    erasure_confirm,
)
from core.listing import listing_page, search, search_text

OPEN = [MembershipApplication.Status.SUBMITTED, MembershipApplication.Status.MORE_INFO]


def in_scope(request, queryset, *network_roles: str):
    """`queryset` whole for `network_roles`, only its chapter's rows for a chapter organiser
    (so another chapter's row answers 404), 403 for anyone else."""
    allowed, chapter_id = scoped_to_chapter(request.user, *network_roles)
    if not allowed:
        raise PermissionDenied
    return queryset if chapter_id is None else queryset.filter(chapter_id=chapter_id)


def applications(request):
    show = request.GET.get("show", "open")
    queryset = in_scope(
        request, MembershipApplication.objects.select_related("chapter", "referral__organisation"), MEMBERSHIP
    )
    # Waiting ones oldest first (answered in turn); decided ones latest first.
    if show == "open":
        queryset = queryset.filter(status__in=OPEN).order_by("submitted_at", "pk")
    else:
        queryset = queryset.exclude(status__in=OPEN).order_by("-submitted_at", "-pk")
    page = listing_page(request, search(queryset, request, ["display_name__icontains", "email__iexact"]))
    return render(request, "membership_admin/applications.html", {"applications": page, "page": page, "show": show})


def application_detail(request, pk: int):
    application = get_object_or_404(
        in_scope(
            request, MembershipApplication.objects.select_related("chapter", "referral__organisation"), MEMBERSHIP
        ),
        pk=pk,
    )
    form = ApplicationDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decision, message = form.cleaned_data["decision"], form.cleaned_data["message"]
        try:
            if decision == "approve":
                application_approve(application=application, actor=request.user)
                messages.success(request, _("Approved. The new member has been emailed."))
            elif decision == "more_info":
                application_request_information(application=application, actor=request.user, message=message)
                messages.success(request, _("Your question has been emailed to the applicant."))
            else:
                application_decline(application=application, actor=request.user, message=message)
                messages.success(request, _("Declined. The applicant has been emailed."))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("membership_admin:applications")
    return render(request, "membership_admin/application_detail.html", {"application": application, "form": form})


def members(request):
    profiles = in_scope(request, MemberProfile.objects.active(), MEMBERSHIP, FINANCE)
    profiles = profiles.select_related("chapter", "user").order_by("display_name", "pk")
    text = search_text(request)
    if "@" in text:
        profiles = profiles.filter(user__email=text.lower())  # accounts keep addresses in lower case
    elif text:  # a piece of a name: index accounts_member_name_trgm (migration accounts 0009)
        profiles = profiles.filter(Q(display_name__icontains=text) | Q(certificate_name__icontains=text))
    page = listing_page(request, profiles)
    return render(request, "membership_admin/members.html", {"profiles": page, "page": page})


def member_detail(request, pk: int):
    """Fields by role: access needs to Membership only, the legal name to Finance only (a
    chapter organiser sees neither, and only their chapter's members)."""
    profile = get_object_or_404(
        in_scope(request, MemberProfile.objects.select_related("chapter", "user"), MEMBERSHIP, FINANCE), pk=pk
    )
    return render(
        request,
        "membership_admin/member_detail.html",
        {
            "profile": profile,
            "show_access_needs": has_role(request.user, MEMBERSHIP),
            "show_legal_name": has_role(request.user, FINANCE),
            "consent_events": profile.consent_events.all(),
        },
    )


@role_required(MEMBERSHIP)
def referrals(request):
    rows = Referral.objects.select_related("organisation").order_by("-created_at", "-pk")
    page = listing_page(request, search(rows, request, ["organisation__name__icontains", "email__iexact"]))
    return render(request, "membership_admin/referrals.html", {"referrals": page, "page": page})


@role_required(MEMBERSHIP)
def erasure_requests(request):
    """The waiting requests; each opens its confirmation page (nothing is erased from the list)."""
    pending = ErasureRequest.objects.filter(status=ErasureRequest.Status.REQUESTED).select_related(
        "user__member_profile"
    )
    return render(request, "membership_admin/erasure_requests.html", {"pending": pending})


@role_required(MEMBERSHIP)
def erasure_request_confirm(request, pk: int):
    """What erasing this member empties and what it keeps, with their choice about
    certificates. Only a POST with confirm=yes erases; anything else shows the page."""
    erasure = get_object_or_404(ErasureRequest.objects.select_related("user__member_profile"), pk=pk)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            erasure_confirm(request=erasure, actor=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Erasure request %(number)s is done.") % {"number": erasure.pk})
        return redirect("membership_admin:erasure_requests")
    return render(request, "membership_admin/erasure_confirm.html", {"erasure": erasure})
