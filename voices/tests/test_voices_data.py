"""Survivor voices and the member's data rights: erasure (voices.erasure, through the same
service Membership staff use), the data export (accounts.export), and the demo content
(voices.demo, through `seed_demo`)."""

import json
import logging

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.erasure import erase_member
from accounts.export import member_export
from accounts.services import erasure_confirm, erasure_request
from accounts.tests.factories import UserFactory
from accounts.tests.test_erasure_everywhere import columns_holding
from core.personal_data import ERASED_EMAIL_DOMAIN
from voices.models import (
    ConsultationAnswer,
    ConsultationQuestion,
    Engagement,
    ExpenseClaim,
    FeePolicy,
    Interest,
    Kind,
    Opportunity,
    ThanksChoice,
    ThanksPreference,
    VoiceRequest,
)
from voices.tests.factories import make_engagement, make_interest, make_member, make_opportunity, make_request

pytestmark = pytest.mark.django_db

# What the member wrote or chose, each distinctive enough to be found in any column.
PSEUDONYM = "Zephyrine Quell"
AVAILABILITY = "Tuesdays after my shift at Larkspur Bakery"
FEEDBACK = "The organiser at Larkspur asked about my past"
EXPENSE = "Train from Larkspur Vale to the venue"
ANSWER = "I was moved through Larkspur port"
REFERENCE = "QUELL-PAYOUT-7731"
THANKS_REASON = "My Larkspur asylum claim is pending"
CONTACT_NAME = "Ottoline Quell"
NEEDLES = ("Zephyrine", "Larkspur", "Quell")
RECEIPT = b"%PDF-1.4\n% a receipt\n"


def voices_life(member, *, prefix: str = "") -> dict:
    """`member` through survivor voices: interest in one opportunity, a completed and paid
    consultation with an expense (a real file in storage) and answers, a confirmed engagement
    still to come, a thanks preference, and a request they sent as an organisation's contact.
    `prefix` marks every text so two members' data can be told apart."""
    consultation = make_opportunity(request=make_request(kind=Kind.CONSULTATION, topic="Safer casework"))
    text_question = ConsultationQuestion.objects.create(
        opportunity=consultation, order=1, kind=ConsultationQuestion.QuestionKind.TEXT, text="What would help?"
    )
    scale_question = ConsultationQuestion.objects.create(
        opportunity=consultation, order=2, kind=ConsultationQuestion.QuestionKind.SCALE, text="How useful?"
    )
    done = make_engagement(
        consultation,
        member,
        status=Engagement.Status.COMPLETED,
        shown_as=prefix + PSEUDONYM,
        feedback=prefix + FEEDBACK,
        payment=Engagement.Payment.PAID,
        payment_reference=prefix + REFERENCE,
        thanks=ThanksChoice.PAYMENT,
        fee_minor=15000,
        paid_at=timezone.now(),
        completed_at=timezone.now(),
    )
    Interest.objects.filter(pk=done.interest_id).update(
        appearance="pseudonym", pseudonym=prefix + PSEUDONYM, availability=prefix + AVAILABILITY
    )
    claim = ExpenseClaim.objects.create(
        engagement=done,
        description=prefix + EXPENSE,
        amount_minor=1850,
        currency=done.currency,
        receipt=ContentFile(RECEIPT, name="receipt.pdf"),
        receipt_type="application/pdf",
        status=ExpenseClaim.Status.PAID,
    )
    ConsultationAnswer.objects.create(engagement=done, question=text_question, value=prefix + ANSWER, may_quote=True)
    ConsultationAnswer.objects.create(engagement=done, question=scale_question, value="4", may_quote=True)

    coming = make_engagement(make_opportunity(), member, shown_as=prefix + PSEUDONYM)
    waiting = make_interest(
        make_opportunity(), member, pseudonym=prefix + PSEUDONYM, availability=prefix + AVAILABILITY
    )
    ThanksPreference.objects.create(member=member, choice=ThanksChoice.PAYMENT, reason=prefix + THANKS_REASON)
    sent = make_request(contact_name=prefix + CONTACT_NAME, contact_email=member.email, submitted_by=member)
    return {"done": done, "claim": claim, "coming": coming, "waiting": waiting, "sent": sent}


