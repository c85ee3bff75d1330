"""Survivor voices for members: the opportunities they are eligible for, their interest, their
engagements (confirm, withdraw, the brief, how it went), expense claims with receipts, and how
they want to be thanked.

Who may see what is checked here: opportunities only for an active member who is eligible (or
already answered it), 404 otherwise, so an id tells nobody else anything; engagements and
expense claims only for the member whose they are; a receipt also for Finance. Every page is
personal: never cached. The organisation's contact details are never shown to the member.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.roles import FINANCE, has_role
from core.forms import form_errors_from
from core.money import format_money
from voices import selectors
from voices.forms_member import ExpenseForm, FeedbackForm, InterestForm, ThanksForm
from voices.models import Engagement, ExpenseClaim, Interest, Opportunity, ThanksChoice, ThanksPreference
from voices.services.engagements import (
    engagement_confirm,
    engagement_feedback_give,
    engagement_withdraw,
    interest_express,
    interest_withdraw,
    thanks_preference_set,
)
from voices.services.expenses import CLAIMABLE, expense_claim_submit, receipt_max_bytes

RECEIPT_EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


def member_required(view):
    """Signed in (else to the sign-in page) and an active member (else 404); never cached."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not selectors.is_member(request.user):
            raise Http404("Not a member")
        return view(request, *args, **kwargs)

    return login_required(never_cache(wrapped))


def is_open(opportunity: Opportunity) -> bool:
    return opportunity.status == Opportunity.Status.OPEN and (
        opportunity.closes_at is None or opportunity.closes_at > timezone.now()
    )


def _money_rows(totals: dict) -> list[dict]:
    currencies = sorted(set(totals["fees"]) | set(totals["expenses"]))
    return [
        {
            "currency": currency,
            "fees": format_money(totals["fees"].get(currency, 0), currency),
            "expenses": format_money(totals["expenses"].get(currency, 0), currency),
        }
        for currency in currencies
    ]


@member_required
def opportunities(request):
    """The open opportunities the member may take, their own interest and engagements, and
    what they were paid in this tax year."""
    user = request.user
    interests = list(
        Interest.objects.filter(member=user).select_related("opportunity__request").order_by("-created_at", "-pk")
    )
    answered = {interest.opportunity_id: interest for interest in interests}
    open_ones = [
        {"opportunity": opportunity, "interest": answered.get(opportunity.pk)}
        for opportunity in selectors.opportunities_for(user).order_by("request__starts_at", "pk")
        if is_open(opportunity)
    ]
    engagements = list(
        Engagement.objects.filter(member=user).select_related("opportunity__request").order_by("-starts_at", "-pk")
    )
    engaged = {engagement.interest_id for engagement in engagements}
    totals = selectors.tax_year_totals(user)
    return render(
        request,
        "voices/opportunities.html",
        {
            "open_ones": open_ones,
            "interests": [interest for interest in interests if interest.pk not in engaged],
            "engagements": engagements,
            "tax_year": totals,
            "money_rows": _money_rows(totals),
            "thanks": ThanksPreference.objects.filter(member=user).first(),
        },
    )


def _interest_withdraw(request, interest: Interest | None) -> None:
    if interest is None or interest.status != Interest.Status.INTERESTED:
        messages.error(request, _("There is no interest of yours to take back here."))
        return
    try:
        interest_withdraw(member=request.user, interest=interest)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You are no longer down as interested. Nothing else changes."))


