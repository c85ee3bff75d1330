"""The organisation's side of survivor voices: the request form (public, prefilled for a partner
contact), the private status page (by the emailed link, or by id for the request's partner
contacts), paying the network by card, and a partner contact's list of requests.

What an organisation sees of the survivors: for each engagement the member has confirmed,
only how they chose to be known (`Engagement.shown_as`, or "Anonymous") and their "no
photos"/"no recording" wishes. Never who was interested, never an engagement offered but not
yet confirmed, never a name the member did not choose. The context handed to the template
holds only those plain values.
"""

import zoneinfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from accounts.models import PartnerContact
from accounts.tokens import token_hash
from core.guard import Verdict, guard_public_post
from core.money import format_money
from voices.for_payments import amount_due_minor, can_pay, request_checkout_start
from voices.forms_org import PublicVoiceRequestForm
from voices.models import Engagement, FeePolicy, Kind, Opportunity, VoiceRequest
from voices.services.requests import policy_text, voice_request_submit


def _partner_contact(request) -> PartnerContact | None:
    if not request.user.is_authenticated:
        return None
    return PartnerContact.objects.filter(user=request.user).select_related("organisation").first()


def _policies() -> list[dict]:
    """Every chapter's minimum fee, in words, for the form (nobody is surprised by a refusal)."""
    policies = FeePolicy.objects.select_related("chapter").order_by("chapter__name")
    return [{"chapter": policy.chapter.name, "text": policy_text(policy), "note": policy.note} for policy in policies]


@never_cache
def request_new(request):
    contact = _partner_contact(request)
    partner = contact.organisation if contact else None
    if request.method == "POST":
        form = PublicVoiceRequestForm(request.POST)
        verdict = guard_public_post(request, form, scope="voices_request", what="requests")
        if verdict is Verdict.ROBOT:
            return redirect("voices:request_sent")
        if verdict is Verdict.PAUSED:
            return render(
                request,
                "voices/request_form.html",
                {"form": form, "partner": partner, "policies": _policies()},
                status=429,
            )
        if form.is_valid():
            try:
                voice_request_submit(
                    chapter=form.cleaned_data["chapter"],
                    submitted_by=request.user,
                    partner=partner,
                    **form.service_fields(),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                # Post/redirect/get: reloading the thank-you page sends nothing again.
                return redirect("voices:request_sent")
    else:
        initial = {}
        if contact is not None:
            initial = {
                "organisation_name": partner.name,
                "contact_email": request.user.email,
                "contact_name": request.user.get_full_name(),
            }
        form = PublicVoiceRequestForm(initial=initial)
    return render(request, "voices/request_form.html", {"form": form, "partner": partner, "policies": _policies()})


@never_cache
def request_sent(request):
    """The same thank-you for every request (and for a robot's): it says nothing of any request."""
    return render(request, "voices/request_sent.html", {"is_partner": _partner_contact(request) is not None})


def _status_context(voice_request: VoiceRequest) -> dict:
    """What the organisation may see of its request, as plain values."""
    zone = zoneinfo.ZoneInfo(voice_request.time_zone)
    opportunity = Opportunity.objects.filter(request=voice_request).select_related("staff_contact").first()
    survivors = []
    brief = None
    if opportunity is not None:
        confirmed = (
            Engagement.objects.filter(opportunity=opportunity, status__in=Engagement.COUNTED)
            .select_related("interest")
            .order_by("confirmed_at", "pk")
        )
        survivors = [
            {
                "shown_as": engagement.shown_as,
                "no_photos": engagement.interest.no_photos,
                "no_recording": engagement.interest.no_recording,
            }
            for engagement in confirmed
        ]
        staff = opportunity.staff_contact
        brief = {
            "staff_name": staff.get_full_name(),
            "staff_email": staff.email,
            "ask_for": opportunity.ask_for,
            "will_be_asked": opportunity.will_be_asked,
            "will_not_be_asked": opportunity.will_not_be_asked,
        }
    due = amount_due_minor(voice_request)
    return {
        "voice_request": voice_request,
        "starts": voice_request.starts_at.astimezone(zone),
        "ends": voice_request.ends_at.astimezone(zone),
        "fee_offered": format_money(voice_request.fee_offered_minor, voice_request.currency),
        "survivors": survivors,
        "brief": brief,
        "is_consultation": opportunity is not None and voice_request.kind == Kind.CONSULTATION,
        "amount_due": format_money(due, voice_request.currency) if due else "",
        "can_pay": can_pay(voice_request),
    }


def _status_response(request, context: dict):
    response = render(request, "voices/request_status.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _by_token(token: str) -> VoiceRequest:
    return get_object_or_404(VoiceRequest.objects.select_related("chapter"), token_hash=token_hash(token))


@never_cache
def request_status(request, token: str):
    """The private status page, by the link emailed to the contact (404 for an unknown link)."""
    voice_request = _by_token(token)
    context = _status_context(voice_request) | {
        "pay_url": reverse("voices:request_pay", args=[token]),
        "results_url": reverse("voices:consultation_results", args=[token]),
    }
    return _status_response(request, context)


def _pay(request, voice_request: VoiceRequest, back: str):
    try:
        url = request_checkout_start(voice_request=voice_request, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    return redirect(url)


@never_cache
def request_pay(request, token: str):
    """Pay the network by card: a POST starts (or resumes) the checkout; a GET goes back."""
    voice_request = _by_token(token)
    back = reverse("voices:request_status", args=[token])
    if request.method != "POST":
        return redirect(back)
    return _pay(request, voice_request, back)


def _contact_or_404(request) -> PartnerContact:
    contact = _partner_contact(request)
    if contact is None:
        raise Http404
    return contact


@never_cache
@login_required
def partner_requests(request):
    """A partner contact's list of their organisation's requests (404 for anyone else)."""
    contact = _contact_or_404(request)
    rows = VoiceRequest.objects.filter(partner=contact.organisation).only(
        "pk", "topic", "kind", "starts_at", "time_zone", "status", "organisation_payment", "created_at"
    )
    return render(
        request,
        "voices/partner_requests.html",
        {
            "organisation": contact.organisation,
            "rows": [
                {
                    "pk": row.pk,
                    "topic": row.topic,
                    "kind": row.get_kind_display(),
                    "starts": row.starts_at.astimezone(zoneinfo.ZoneInfo(row.time_zone)),
                    "status": row.get_status_display(),
                    "payment": row.get_organisation_payment_display(),
                }
                for row in rows
            ],
        },
    )


@never_cache
@login_required
def partner_request(request, pk: int):
    """The status page by id, for a contact of the request's partner organisation (404 for
    anyone else); a POST starts the card payment."""
    contact = _contact_or_404(request)
    voice_request = get_object_or_404(
        VoiceRequest.objects.select_related("chapter"), pk=pk, partner=contact.organisation
    )
    back = reverse("voices:partner_request", args=[pk])
    if request.method == "POST":
        return _pay(request, voice_request, back)
    context = _status_context(voice_request) | {
        "pay_url": back,
        "results_url": reverse("voices:partner_consultation_results", args=[pk]),
        "is_partner": True,
    }
    return _status_response(request, context)
