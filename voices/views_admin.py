"""Survivor voices for staff (the admin): Membership brokers (requests, publishing, choosing
members, engagements) and safeguards (the member's feedback, flagged organisations); fee
policies are Membership's and Finance's. Each view checks the role itself; Wagtail has already
refused anyone who may not open the admin, and sends every admin page with no-store.

Actions are POSTs to the page they belong to, with an "action" field; each runs one service
and redirects back (a reload repeats nothing)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import FINANCE, MEMBERSHIP, has_role, role_required
from cms.models import Chapter
from core.audit import audit_record
from core.listing import listing_page, search
from voices import selectors
from voices.forms_admin import SORTS, FeePolicyForm, FlagForm, PublishForm
from voices.models import Engagement, FeePolicy, FlaggedOrganisation, Interest, Opportunity, VoiceRequest
from voices.services.engagements import TAKING_PLACE, engagement_complete, engagement_offer
from voices.services.payouts import engagement_cancel, opportunity_close, organisation_mark_invoiced
from voices.services.requests import (
    is_flagged,
    opportunity_publish,
    organisation_flag,
    policy_text,
    voice_request_decline,
)


def _error(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def posted_id(request, name: str) -> int:
    """The id a form posted in `name`; 0 (found nowhere: 404) when it is not a number."""
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else 0


@role_required(MEMBERSHIP)
def requests(request):
    """Requests, newest first; filtered by status and chapter, searched by organisation."""
    queryset = VoiceRequest.objects.select_related("chapter", "opportunity")
    status = request.GET.get("status", "")
    if status in VoiceRequest.Status.values:
        queryset = queryset.filter(status=status)
    chapter = request.GET.get("chapter", "")
    if chapter.isdigit():
        queryset = queryset.filter(chapter_id=int(chapter))
    page = listing_page(request, search(queryset, request, ["organisation_name__icontains", "topic__icontains"]))
    return render(
        request,
        "voices_admin/requests.html",
        {
            "page": page,
            "statuses": VoiceRequest.Status.choices,
            "chapters": Chapter.objects.order_by("name"),
            "status": status,
            "chapter": chapter,
        },
    )


@role_required(MEMBERSHIP, FINANCE)
def request_detail(request, pk: int):
    """Everything the organisation asked; Membership declines or flags, Finance records an invoice."""
    voice_request = get_object_or_404(VoiceRequest.objects.select_related("chapter", "partner"), pk=pk)
    is_membership = has_role(request.user, MEMBERSHIP)
    is_finance = has_role(request.user, FINANCE)
    flag_form = FlagForm(request.POST if request.POST.get("action") == "flag" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("decline", "flag") and not is_membership:
            raise PermissionDenied
        if action == "invoiced" and not is_finance:
            raise PermissionDenied
        try:
            if action == "decline":
                voice_request_decline(request=voice_request, actor=request.user)
                messages.success(request, _("Declined. Write to the organisation's contact to tell them why."))
            elif action == "flag":
                if not flag_form.is_valid():
                    raise ValidationError(flag_form.errors["reason"])
                organisation_flag(request=voice_request, actor=request.user, reason=flag_form.cleaned_data["reason"])
                messages.success(request, _("Flagged: this organisation can submit no new request."))
            elif action == "invoiced":
                organisation_mark_invoiced(request=voice_request, actor=request.user)
                messages.success(request, _("Recorded: the organisation is paying by invoice."))
        except ValidationError as error:
            _error(request, error)
        return redirect("voices_admin:request", pk=voice_request.pk)
    policy = FeePolicy.objects.filter(chapter_id=voice_request.chapter_id).select_related("chapter").first()
    return render(
        request,
        "voices_admin/request_detail.html",
        {
            "voice_request": voice_request,
            "opportunity": Opportunity.objects.filter(request=voice_request).first(),
            "policy_text": policy_text(policy, voice_request.hours) if policy else "",
            "flagged": is_flagged(partner_id=voice_request.partner_id, email=voice_request.contact_email),
            "flag_form": flag_form,
            "is_membership": is_membership,
            "is_finance": is_finance,
        },
    )


@role_required(MEMBERSHIP)
def request_publish(request, pk: int):
    """Publish a request to the members who meet every condition chosen (never public)."""
    voice_request = get_object_or_404(VoiceRequest.objects.select_related("chapter"), pk=pk)
    if voice_request.status != VoiceRequest.Status.SUBMITTED:
        messages.error(request, _("This request has already been published or closed."))
        return redirect("voices_admin:request", pk=voice_request.pk)
    zone = voice_request.time_zone
    initial = {
        "title": voice_request.topic,
        "staff_contact": request.user.pk,
        "eligible_chapter": voice_request.chapter_id,
    }
    form = PublishForm(
        request.POST or None,
        instance=Opportunity(request=voice_request),
        initial=initial,
        time_zone=zone,
    )
    if request.method == "POST":
        with timezone.override(zone):  # closes_at is typed in the request's own time zone
            valid = form.is_valid()
        if valid:
            fields = dict(form.cleaned_data)
            try:
                opportunity = opportunity_publish(
                    request=voice_request,
                    actor=request.user,
                    staff_contact=fields.pop("staff_contact"),
                    title=fields.pop("title"),
                    summary=fields.pop("summary"),
                    **fields,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Published to the eligible members."))
                return redirect("voices_admin:opportunity", pk=opportunity.pk)
    return render(request, "voices_admin/request_publish.html", {"voice_request": voice_request, "form": form})


def _order(data) -> str:
    order = data.get("order", "fewest")
    return order if order in dict(SORTS) else "fewest"


@role_required(MEMBERSHIP)
def opportunity(request, pk: int):
    """The selection screen: who is interested, how many engagements each did in the last 12
    months and when the last was (fewest recent first by default), the places, the engagements."""
    opportunity = get_object_or_404(Opportunity.objects.select_related("request", "request__chapter"), pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "choose":
                interest = get_object_or_404(Interest, pk=posted_id(request, "interest"), opportunity=opportunity)
                engagement_offer(interest=interest, actor=request.user)
                messages.success(request, _("Chosen. The member has been emailed and must confirm."))
            elif action == "close":
                opportunity_close(opportunity=opportunity, actor=request.user)
                messages.success(request, _("Closed: no more interest is taken."))
        except ValidationError as error:
            _error(request, error)
        return redirect(f"{request.path}?order={_order(request.POST)}")
    order = _order(request.GET)
    engagements = list(opportunity.engagements.select_related("member__member_profile").order_by("offered_at", "pk"))
    taken = sum(1 for engagement in engagements if engagement.status in TAKING_PLACE)
    return render(
        request,
        "voices_admin/opportunity.html",
        {
            "opportunity": opportunity,
            "voice_request": opportunity.request,
            "candidates": selectors.candidates(opportunity, order=order),
            "order": order,
            "sorts": SORTS,
            "engagements": engagements,
            "taken": taken,
            "left": max(opportunity.request.places - taken, 0),
            "recent_days": selectors.RECENT_DAYS,
        },
    )


@role_required(MEMBERSHIP, FINANCE)
def engagement(request, pk: int):
    """One engagement. The member's feedback is for Membership (safeguarding) only; Membership
    marks it done or cancels it."""
    engagement = get_object_or_404(
        Engagement.objects.select_related(
            "opportunity__request", "member__member_profile", "staff_contact", "interest"
        ),
        pk=pk,
    )
    is_membership = has_role(request.user, MEMBERSHIP)
    if request.method == "POST":
        if not is_membership:
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "complete":
                engagement_complete(engagement=engagement, actor=request.user)
                messages.success(request, _("Marked as done. Finance can now approve the payment."))
            elif action == "cancel":
                engagement_cancel(engagement=engagement, actor=request.user)
                messages.success(request, _("Cancelled. Tell the member yourself; no email was sent."))
        except ValidationError as error:
            _error(request, error)
        return redirect("voices_admin:engagement", pk=engagement.pk)
    return render(
        request,
        "voices_admin/engagement.html",
        {
            "engagement": engagement,
            "opportunity": engagement.opportunity,
            "show_feedback": is_membership,
            "is_membership": is_membership,
            "is_finance": has_role(request.user, FINANCE),
            "can_complete": engagement.status == Engagement.Status.CONFIRMED and engagement.starts_at <= timezone.now(),
            "can_cancel": engagement.status in (Engagement.Status.OFFERED, Engagement.Status.CONFIRMED),
        },
    )


@role_required(MEMBERSHIP, FINANCE)
def fee_policies(request):
    """Every chapter with its minimum fee (or none set)."""
    chapters = Chapter.objects.order_by("name").select_related("fee_policy")
    rows = [(chapter, getattr(chapter, "fee_policy", None)) for chapter in chapters]
    return render(request, "voices_admin/fee_policies.html", {"rows": rows})


@role_required(MEMBERSHIP, FINANCE)
def fee_policy_edit(request, chapter_id: int):
    """One chapter's minimum, typed in the chapter's currency."""
    chapter = get_object_or_404(Chapter, pk=chapter_id)
    policy = FeePolicy.objects.filter(chapter=chapter).first() or FeePolicy(chapter=chapter)
    form = FeePolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        policy = form.save()
        audit_record(actor=request.user, action="voices.fee_policy_saved", obj=policy, unit=policy.unit)
        messages.success(request, _("Saved the minimum fee for %(chapter)s.") % {"chapter": chapter.name})
        return redirect("voices_admin:fee_policies")
    return render(request, "voices_admin/fee_policy_edit.html", {"chapter": chapter, "form": form, "policy": policy})


@role_required(MEMBERSHIP)
def flagged(request):
    """Flagged organisations (they can submit no new request); unflag with a POST."""
    if request.method == "POST":
        return _unflag(request)
    flags = FlaggedOrganisation.objects.select_related("partner", "flagged_by").order_by("-flagged_at", "-pk")
    page = listing_page(request, search(flags, request, ["email__icontains", "partner__name__icontains"]))
    return render(request, "voices_admin/flagged.html", {"page": page})


def _unflag(request):
    flag = get_object_or_404(FlaggedOrganisation, pk=posted_id(request, "flag"))
    audit_record(actor=request.user, action="voices.organisation_unflagged", obj=flag)
    flag.delete()
    messages.success(request, _("Unflagged: the organisation may submit requests again."))
    return redirect("voices_admin:flagged")