def confirm_erasure(user) -> None:
    officer = UserFactory(groups=["Membership"])
    erasure_confirm(request=erasure_request(user=user, revoke_certificates=False), actor=officer)


def test_erasing_a_member_leaves_none_of_their_voices_text_deletes_the_receipt_and_keeps_what_finance_paid(
    django_capture_on_commit_callbacks, caplog
):
    member = make_member()
    email = member.email
    life = voices_life(member)
    receipt_name = life["claim"].receipt.name
    storage = life["claim"].receipt.storage
    assert storage.exists(receipt_name)
    before = columns_holding(NEEDLES)
    assert {"voices.Interest.pseudonym", "voices.Engagement.feedback", "voices.ExpenseClaim.description"} <= set(before)
    caplog.set_level(logging.DEBUG)

    with django_capture_on_commit_callbacks(execute=True):
        confirm_erasure(member)

    assert columns_holding(NEEDLES) == {}
    assert not storage.exists(receipt_name)  # the file itself, not only its name
    done = Engagement.objects.get(pk=life["done"].pk)
    assert (done.fee_minor, done.payment, done.status, done.thanks) == (15000, "paid", "completed", "payment")
    assert done.paid_at is not None and done.completed_at is not None
    assert (done.shown_as, done.feedback, done.payment_reference) == ("", "", "")
    claim = ExpenseClaim.objects.get(pk=life["claim"].pk)
    assert (claim.amount_minor, claim.currency, claim.status, claim.description, claim.receipt.name) == (
        1850,
        done.currency,
        "paid",
        "",
        "",
    )
    # The free-text answer is gone; the scale answer stays as an anonymous count, unquotable.
    assert list(ConsultationAnswer.objects.filter(engagement=done).values_list("value", "may_quote")) == [("4", False)]
    assert Engagement.objects.get(pk=life["coming"].pk).status == Engagement.Status.WITHDRAWN
    waiting = Interest.objects.get(pk=life["waiting"].pk)
    assert (waiting.status, waiting.pseudonym, waiting.availability) == (Interest.Status.WITHDRAWN, "", "")
    assert not ThanksPreference.objects.filter(member=member).exists()
    sent = VoiceRequest.objects.get(pk=life["sent"].pk)
    assert sent.contact_name == "" and sent.contact_email.endswith(ERASED_EMAIL_DOMAIN)
    assert sent.organisation_name == "Harbour Trust"  # the organisation's, kept
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not any(needle.lower() in logged.lower() for needle in (*NEEDLES, email))

    # Twice: no error, nothing more changes.
    with transaction.atomic():
        erase_member(user=member, old_email=email, revoke_certificates=False)
    assert columns_holding(NEEDLES) == {}
    assert ExpenseClaim.objects.get(pk=claim.pk).amount_minor == 1850


