"""Paying survivors: Finance approves only a completed engagement of a member who chose payment
(read again at approval), records the payment with its reference, decides expense claims; the
CSV for the bank holds only members who chose payment, safe to open in a spreadsheet, and
downloading it changes nothing."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import MemberProfile
from accounts.tests.factories import StaffFactory, sign_in_with_second_factor
from voices import selectors
from voices.models import Engagement, ExpenseClaim, ThanksChoice, ThanksPreference
from voices.services.engagements import thanks_preference_set
from voices.services.payouts import engagement_mark_paid, engagement_payment_approve
from voices.tests.factories import make_engagement, make_member, make_opportunity, make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance_user():
    return StaffFactory(groups=["Finance"])


@pytest.fixture
def finance(client, finance_user):
    sign_in_with_second_factor(client, finance_user)
    return client


def done_engagement(choice: str | None = ThanksChoice.PAYMENT, *, status=Engagement.Status.COMPLETED, **profile):
    """An engagement held last week by a member who chose `choice` (None: no choice made)."""
    starts = timezone.now() - datetime.timedelta(days=7)
    member = make_member(**profile)
    if choice:
        ThanksPreference.objects.create(member=member, choice=choice, reason="Seeking asylum" if choice else "")
    opportunity = make_opportunity(request=make_request(starts_at=starts, fee_offered_minor=2000))
    return make_engagement(opportunity, member=member, status=status, starts_at=starts, thanks=choice or "")


def claim_for(engagement, amount_minor=1250, description="Train fare", status=ExpenseClaim.Status.SUBMITTED):
    return ExpenseClaim.objects.create(
        engagement=engagement,
        description=description,
        amount_minor=amount_minor,
        currency=engagement.currency,
        receipt=f"private/voices/receipts/{engagement.pk}/receipt.pdf",
        receipt_type="application/pdf",
        status=status,
    )


def export_rows(client) -> list[list[str]]:
    response = client.get(reverse("voices_admin:payouts_export"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("choice", [ThanksChoice.NOTHING, ThanksChoice.VOUCHER])
def test_approving_the_fee_of_a_member_who_chose_no_payment_records_not_paid(finance_user, choice):
    engagement = done_engagement(choice)
    engagement = engagement_payment_approve(engagement=engagement, actor=finance_user)
    assert engagement.payment == Engagement.Payment.NOT_PAID and engagement.approved_at is None


def test_the_members_choice_is_read_again_at_approval_not_taken_from_the_engagement(finance_user):
    engagement = done_engagement(ThanksChoice.PAYMENT)
    ThanksPreference.objects.filter(member=engagement.member).update(choice=ThanksChoice.NOTHING)
    assert engagement_payment_approve(engagement=engagement, actor=finance_user).payment == "not_paid"


def test_a_fee_is_never_approved_without_the_members_choice_or_before_the_engagement_is_done(finance_user):
    no_choice = done_engagement(None)
    with pytest.raises(ValidationError) as refusal:
        engagement_payment_approve(engagement=no_choice, actor=finance_user)
    assert refusal.value.code == "no_choice"
    for status in (Engagement.Status.CONFIRMED, Engagement.Status.WITHDRAWN, Engagement.Status.CANCELLED):
        engagement = done_engagement(ThanksChoice.PAYMENT, status=status)
        with pytest.raises(ValidationError) as refusal:
            engagement_payment_approve(engagement=engagement, actor=finance_user)
        assert refusal.value.code == "not_completed"
        assert Engagement.objects.get(pk=engagement.pk).payment == Engagement.Payment.NOT_DUE
    assert Engagement.objects.get(pk=no_choice.pk).payment == Engagement.Payment.NOT_DUE


def test_finance_approves_then_marks_paid_and_the_member_sees_it_in_their_tax_year(finance):
    engagement = done_engagement(ThanksChoice.PAYMENT)
    url = reverse("voices_admin:payout", args=[engagement.pk])
    finance.post(url, {"action": "approve"})
    assert Engagement.objects.get(pk=engagement.pk).payment == Engagement.Payment.APPROVED
    refused = finance.post(url, {"action": "paid", "reference": "  "}, follow=True)
    assert Engagement.objects.get(pk=engagement.pk).payment == Engagement.Payment.APPROVED
    assert "reference" in refused.content.decode()
    finance.post(url, {"action": "paid", "reference": "BACS-0412"})
    engagement.refresh_from_db()
    assert (engagement.payment, engagement.payment_reference) == (Engagement.Payment.PAID, "BACS-0412")
    assert selectors.tax_year_totals(engagement.member)["fees"] == {"GBP": 2000}


def test_a_member_who_changes_to_no_payment_after_approval_is_not_paid(finance_user):
    engagement = engagement_payment_approve(engagement=done_engagement(ThanksChoice.PAYMENT), actor=finance_user)
    thanks_preference_set(member=engagement.member, choice=ThanksChoice.VOUCHER)
    engagement = engagement_mark_paid(engagement=engagement, actor=finance_user, reference="BACS-1")
    assert engagement.payment == Engagement.Payment.NOT_PAID and engagement.paid_at is None


def test_finance_decides_each_expense_claim_with_a_link_to_its_receipt_and_marks_the_approved_paid(finance):
    engagement = done_engagement(ThanksChoice.PAYMENT)
    fare, taxi = claim_for(engagement), claim_for(engagement, 3000, "Taxi")
    url = reverse("voices_admin:payout", args=[engagement.pk])
    page = finance.get(url).content.decode()
    assert reverse("voices:expense_receipt", args=[fare.pk]) in page
    finance.post(url, {"action": "expense_approve", "claim": fare.pk})
    finance.post(url, {"action": "expense_reject", "claim": taxi.pk})
    assert ExpenseClaim.objects.get(pk=fare.pk).status == ExpenseClaim.Status.APPROVED
    assert ExpenseClaim.objects.get(pk=taxi.pk).status == ExpenseClaim.Status.REJECTED
    finance.post(url, {"action": "expense_approve", "claim": taxi.pk})  # decided once
    assert ExpenseClaim.objects.get(pk=taxi.pk).status == ExpenseClaim.Status.REJECTED
    finance.post(url, {"action": "expenses_paid"})
    assert ExpenseClaim.objects.get(pk=fare.pk).status == ExpenseClaim.Status.PAID
    assert selectors.tax_year_totals(engagement.member)["expenses"] == {"GBP": 1250}


def test_the_reason_for_a_members_choice_is_shown_to_finance_and_the_payout_page_refuses_membership(client):
    engagement = done_engagement(ThanksChoice.NOTHING)
    url = reverse("voices_admin:payout", args=[engagement.pk])
    sign_in_with_second_factor(client, StaffFactory(groups=["Finance"]))
    assert "Seeking asylum" in client.get(url).content.decode()
    sign_in_with_second_factor(client, StaffFactory(groups=["Membership"]))
    refused = client.get(url)
    assert refused.status_code in (302, 403) and "Seeking asylum" not in refused.content.decode()
    engagement_page = client.get(reverse("voices_admin:engagement", args=[engagement.pk]))
    assert engagement_page.status_code == 200 and "Seeking asylum" not in engagement_page.content.decode()


def test_the_export_holds_approved_fees_and_expenses_of_members_who_chose_payment_only(finance, finance_user):
    paid = done_engagement(ThanksChoice.PAYMENT, display_name="Pays", legal_name="Alex Legal")
    engagement_payment_approve(engagement=paid, actor=finance_user)
    claim = claim_for(paid, status=ExpenseClaim.Status.APPROVED)
    voucher = done_engagement(ThanksChoice.VOUCHER, display_name="Voucher person")
    engagement_payment_approve(engagement=voucher, actor=finance_user)
    claim_for(voucher, status=ExpenseClaim.Status.APPROVED)  # not in the file: this member takes no payment
    nothing = done_engagement(ThanksChoice.NOTHING)
    Engagement.objects.filter(pk=nothing.pk).update(payment=Engagement.Payment.APPROVED)  # even if forced
    not_approved = done_engagement(ThanksChoice.PAYMENT)

    rows = export_rows(finance)
    assert rows[0] == [
        "Reference",
        "Member number",
        "Name for payment",
        "Email",
        "Kind",
        "Description",
        "Amount",
        "Currency",
    ]
    assert rows[1:] == [
        [f"VF{paid.pk}", str(paid.member_id), "Alex Legal", paid.member.email, "fee", rows[1][5], "20.00", "GBP"],
        [f"VE{claim.pk}", str(paid.member_id), "Alex Legal", paid.member.email, "expense", rows[2][5], "12.50", "GBP"],
    ]
    member_ids = {row[1] for row in rows[1:]}
    assert str(voucher.member_id) not in member_ids and str(nothing.member_id) not in member_ids
    assert str(not_approved.member_id) not in member_ids
    # Downloading marks nothing: the fee is still approved, the claim still approved.
    assert Engagement.objects.get(pk=paid.pk).payment == Engagement.Payment.APPROVED
    assert ExpenseClaim.objects.get(pk=claim.pk).status == ExpenseClaim.Status.APPROVED
    assert export_rows(finance)[1:] == rows[1:]


def test_the_export_is_safe_to_open_in_a_spreadsheet(finance, finance_user):
    engagement = done_engagement(ThanksChoice.PAYMENT)
    MemberProfile.objects.filter(user=engagement.member).update(
        legal_name="", certificate_name='=HYPERLINK("http://evil.example","Paid")'
    )
    engagement_payment_approve(engagement=engagement, actor=finance_user)
    claim_for(engagement, description="+SUM(A1:A9)", status=ExpenseClaim.Status.APPROVED)
    rows = export_rows(finance)
    assert rows[1][2] == '\'=HYPERLINK("http://evil.example","Paid")'
    assert rows[2][5].startswith("'+SUM(A1:A9)")