@member_required
def opportunity(request, pk: int):
    """One opportunity, for a member eligible for it (or who already answered it): what it is,
    and the form to say they are interested (or to take that back)."""
    user = request.user
    opportunity = get_object_or_404(Opportunity.objects.select_related("request", "request__chapter"), pk=pk)
    interest = Interest.objects.filter(opportunity=opportunity, member=user).first()
    eligible = selectors.is_eligible(user, opportunity)
    if interest is None and not eligible:
        raise Http404("Not eligible")
    taking_interest = eligible and is_open(opportunity)
    can_answer = taking_interest and (
        interest is None or interest.status in (Interest.Status.INTERESTED, Interest.Status.WITHDRAWN)
    )
    initial = {}
    if interest is not None:
        initial = {
            name: getattr(interest, name)
            for name in ("availability", "appearance", "pseudonym", "no_photos", "no_recording")
        }
    form = InterestForm(initial=initial)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "withdraw":
            _interest_withdraw(request, interest)
            return redirect("voices:opportunity", pk=opportunity.pk)
        if action != "interest" or not can_answer:
            messages.error(request, _("This opportunity is no longer taking interest."))
            return redirect("voices:opportunity", pk=opportunity.pk)
        form = InterestForm(request.POST)
        if form.is_valid():
            try:
                interest_express(member=user, opportunity=opportunity, **form.cleaned_data)
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(
                    request,
                    _("Thank you: staff now know you are interested. We will write to you if you are chosen."),
                )
                return redirect("voices:opportunity", pk=opportunity.pk)
    engagement = Engagement.objects.filter(interest=interest).first() if interest is not None else None
    return render(
        request,
        "voices/opportunity.html",
        {
            "opportunity": opportunity,
            "voice_request": opportunity.request,
            "interest": interest,
            "engagement": engagement,
            "form": form,
            "can_answer": can_answer,
            "taking_interest": taking_interest,
            "fee": format_money(opportunity.request.fee_offered_minor, opportunity.request.currency),
        },
    )


def _own_engagement(request, pk: int) -> Engagement:
    return get_object_or_404(
        Engagement.objects.select_related("opportunity__request", "opportunity__staff_contact", "interest"),
        pk=pk,
        member=request.user,
    )


def _engagement_post(request, engagement: Engagement, feedback_form: FeedbackForm):
    """Confirm, withdraw (after the confirmation step) or give feedback; a redirect when done,
    else None (the page is shown again with the errors)."""
    action = request.POST.get("action")
    try:
        if action == "confirm":
            engagement_confirm(member=request.user, engagement=engagement)
            messages.success(request, _("Thank you for confirming. Your brief is below and on its way by email."))
        elif action == "withdraw":
            declined = engagement.status == Engagement.Status.OFFERED
            engagement_withdraw(member=request.user, engagement=engagement)
            if declined:
                messages.success(
                    request, _("You have declined. Nobody will ask you why. Thank you for letting us know.")
                )
            else:
                messages.success(
                    request, _("You have withdrawn. Nobody will ask you why. Thank you for letting us know.")
                )
        elif action == "feedback":
            if not feedback_form.is_valid():
                return None
            engagement_feedback_give(
                member=request.user, engagement=engagement, text=feedback_form.cleaned_data["text"]
            )
            messages.success(request, _("Thank you. Only staff will read what you wrote."))
        else:
            raise Http404("Unknown action")
    except ValidationError as error:
        if action == "feedback" and hasattr(error, "error_dict"):
            form_errors_from(feedback_form, error)
            return None
        messages.error(request, " ".join(error.messages))
    return redirect("voices:engagement", pk=engagement.pk)