def test_the_export_holds_the_member_s_voices_data_and_nothing_of_another_member():
    member = make_member()
    life = voices_life(member)
    other = make_member()
    voices_life(other, prefix="Other ")
    # The other member is also interested in the same consultation as the member.
    make_interest(life["done"].opportunity, other, pseudonym="Other Quiet Fox", availability="Other mornings")

    export = member_export(member)

    assert [row["pseudonym"] for row in export["voices.Interest"]].count(PSEUDONYM) == 2
    assert {row["availability"] for row in export["voices.Interest"]} == {AVAILABILITY, ""}
    engagement = next(row for row in export["voices.Engagement"] if row["id"] == life["done"].pk)
    assert (engagement["fee_minor"], engagement["feedback"], engagement["shown_as"]) == (15000, FEEDBACK, PSEUDONYM)
    assert engagement["payment_reference"] == REFERENCE
    [claim] = export["voices.ExpenseClaim"]
    assert (claim["description"], claim["amount_minor"]) == (EXPENSE, 1850)
    assert claim["receipt"] == life["claim"].receipt.name  # its name, never its content
    assert export["voices.ThanksPreference"] == [
        {"id": ThanksPreference.objects.get(member=member).pk, "member": member.pk, "choice": "payment"}
        | {"reason": THANKS_REASON, "updated_at": export["voices.ThanksPreference"][0]["updated_at"]}
    ]
    assert sorted(row["value"] for row in export["voices.ConsultationAnswer"]) == sorted([ANSWER, "4"])
    assert [row["contact_name"] for row in export["voices.VoiceRequest"]] == [CONTACT_NAME]
    assert "token_hash" not in export["voices.VoiceRequest"][0]
    text = json.dumps(export)
    assert "Other " not in text and other.email not in text and RECEIPT.decode() not in text


def test_the_staff_contact_s_own_export_holds_none_of_the_members_they_brokered_for():
    member = make_member()
    life = voices_life(member)
    staff = life["done"].staff_contact
    ExpenseClaim.objects.filter(pk=life["claim"].pk).update(decided_by=staff)
    Engagement.objects.filter(pk=life["done"].pk).update(approved_by=staff)

    text = json.dumps(member_export(staff))

    assert not {"voices.Engagement", "voices.ExpenseClaim"} & set(member_export(staff))
    assert not any(needle in text for needle in NEEDLES)
    # The member's own export still has both rows.
    assert {"voices.Engagement", "voices.ExpenseClaim"} <= set(member_export(member))


def test_the_demo_seeds_fee_policies_a_published_request_and_an_interested_member_once(demo_site):
    from accounts.demo import DEMO_MEMBERSHIP_EMAIL, DEMO_PARTNER_EMAIL
    from voices.demo import DEMO_TOPIC

    policies = {p.chapter.slug: (p.unit, p.minimum_minor, p.chapter.currency) for p in FeePolicy.objects.all()}
    assert policies == {"uk": ("hour", 2500, "GBP"), "us": ("hour", 4000, "USD")}
    request = VoiceRequest.objects.select_related("partner", "chapter").get(topic=DEMO_TOPIC)
    assert request.partner.name == "Safe Harbour Trust" and request.submitted_by.email == DEMO_PARTNER_EMAIL
    assert request.starts_at > timezone.now() and request.status == VoiceRequest.Status.PUBLISHED
    assert request.fee_offered_minor > request.chapter.fee_policy.minimum_for(request.hours)
    opportunity = Opportunity.objects.get(request=request)
    assert opportunity.eligible_course.slug == "foundations-of-survivor-leadership"
    assert opportunity.staff_contact.email == DEMO_MEMBERSHIP_EMAIL
    [interest] = Interest.objects.filter(opportunity=opportunity).select_related("member")
    assert (interest.member.email, interest.appearance, interest.pseudonym) == (
        "river@member.example",
        "pseudonym",
        "Willow",
    )

    # River's past engagement (so "fewest recent first" orders something), and Kai, a second
    # member who completed the course, with no engagement yet.
    from accounts.models import User
    from voices.selectors import is_eligible

    past = Engagement.objects.select_related("member").get()
    assert (past.member.email, past.status, past.payment) == ("river@member.example", "completed", "paid")
    assert past.starts_at < timezone.now() and past.opportunity_id != opportunity.pk
    kai = User.objects.get(email="kai@member.example")
    assert is_eligible(kai, opportunity) and not Engagement.objects.filter(member=kai).exists()

    def counts():
        return tuple(model.objects.count() for model in (FeePolicy, VoiceRequest, Opportunity, Interest, Engagement))

    first = counts()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts() == first == (2, 2, 2, 2, 1)
