"""A member's erasure, as survivor voices applies it (the personal-data contract, core/hooks.py).

Found by account: the member's interest, engagements, their expense claims and consultation
answers, their thanks preference; by account or by the address it had: the requests they sent
as an organisation's contact (`submitted_by`, `contact_email`), and a flag staff put on that
address. At erasure:
- interest loses the availability and pseudonym; one still waiting to be chosen is withdrawn;
- engagements lose what the organisation was shown (`shown_as`), the member's private feedback
  and Finance's payment reference; one offered or confirmed that has not started yet is
  withdrawn (no email: the contract sends none; the staff contact sees it withdrawn, and tells
  the organisation as for any withdrawal);
- expense claims lose their description, and the receipt file is deleted from storage once the
  erasure has committed (a storage cannot roll back: a rolled-back erasure must not leave rows
  naming deleted files); the stored name, random and naming no one, is emptied with it;
- free-text consultation answers are deleted; choice, scale and yes/no answers stay as
  anonymous counts (the organisation's aggregates still add up), no longer quotable;
- the thanks preference (the choice and the reason private to Finance) is deleted;
- requests they sent as a contact lose the contact's name, address (`erased-voicerequest-<id>@
  erased.invalid`, never emailed) and language; the organisation's name and what it asked for
  stay (they are the organisation's);
- a flag on their address is kept whole: it is a safeguarding record about an organisation, and
  erasing it would let a flagged organisation submit again (the reason is staff's, about the
  organisation).
Kept for Finance, as payments keeps its records: fees, hours, amounts claimed, currencies,
statuses and dates (offered, confirmed, approved, paid), so the payment export and each tax
year's totals still add up; they name no one once the account is erased.
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from core.audit import audit_record
from core.locking import for_update
from core.personal_data import Member, PersonalData, Rows, erased_email
from voices.models import (
    ConsultationAnswer,
    ConsultationQuestion,
    Engagement,
    ExpenseClaim,
    FlaggedOrganisation,
    Interest,
    ThanksPreference,
    VoiceRequest,
)


def _pks(queryset) -> set:
    return set(queryset.values_list("pk", flat=True))


def voices_member_rows(member: Member, found: Rows) -> Rows:
    by_address = Q(contact_email__iexact=member.email) if member.email else Q(pk__in=[])
    flags = FlaggedOrganisation.objects.filter(email__iexact=member.email) if member.email else None
    return {
        Interest._meta.label: _pks(Interest.objects.filter(member_id=member.user_id)),
        Engagement._meta.label: _pks(Engagement.objects.filter(member_id=member.user_id)),
        ExpenseClaim._meta.label: _pks(ExpenseClaim.objects.filter(engagement__member_id=member.user_id)),
        ConsultationAnswer._meta.label: _pks(ConsultationAnswer.objects.filter(engagement__member_id=member.user_id)),
        ThanksPreference._meta.label: _pks(ThanksPreference.objects.filter(member_id=member.user_id)),
        VoiceRequest._meta.label: _pks(VoiceRequest.objects.filter(Q(submitted_by_id=member.user_id) | by_address)),
        FlaggedOrganisation._meta.label: _pks(flags) if flags is not None else set(),
    }


def _rows(model, found: Rows):
    return model.objects.filter(pk__in=found.get(model._meta.label, ()))


def voices_erase_member(member: Member, found: Rows) -> None:
    now = timezone.now()
    interests = _rows(Interest, found)
    list(for_update(interests))
    interests.update(availability="", pseudonym="")
    interests.filter(status=Interest.Status.INTERESTED).update(status=Interest.Status.WITHDRAWN)

    engagements = _rows(Engagement, found)
    list(for_update(engagements))
    engagements.update(shown_as="", feedback="", payment_reference="")
    withdrawn = engagements.filter(
        status__in=(Engagement.Status.OFFERED, Engagement.Status.CONFIRMED), starts_at__gt=now
    ).update(status=Engagement.Status.WITHDRAWN, withdrawn_at=now)

    claims = _rows(ExpenseClaim, found)
    receipts = list(for_update(claims).exclude(receipt="").values_list("receipt", flat=True))
    claims.update(description="", receipt="")
    if receipts:
        storage = ExpenseClaim._meta.get_field("receipt").storage
        transaction.on_commit(lambda names=tuple(receipts): _receipts_delete(storage, names))

    answers = _rows(ConsultationAnswer, found)
    answers.filter(question__kind=ConsultationQuestion.QuestionKind.TEXT).delete()
    answers.update(may_quote=False)

    _rows(ThanksPreference, found).delete()

    for request in for_update(_rows(VoiceRequest, found)):
        request.contact_name = ""
        request.contact_email = erased_email("voicerequest", request.pk)
        request.language = ""
        request.save(update_fields=["contact_name", "contact_email", "language", "updated_at"])

    if any(found.get(model._meta.label) for model in (Interest, Engagement, VoiceRequest)):
        audit_record(
            actor=None,
            action="voices.member_erased",
            obj=User.objects.get(pk=member.user_id),
            engagements_withdrawn=withdrawn,
            receipts_deleted=len(receipts),
        )


def _receipts_delete(storage, names) -> None:
    for name in names:
        storage.delete(name)


PERSONAL_DATA = PersonalData(
    personal={
        "voices.Interest": ("availability", "pseudonym"),
        "voices.Engagement": ("shown_as", "feedback", "payment_reference"),
        "voices.ExpenseClaim": ("description",),
        # Free-text answers are deleted; choice, scale and yes/no answers stay as anonymous counts.
        "voices.ConsultationAnswer": ("value",),
        "voices.ThanksPreference": ("reason",),
        "voices.VoiceRequest": ("contact_name", "contact_email", "language"),
        # Kept whole: a safeguarding flag on an organisation (see the module's docstring).
        "voices.FlaggedOrganisation": ("email",),
    },
    not_personal={
        "voices.FeePolicy": "the minimum fee staff set for a chapter",
        "voices.Opportunity": "what staff publish to eligible members about a request",
        "voices.ConsultationQuestion": "the questions staff write for a consultation",
        "voices.FlaggedOrganisation.reason": "staff's reason for flagging an organisation, about the organisation",
        "voices.VoiceRequest.organisation_name": "the organisation's name",
        "voices.VoiceRequest.kind": "a choice",
        "voices.VoiceRequest.topic": "what the organisation asks survivors to speak about",
        "voices.VoiceRequest.description": "what the organisation asks for",
        "voices.VoiceRequest.time_zone": "a time zone name",
        "voices.VoiceRequest.format": "a choice",
        "voices.VoiceRequest.venue": "the organisation's venue",
        "voices.VoiceRequest.access": "the venue's access",
        "voices.VoiceRequest.anonymity": "how the organisation protects anonymity",
        "voices.VoiceRequest.currency": "a currency code",
        "voices.VoiceRequest.status": "a status",
        "voices.VoiceRequest.organisation_payment": "a status",
        "voices.VoiceRequest.token_hash": "the hash of a random link token",
        "voices.Interest.appearance": "a choice (display name, pseudonym, anonymous)",
        "voices.Interest.status": "a status",
        "voices.ThanksPreference.choice": "a choice (payment, voucher, nothing); deleted at erasure",
        "voices.Engagement.status": "a status",
        "voices.Engagement.currency": "a currency code",
        "voices.Engagement.thanks": "a choice (payment, voucher, nothing): why Finance paid or did not",
        "voices.Engagement.payment": "a status",
        "voices.ExpenseClaim.currency": "a currency code",
        "voices.ExpenseClaim.receipt": "a random file name (the file is deleted and the name emptied at erasure)",
        "voices.ExpenseClaim.receipt_type": "a file type",
        "voices.ExpenseClaim.status": "a status",
    },
    tasks={
        "voices.tasks.voice_request_received_send": {"request_id": "voices.VoiceRequest"},
        "voices.tasks.engagement_offered_send": {"engagement_id": "voices.Engagement"},
        "voices.tasks.engagement_briefs_send": {"engagement_id": "voices.Engagement"},
        # Tells the staff contact (and the organisation) neutrally that a place is free: no
        # name, no address of the member; it must still go out.
        "voices.tasks.engagement_withdrawn_send": {},
        "voices.tasks.engagement_feedback_send": {"engagement_id": "voices.Engagement"},
    },
    rows=voices_member_rows,
    erase=voices_erase_member,
    # Rows about a member (or an organisation's contact) that name the staff who acted: not
    # in the staff member's own data export.
    acting_staff=(
        "voices.Engagement.staff_contact",
        "voices.Engagement.approved_by",
        "voices.ExpenseClaim.decided_by",
        "voices.FlaggedOrganisation.flagged_by",
    ),
)
