"""Paying survivors (the admin, Finance only): what is due, each engagement's fee and expense
claims, and the CSV for the bank or payroll.

The export changes nothing (as pretix's and CiviCRM's exports): Finance pays from it, then
marks each payment paid with its reference here. A member whose choice is a voucher or nothing
is never in it (services.payouts). The reason a member gave for their choice is shown here,
to Finance only."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import MemberProfile
from accounts.roles import FINANCE, role_required
from core.csv_export import csv_response
from core.listing import listing_page
from voices.forms_admin import PaidForm
from voices.models import Engagement, ExpenseClaim, ThanksPreference, VoiceRequest
from voices.services.payouts import (
    EXPORT_HEADER,
    engagement_mark_paid,
    engagement_payment_approve,
    expense_decide,
    expenses_mark_paid,
    payouts_export_lines,
)


def _posted_id(request, name: str) -> int:
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else 0


@role_required(FINANCE)
def payouts(request):
    """Completed engagements whose fee is waiting for a decision or payment, or whose expense
    claims are; and organisations whose payment is not yet recorded."""
    open_claims = ExpenseClaim.objects.filter(
        engagement=OuterRef("pk"), status__in=[ExpenseClaim.Status.SUBMITTED, ExpenseClaim.Status.APPROVED]
    )
    due = (
        Engagement.objects.filter(
            Q(status=Engagement.Status.COMPLETED, payment__in=[Engagement.Payment.NOT_DUE, Engagement.Payment.APPROVED])
            | Q(Exists(open_claims))
        )
        .select_related("opportunity", "member__member_profile")
        .order_by("starts_at", "pk")
    )
    page = listing_page(request, due)
    to_invoice = (
        VoiceRequest.objects.filter(
            status=VoiceRequest.Status.FILLED, organisation_payment=VoiceRequest.OrganisationPayment.DUE
        )
        .select_related("chapter")
        .order_by("starts_at", "pk")[:50]
    )
    return render(
        request,
        "voices_admin/payouts.html",
        {"page": page, "to_invoice": to_invoice, "export_count": len(payouts_export_lines())},
    )


@role_required(FINANCE)
def payout(request, pk: int):
    """One engagement's fee and expense claims: approve, mark paid, decide each claim."""
    engagement = get_object_or_404(
        Engagement.objects.select_related("opportunity__request", "member__member_profile"), pk=pk
    )
    paid_form = PaidForm(request.POST if request.POST.get("action") == "paid" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve":
                engagement = engagement_payment_approve(engagement=engagement, actor=request.user)
                if engagement.payment == Engagement.Payment.APPROVED:
                    messages.success(request, _("Approved. It is in the next export."))
                else:
                    messages.warning(request, _("Not approved: the member chose not to be paid. Recorded as not paid."))
            elif action == "paid":
                if not paid_form.is_valid():
                    raise ValidationError(paid_form.errors["reference"])
                engagement = engagement_mark_paid(
                    engagement=engagement, actor=request.user, reference=paid_form.cleaned_data["reference"]
                )
                if engagement.payment == Engagement.Payment.PAID:
                    messages.success(request, _("Recorded as paid."))
                else:
                    messages.warning(
                        request, _("Not paid: the member has since chosen not to be paid. Recorded as not paid.")
                    )
            elif action in ("expense_approve", "expense_reject"):
                claim = get_object_or_404(ExpenseClaim, pk=_posted_id(request, "claim"), engagement=engagement)
                expense_decide(claim=claim, actor=request.user, approve=action == "expense_approve")
                messages.success(request, _("Expense claim decided."))
            elif action == "expenses_paid":
                count = expenses_mark_paid(engagement=engagement, actor=request.user)
                messages.success(request, _("Expense claims recorded as paid: %(count)s.") % {"count": count})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("voices_admin:payout", pk=engagement.pk)
    profile = MemberProfile.objects.filter(user_id=engagement.member_id).first()
    preference = ThanksPreference.objects.filter(member_id=engagement.member_id).first()
    claims = list(engagement.expenses.all())
    completed = engagement.status == Engagement.Status.COMPLETED
    # Not paid (member's choice) is approved again if the member has since chosen payment.
    can_approve = completed and (
        engagement.payment == Engagement.Payment.NOT_DUE
        or (engagement.payment == Engagement.Payment.NOT_PAID and preference and preference.choice == "payment")
    )
    return render(
        request,
        "voices_admin/payout.html",
        {
            "engagement": engagement,
            "profile": profile,
            "preference": preference,
            "can_approve": can_approve,
            "claims": claims,
            "has_approved_claims": any(c.status == ExpenseClaim.Status.APPROVED for c in claims),
            "paid_form": paid_form,
        },
    )


@role_required(FINANCE)
def payouts_export(request):
    """The CSV of fees and expense claims approved and not yet paid, of members whose choice is
    payment. Downloading it marks nothing."""
    lines = payouts_export_lines()
    filename = f"survivor-voices-payments-{timezone.localdate().isoformat()}.csv"
    return csv_response(filename, EXPORT_HEADER, (line.row() for line in lines))