@never_cache
@login_required
def engagement(request, pk: int):
    """The member's own engagement: confirm or decline, the brief once confirmed, withdrawing at
    any time (with a confirmation step), how it went afterwards, the fee, payment and expenses."""
    engagement = _own_engagement(request, pk)
    feedback_form = FeedbackForm(request.POST if request.POST.get("action") == "feedback" else None)
    if request.method == "POST":
        response = _engagement_post(request, engagement, feedback_form)
        if response is not None:
            return response
    opportunity = engagement.opportunity
    voice_request = opportunity.request
    Status = Engagement.Status
    taking_place = engagement.status in (Status.CONFIRMED, Status.COMPLETED)
    happened = taking_place and engagement.starts_at <= timezone.now()
    if happened and engagement.feedback and not feedback_form.is_bound:
        feedback_form = FeedbackForm(initial={"text": engagement.feedback})
    expenses = list(engagement.expenses.all())
    for claim in expenses:
        claim.amount = format_money(claim.amount_minor, claim.currency)
    return render(
        request,
        "voices/engagement.html",
        {
            "engagement": engagement,
            "opportunity": opportunity,
            "voice_request": voice_request,
            "interest": engagement.interest,
            "staff_contact": opportunity.staff_contact,
            "withdrawing": request.GET.get("step") == "withdraw"
            and engagement.status in (Status.OFFERED, Status.CONFIRMED),
            "can_withdraw": engagement.status in (Status.OFFERED, Status.CONFIRMED),
            "taking_place": taking_place,
            "happened": happened,
            "feedback_form": feedback_form,
            "fee": format_money(engagement.fee_minor, engagement.currency),
            "expenses": expenses,
            "can_claim": taking_place and voice_request.expenses_covered,
            "questionnaire_url": reverse("voices:questionnaire", args=[engagement.pk])
            if opportunity.is_consultation and taking_place
            else None,
            "thanks": ThanksPreference.objects.filter(member=request.user).first(),
            "NOTHING": ThanksChoice.NOTHING,
        },
    )


@never_cache
@login_required
def expense_new(request, pk: int):
    """Claim an expense for the member's own confirmed or completed engagement, with a receipt."""
    engagement = _own_engagement(request, pk)
    voice_request = engagement.opportunity.request
    refusal = None
    if engagement.status not in CLAIMABLE:
        refusal = _("Expenses can be claimed once you have confirmed the engagement.")
    elif not voice_request.expenses_covered:
        refusal = _("The organisation does not cover expenses for this engagement, so there is nothing to claim.")
    limit = receipt_max_bytes()
    megabytes = f"{limit / (1024 * 1024):.0f}"
    form = ExpenseForm(
        request.POST or None, request.FILES or None, currency=engagement.currency, max_megabytes=megabytes
    )
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            expense_claim_submit(
                member=request.user,
                engagement=engagement,
                description=form.cleaned_data["description"],
                amount_minor=form.cleaned_data["amount_minor"],
                receipt=form.cleaned_data["receipt"],
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("Your expense is sent to Finance. You can follow it here."))
            return redirect("voices:engagement", pk=engagement.pk)
    return render(
        request,
        "voices/expense_form.html",
        {"engagement": engagement, "opportunity": engagement.opportunity, "form": form, "refusal": refusal},
        status=200,
    )


@login_required
def expense_receipt(request, pk: int):
    """The receipt, as a download, for the member who claimed it, Finance or a superuser (404 for
    anyone else); never cached, never sniffed, in the type recorded at upload."""
    claim = get_object_or_404(ExpenseClaim.objects.select_related("engagement"), pk=pk)
    if claim.engagement.member_id != request.user.pk and not has_role(request.user, FINANCE):
        raise Http404("Not yours")
    try:
        handle = claim.receipt.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("The receipt file is missing") from None
    extension = RECEIPT_EXTENSIONS.get(claim.receipt_type, "bin")
    response = FileResponse(handle, content_type=claim.receipt_type or "application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="receipt-{claim.pk}.{extension}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@member_required
def thanks(request):
    """How the member wants to be thanked: payment, a voucher, or nothing; with a reason only
    Finance reads. Never paid without this choice."""
    preference = ThanksPreference.objects.filter(member=request.user).first()
    initial = {"choice": preference.choice, "reason": preference.reason} if preference else {}
    form = ThanksForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            thanks_preference_set(member=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("Thank you. Your choice is saved and Finance will follow it."))
            return redirect("voices:opportunities")
    return render(request, "voices/thanks.html", {"form": form, "preference": preference})
