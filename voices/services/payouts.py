"""Paying survivors, and the staff actions around an engagement that payment depends on.

Engagement.payment: not_due -> approved (Finance, once the engagement is completed and the
member's choice, read again at that moment, is payment) -> paid (Finance, with the bank's
reference). A member whose choice is a voucher or nothing is set to not_paid ("member's
choice") instead and never appears in the export; a member who has made no choice is refused
(never pay without the choice). Expense claims: submitted -> approved | rejected; approved ->
paid. Their paid date is `decided_at` (what the tax-year total reads).

The export (`payouts_export_lines`) changes nothing: as in pretix and CiviCRM, downloading a
file is not paying; Finance marks each payment paid, with the reference, once the bank or
payroll has taken it. So a download that fails or is done twice pays nobody twice.

Lock order (as engagements.py): the opportunity row, then the engagement row, then its claims.
Audit details hold ids and choices only.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import MemberProfile
from core.audit import audit_record
from core.money import format_major
from voices.models import Engagement, ExpenseClaim, Interest, Opportunity, ThanksChoice, ThanksPreference, VoiceRequest


def _current_thanks(member_id: int) -> str:
    return ThanksPreference.objects.filter(member_id=member_id).values_list("choice", flat=True).first() or ""


@transaction.atomic
def organisation_mark_invoiced(*, request: VoiceRequest, actor) -> VoiceRequest:
    """Record that the organisation is paying the network by invoice. Refuses a request the
    organisation has already paid by card. Idempotent."""
    request = VoiceRequest.objects.select_for_update().get(pk=request.pk)
    if request.organisation_payment == VoiceRequest.OrganisationPayment.PAID:
        raise ValidationError(_("The organisation has already paid by card."))
    if request.organisation_payment != VoiceRequest.OrganisationPayment.INVOICED:
        request.organisation_payment = VoiceRequest.OrganisationPayment.INVOICED
        request.save(update_fields=["organisation_payment", "updated_at"])
        audit_record(actor=actor, action="voices.organisation_invoiced", obj=request)
    return request


@transaction.atomic
def opportunity_close(*, opportunity: Opportunity, actor) -> Opportunity:
    """Stop taking interest. Members still waiting are told, on their page, that they were not
    chosen this time (no email). Engagements already offered or confirmed stay. Idempotent."""
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if opportunity.status == Opportunity.Status.OPEN:
        opportunity.status = Opportunity.Status.CLOSED
        opportunity.save(update_fields=["status"])
        Interest.objects.filter(opportunity=opportunity, status=Interest.Status.INTERESTED).update(
            status=Interest.Status.NOT_CHOSEN, updated_at=timezone.now()
        )
        audit_record(actor=actor, action="voices.opportunity_closed", obj=opportunity)
    return opportunity


@transaction.atomic
def engagement_cancel(*, engagement: Engagement, actor) -> Engagement:
    """Staff cancel an engagement offered or confirmed (the organisation cancelled, a
    safeguarding concern): its place is free again. Staff tell the member themselves (the
    reason may be delicate); no email is sent. Idempotent."""
    Opportunity.objects.select_for_update().filter(pk=engagement.opportunity_id).first()
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if engagement.status == Engagement.Status.CANCELLED:
        return engagement
    if engagement.status not in (Engagement.Status.OFFERED, Engagement.Status.CONFIRMED):
        raise ValidationError(_("Only an engagement offered or confirmed can be cancelled."))
    engagement.status = Engagement.Status.CANCELLED
    engagement.save(update_fields=["status"])
    Interest.objects.filter(pk=engagement.interest_id).update(
        status=Interest.Status.NOT_CHOSEN, updated_at=timezone.now()
    )
    audit_record(actor=actor, action="voices.engagement_cancelled", obj=engagement)
    return engagement


@transaction.atomic
def engagement_payment_approve(*, engagement: Engagement, actor) -> Engagement:
    """Finance approves the fee of a completed engagement. The member's choice is read again
    now: payment -> approved; a voucher or nothing -> not paid (member's choice), never
    exported; no choice at all -> refused (never pay without it). Refuses an engagement not
    completed, and one already paid. Approving twice changes nothing."""
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if engagement.status != Engagement.Status.COMPLETED:
        raise ValidationError(_("Only a completed engagement can be paid."), code="not_completed")
    if engagement.payment == Engagement.Payment.PAID:
        raise ValidationError(_("This fee has already been paid."), code="paid")
    if engagement.payment == Engagement.Payment.APPROVED:
        return engagement
    choice = _current_thanks(engagement.member_id)
    if not choice:
        raise ValidationError(
            _("The member has not said how they want to be thanked: ask their staff contact to check with them."),
            code="no_choice",
        )
    engagement.thanks = choice
    if choice == ThanksChoice.PAYMENT:
        engagement.payment = Engagement.Payment.APPROVED
        engagement.approved_by = actor
        engagement.approved_at = timezone.now()
        action = "voices.payment_approved"
    else:
        engagement.payment = Engagement.Payment.NOT_PAID
        action = "voices.payment_not_paid"
    engagement.save(update_fields=["thanks", "payment", "approved_by", "approved_at"])
    audit_record(actor=actor, action=action, obj=engagement, choice=choice)
    return engagement


@transaction.atomic
def engagement_mark_paid(*, engagement: Engagement, actor, reference: str) -> Engagement:
    """Finance records that an approved fee has been paid, with the bank's or payroll's
    reference. Refuses a fee not approved, and one whose member has since chosen not to be
    paid (it becomes not paid: member's choice)."""
    reference = reference.strip()
    if not reference:
        raise ValidationError({"reference": _("Type the payment's reference from the bank or payroll.")})
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if engagement.payment == Engagement.Payment.PAID:
        return engagement
    if engagement.payment != Engagement.Payment.APPROVED:
        raise ValidationError(_("Approve the fee before marking it paid."), code="not_approved")
    choice = _current_thanks(engagement.member_id)
    if choice != ThanksChoice.PAYMENT:
        engagement.thanks = choice
        engagement.payment = Engagement.Payment.NOT_PAID
        engagement.save(update_fields=["thanks", "payment"])
        audit_record(actor=actor, action="voices.payment_not_paid", obj=engagement, choice=choice)
        return engagement
    engagement.payment = Engagement.Payment.PAID
    engagement.payment_reference = reference[:80]
    engagement.paid_at = timezone.now()
    engagement.save(update_fields=["payment", "payment_reference", "paid_at"])
    audit_record(actor=actor, action="voices.payment_paid", obj=engagement)
    return engagement


@transaction.atomic
def expense_decide(*, claim: ExpenseClaim, actor, approve: bool) -> ExpenseClaim:
    """Finance approves or rejects one expense claim (once: a decided claim is not changed)."""
    claim = ExpenseClaim.objects.select_for_update().get(pk=claim.pk)
    wanted = ExpenseClaim.Status.APPROVED if approve else ExpenseClaim.Status.REJECTED
    if claim.status == wanted:
        return claim
    if claim.status != ExpenseClaim.Status.SUBMITTED:
        raise ValidationError(_("This claim has already been decided."))
    claim.status = wanted
    claim.decided_by = actor
    claim.decided_at = timezone.now()
    claim.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(actor=actor, action=f"voices.expense_{wanted}", obj=claim)
    return claim


@transaction.atomic
def expenses_mark_paid(*, engagement: Engagement, actor) -> int:
    """Finance records that the engagement's approved claims have been paid back. Returns how
    many were marked."""
    claims = list(
        ExpenseClaim.objects.select_for_update().filter(
            engagement_id=engagement.pk, status=ExpenseClaim.Status.APPROVED
        )
    )
    now = timezone.now()
    for claim in claims:
        claim.status = ExpenseClaim.Status.PAID
        claim.decided_by = actor
        claim.decided_at = now  # the paid date, as the tax-year total reads it
        claim.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(actor=actor, action="voices.expense_paid", obj=claim)
    return len(claims)


EXPORT_HEADER = ["Reference", "Member number", "Name for payment", "Email", "Kind", "Description", "Amount", "Currency"]


@dataclass(frozen=True)
class ExportLine:
    reference: str
    member_id: int
    name: str
    email: str
    kind: str  # "fee" or "expense"
    description: str
    amount_minor: int
    currency: str

    def row(self) -> list:
        return [
            self.reference,
            self.member_id,
            self.name,
            self.email,
            self.kind,
            self.description,
            format_major(self.amount_minor, self.currency),
            self.currency,
        ]


def payouts_export_lines() -> list[ExportLine]:
    """What the bank or payroll should pay: fees approved and not yet paid, and expense claims
    approved and not yet paid, of members whose choice is payment now (read from their
    preference, not from the engagement's copy). Changes nothing. Three queries."""
    paying = ThanksPreference.objects.filter(choice=ThanksChoice.PAYMENT).values("member_id")
    fees = list(
        Engagement.objects.filter(
            payment=Engagement.Payment.APPROVED, thanks=ThanksChoice.PAYMENT, member_id__in=paying
        )
        .select_related("member", "opportunity")
        .order_by("pk")
    )
    claims = list(
        ExpenseClaim.objects.filter(status=ExpenseClaim.Status.APPROVED, engagement__member_id__in=paying)
        .select_related("engagement__member", "engagement__opportunity")
        .order_by("pk")
    )
    member_ids = {e.member_id for e in fees} | {c.engagement.member_id for c in claims}
    names = {
        row["user_id"]: row["legal_name"] or row["certificate_name"]
        for row in MemberProfile.objects.filter(user_id__in=member_ids).values(
            "user_id", "legal_name", "certificate_name"
        )
    }
    lines = [
        ExportLine(
            reference=f"VF{engagement.pk}",
            member_id=engagement.member_id,
            name=names.get(engagement.member_id, ""),
            email=engagement.member.email,
            kind="fee",
            description=f"{engagement.opportunity.title} ({engagement.starts_at.date().isoformat()})",
            amount_minor=engagement.fee_minor,
            currency=engagement.currency,
        )
        for engagement in fees
    ]
    lines += [
        ExportLine(
            reference=f"VE{claim.pk}",
            member_id=claim.engagement.member_id,
            name=names.get(claim.engagement.member_id, ""),
            email=claim.engagement.member.email,
            kind="expense",
            description=f"{claim.description} ({claim.engagement.opportunity.title})",
            amount_minor=claim.amount_minor,
            currency=claim.currency,
        )
        for claim in claims
    ]
    return lines
