"""A signed-in person's own account: their home page, profile, consents, data export, erasure.

Every view here works on `request.user` only; the one view that takes an id (an
application) answers 404 unless the application is the person's own.

The account page is the member's home: the apps above accounts (training, events,
certificates) add their panels to it through `ACCOUNT_PANELS_HOOK` (contract in
core/hooks.py), so accounts never imports them (DESIGN.md's layers).
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from wagtail import hooks

from accounts.export import member_export
from accounts.forms import ConsentForm, ErasureForm, ProfileForm
from accounts.models import Consent, ErasureRequest, MemberProfile, MembershipApplication, PartnerContact
from accounts.services import consent_set, erasure_request, profile_update
from core.hooks import ACCOUNT_PANELS_HOOK


def _own_profile(request) -> MemberProfile:
    profile = MemberProfile.objects.active().filter(user=request.user).first()
    if profile is None:
        raise Http404("No member profile")
    return profile


def account_panels(request) -> list[dict]:
    """The panels other apps add to the account page, in their `order`."""
    panels = [panel for provider in hooks.get_hooks(ACCOUNT_PANELS_HOOK) if (panel := provider(request))]
    return sorted(panels, key=lambda panel: panel.get("order", 100))


@login_required
def account_home(request):
    """The signed-in person's home: learning, bookings, certificates and calendars (from the
    apps' panels), then their membership, data and sign-in settings."""
    profile = MemberProfile.objects.filter(user=request.user).select_related("chapter").first()
    applications = MembershipApplication.objects.filter(user=request.user)
    pending_erasure = ErasureRequest.objects.filter(user=request.user, status=ErasureRequest.Status.REQUESTED).first()
    partner = PartnerContact.objects.filter(user=request.user).select_related("organisation").first()
    return render(
        request,
        "accounts/account_home.html",
        {
            "partner": partner,
            "profile": profile,
            "applications": applications,
            "pending_erasure": pending_erasure,
            "panels": account_panels(request),
        },
    )


@login_required
def profile_edit(request):
    profile = _own_profile(request)
    form = ProfileForm(request.POST or None, instance=MemberProfile.objects.get(pk=profile.pk))
    if request.method == "POST" and form.is_valid():
        profile_update(profile=profile, actor=request.user, **{name: form.cleaned_data[name] for name in form.fields})
        messages.success(request, _("Your profile is saved."))
        return redirect("accounts:home")
    return render(request, "accounts/profile_form.html", {"form": form})


@login_required
def consents(request):
    profile = _own_profile(request)
    form = ConsentForm(request.POST or None, profile=profile)
    if request.method == "POST" and form.is_valid():
        for consent in Consent:
            consent_set(profile=profile, consent=consent, given=form.cleaned_data[consent.value], actor=request.user)
        messages.success(request, _("Your choices are saved."))
        return redirect("accounts:consents")
    events = profile.consent_events.all()
    return render(request, "accounts/consents.html", {"form": form, "events": events})


@login_required
def data_page(request):
    """All the person's data as a readable page."""
    return render(request, "accounts/data_export.html", {"export": member_export(request.user)})


@login_required
def data_download(request):
    """All the person's data as JSON."""
    body = json.dumps(member_export(request.user), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-thrive-data.json"'
    return response


@login_required
def erasure(request):
    form = ErasureForm(request.POST or None)
    pending = ErasureRequest.objects.filter(user=request.user, status=ErasureRequest.Status.REQUESTED).first()
    if request.method == "POST" and pending is None and form.is_valid():
        erasure_request(user=request.user, revoke_certificates=form.cleaned_data["revoke_certificates"])
        messages.success(
            request,
            _("Your request is with our membership team. Once they confirm it, you will no longer be able to sign in."),
        )
        return redirect("accounts:home")
    return render(request, "accounts/erasure.html", {"form": form, "pending": pending})


@login_required
def application_detail(request, pk: int):
    application = get_object_or_404(MembershipApplication, pk=pk, user=request.user)
    return render(request, "accounts/application_detail.html", {"application": application})
